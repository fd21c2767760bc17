// The yardstick's worker (issue 3, item 12): the least program that does what Switchboard's
// worker must do for each queued message, on the same machine, table, queue library and fake
// Twilio: a BullMQ worker that claims the row, POSTs it to the provider over a keep-alive
// connection (undici, as Switchboard's Twilio client does, without the SDK) and records it sent.
// No routing, opt-out, pacing, events or logging. It drains the yardstick's own queue, so the
// drain rate and the accept latency with a worker running can be compared with what this machine
// allows at this moment. Started by run-bench.ts with DATABASE_URL, REDIS_URL, REDIS_PREFIX,
// REFERENCE_CONCURRENCY, REFERENCE_NICE, TWILIO_API_BASE_URL, TWILIO_ACCOUNT_SID,
// TWILIO_AUTH_TOKEN and REFERENCE_FROM.
import { setPriority } from 'node:os';
import { Job, Worker } from 'bullmq';
import { Pool } from 'pg';
import { Pool as HttpPool } from 'undici';
import { redisOptionsFromUrl } from '@app/core';
import { REFERENCE_QUEUE } from './reference-queue';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

// Niced as Switchboard's worker is by default (WORKER_NICE): a worker in the background of the
// API is what both are measured as.
setPriority(Number(env('REFERENCE_NICE')));

const db = new Pool({ connectionString: env('DATABASE_URL'), max: 10 });
const providerUrl = new URL(env('TWILIO_API_BASE_URL'));
const provider = new HttpPool(providerUrl.origin, { connections: 64, pipelining: 1 });
const messagesPath = `${providerUrl.pathname.replace(/\/$/, '')}/2010-04-01/Accounts/${env('TWILIO_ACCOUNT_SID')}/Messages.json`;
const authorization = `Basic ${Buffer.from(`${env('TWILIO_ACCOUNT_SID')}:${env('TWILIO_AUTH_TOKEN')}`).toString('base64')}`;
const from = env('REFERENCE_FROM');
const statusCallbackBase = 'http://127.0.0.1/webhooks/twilio/status';

const CLAIM = `UPDATE messages SET status = 'sending', sending_at = now(), updated_at = now(),
    attempts = attempts + 1
  WHERE id = $1 AND status = 'queued' RETURNING to_number, body`;
const RECORD_SENT = `UPDATE messages SET status = 'sent', sent_at = now(), updated_at = now(),
    route = 'twilio', from_number = $2, provider_message_id = $3
  WHERE id = $1 AND status = 'sending'`;

async function dispatch(job: Job<{ messageId: string }>): Promise<void> {
  const { messageId } = job.data;
  const claimed = await db.query<{ to_number: string; body: string }>({
    name: 'reference-claim',
    text: CLAIM,
    values: [messageId],
  });
  const message = claimed.rows[0];
  if (!message) return; // already sent by an earlier attempt
  const response = await provider.request({
    method: 'POST',
    path: messagesPath,
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    // A status callback per message, as Switchboard asks for (the fake counts distinct messages
    // by its messageId; it calls nobody back in the benchmark).
    body: new URLSearchParams({
      To: message.to_number,
      From: from,
      Body: message.body,
      StatusCallback: `${statusCallbackBase}?messageId=${messageId}`,
    }).toString(),
  });
  const answer = (await response.body.json()) as { sid?: string };
  // A failed send throws: BullMQ retries it, as Switchboard's worker does.
  if (response.statusCode >= 300 || !answer.sid) {
    throw new Error(`the provider answered ${response.statusCode}`);
  }
  await db.query({
    name: 'reference-record-sent',
    text: RECORD_SENT,
    values: [messageId, from, answer.sid],
  });
}

const worker = new Worker(REFERENCE_QUEUE, dispatch, {
  connection: redisOptionsFromUrl(env('REDIS_URL')),
  prefix: `${env('REDIS_PREFIX')}:bull`,
  concurrency: Number(env('REFERENCE_CONCURRENCY')),
});
worker.on('error', () => undefined);

process.on('SIGTERM', () => {
  void Promise.all([worker.close(), db.end(), provider.close()]).then(() => process.exit(0));
});
