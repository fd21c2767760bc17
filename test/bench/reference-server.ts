// The benchmark's yardstick (issue 3, item 12): the least program that does what
// `POST /api/v1/messages` and `/messages/batch` must do, on the same machine, database table and
// queue library: node:http, pg and BullMQ, no framework, no authentication, no logging, no
// validation beyond the recipient's shape. What it reaches is the ceiling for this machine at
// this moment; the targets are ~80 % of it on the development VM. Started by
// run-bench.ts with REFERENCE_PORT, REFERENCE_ACCOUNT_ID, DATABASE_URL, REDIS_URL, REDIS_PREFIX.
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { redisOptionsFromUrl } from '@app/core';
import { REFERENCE_QUEUE } from './reference-queue';

interface Draft {
  to: string;
  body: string;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const accountId = env('REFERENCE_ACCOUNT_ID');
const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 10 });
const queue = new Queue(REFERENCE_QUEUE, {
  connection: redisOptionsFromUrl(env('REDIS_URL')),
  prefix: `${env('REDIS_PREFIX')}:bull`,
  defaultJobOptions: { attempts: 5, removeOnComplete: { count: 10_000 } },
});

// One array per column, as Switchboard inserts; the same table, hence the same indexes.
const INSERT = `INSERT INTO messages (id, account_id, direction, to_number, peer, body, encoding, segments, status)
  SELECT id, $2::uuid, 'outbound', to_number, to_number, body, 'GSM-7', 1, 'queued'
  FROM unnest($1::uuid[], $3::text[], $4::text[]) AS t(id, to_number, body)
  RETURNING *`;

async function insertAndEnqueue(drafts: Draft[]): Promise<unknown[]> {
  const ids = drafts.map(() => randomUUID());
  const { rows } = await pool.query(INSERT, [
    ids,
    accountId,
    drafts.map((draft) => draft.to),
    drafts.map((draft) => draft.body),
  ]);
  const jobs = ids.map((id) => ({
    name: 'dispatch',
    data: { messageId: id },
    opts: { jobId: id },
  }));
  if (jobs.length === 1) await queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
  else await queue.addBulk(jobs);
  return rows;
}

const isDraft = (value: unknown): value is Draft =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Draft).to === 'string' &&
  /^\+[1-9]\d{7,14}$/.test((value as Draft).to) &&
  typeof (value as Draft).body === 'string';

function answer(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return answer(response, 400, { code: 'MALFORMED_JSON' });
  }
  if (request.method === 'POST' && request.url === '/messages') {
    if (!isDraft(payload)) return answer(response, 422, { code: 'INVALID_MESSAGE' });
    const [row] = await insertAndEnqueue([payload]);
    return answer(response, 202, row);
  }
  if (request.method === 'POST' && request.url === '/messages/batch') {
    const messages = (payload as { messages?: unknown }).messages;
    if (!Array.isArray(messages) || messages.length > 1000 || !messages.every(isDraft)) {
      return answer(response, 422, { code: 'INVALID_MESSAGE' });
    }
    return answer(response, 202, { data: await insertAndEnqueue(messages) });
  }
  answer(response, 404, { code: 'NOT_FOUND' });
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => answer(response, 500, { code: 'INTERNAL' }));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(env('REFERENCE_PORT')), '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  void Promise.all([pool.end(), queue.close()]).then(() => process.exit(0));
});
