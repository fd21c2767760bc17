// `npm run device:sim -- --app smsgate …`: a simulated phone running the SMS Gateway for Android
// app against a server's mobile API (docs/android.md), for users without a phone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  Registration,
  RecipientOutcome,
  SimCardSpec,
  SmsGateAppSimulator,
} from './smsgate-app-simulator';

export const SMSGATE_USAGE = `Usage: npm run device:sim -- --app smsgate --url <server>/api/mobile/v1 --token <private token> [options]
  --url <url>            the API URL, as typed into the app (…/api/mobile/v1)
  --token <t>            the Private Token (the device token POST /api/v1/devices showed once)
  --name <name>          the device name it registers with (default Simulated/smsgate_sim)
  --sims <1-3>           SIM cards in the phone (default 1)
  --state-file <path>    keep the registration here, so a restart is the same phone
  --delay-ms <n>         between handing an SMS to the radio and "sent" (default 200)
  --fail-rate <0..1>     share of SMS the radio refuses (default 0)
  --no-delivery          never report "delivered" (the carrier sends no delivery reports)
  --never-report         pull messages but never report a state (a phone gone quiet)
  --pull-every-ms <n>    the periodic pull (default 900000, the app's 15 minutes)
  --ignore-settings-restart  do not restart when /settings changes (the app asks its user to)
  --json                 print one JSON object per line instead of text
  --help                 show this help
Then type a line "<from> <text>" (e.g. "+14155550123 Hello") to receive an SMS on SIM 1,
"sim2 <from> <text>" for SIM 2, "ping" to send a ping now, "pull" to pull now.`;

function numberOption(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new Error(`--${name} must be a number between ${min} and ${max}, got "${value}"`);
  }
  return number;
}

export async function runSmsGateCli(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      name: { type: 'string' },
      sims: { type: 'string', default: '1' },
      'state-file': { type: 'string' },
      'delay-ms': { type: 'string', default: '200' },
      'fail-rate': { type: 'string', default: '0' },
      'no-delivery': { type: 'boolean', default: false },
      'never-report': { type: 'boolean', default: false },
      'pull-every-ms': { type: 'string', default: '900000' },
      'ignore-settings-restart': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(SMSGATE_USAGE);
    return;
  }
  if (!values.url || !values.token) throw new Error('--url and --token are required (see --help).');
  const sims = numberOption('sims', values.sims, 1, 3);
  const delayMs = numberOption('delay-ms', values['delay-ms'], 0, 600_000);
  const failRate = numberOption('fail-rate', values['fail-rate'], 0, 1);
  const stateFile = values['state-file'];
  const registration =
    stateFile && existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Registration)
      : undefined;
  const simCards: SimCardSpec[] = Array.from({ length: sims }, (_, slotIndex) => ({
    slotIndex,
    phoneNumber: `+1555000000${slotIndex + 1}`,
    carrierName: `Simulated Carrier ${slotIndex + 1}`,
    iccid: `890126000000000000${slotIndex + 1}`,
  }));

  const print = (event: string, fields: Record<string, unknown>) => {
    if (values.json) {
      console.log(JSON.stringify({ at: new Date().toISOString(), event, ...fields }));
      return;
    }
    const text = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    console.log(`${new Date().toISOString()} ${event} ${text}`);
  };

  const phone = new SmsGateAppSimulator({
    baseUrl: values.url,
    privateToken: values.token,
    name: values.name,
    simCards,
    registration,
    pullIntervalMs: numberOption('pull-every-ms', values['pull-every-ms'], 1000, 86_400_000),
    reportStates: !values['never-report'],
    // A long run keeps only recent history.
    recordLimit: 1000,
    restartOnSettingsChange: !values['ignore-settings-restart'],
    outcome: (): RecipientOutcome => {
      if (Math.random() < failRate) return { result: 'failed', sentAfterMs: delayMs };
      return {
        result: values['no-delivery'] ? 'sent' : 'delivered',
        sentAfterMs: delayMs,
        deliveredAfterMs: delayMs,
      };
    },
  });

  phone.on('registered', (info: Registration) => {
    print('registered', { deviceId: info.id, login: info.login, userAgent: phone.userAgent, sims });
    if (stateFile) writeFileSync(stateFile, JSON.stringify(info, null, 2));
  });
  phone.on('sse:open', () => print('events-stream', { state: 'open' }));
  phone.on('sse:closed', () => print('events-stream', { state: 'closed (reconnecting)' }));
  phone.on('sse:failure', (error: Error, status?: number) =>
    print('events-stream', {
      state: 'failed (reconnecting)',
      status: status ?? null,
      error: error.message,
    }),
  );
  phone.on('sse:event', (type: string | null, data: string) =>
    print('event', { type: type ?? '(none)', data }),
  );
  phone.on('settings', (settings: Record<string, unknown>) =>
    print('settings', {
      ...settings,
      'webhooks.signing_key': settings['webhooks.signing_key'] ? '(set)' : '(none)',
    }),
  );
  phone.on('webhooks', (hooks: Array<{ event: string; url: string }>) =>
    print('webhooks', { hooks: hooks.map((hook) => `${hook.event} → ${hook.url}`) }),
  );
  phone.on(
    'message',
    (message: { id: string; recipients: Array<{ phoneNumber: string }>; text: string | null }) =>
      print('message', {
        id: message.id,
        to: message.recipients.map((r) => r.phoneNumber),
        text: message.text,
      }),
  );
  phone.on(
    'reported',
    (patch: {
      id: string;
      state: string;
      recipients: Array<{ phoneNumber: string; state: string }>;
    }) =>
      print('reported', {
        id: patch.id,
        state: patch.state,
        recipients: patch.recipients.map((r) => `${r.phoneNumber}:${r.state}`),
      }),
  );
  phone.on(
    'webhook',
    (delivery: {
      event: string;
      url: string;
      status: number | null;
      attempt: number;
      error?: string;
    }) =>
      print('webhook', {
        event: delivery.event,
        url: delivery.url,
        status: delivery.status,
        attempt: delivery.attempt,
        ...(delivery.error ? { error: delivery.error } : {}),
      }),
  );
  phone.on('error', (error: Error) => print('error', { message: error.message }));

  await phone.start();
  if (phone.webhookConfigs.length === 0) {
    print('note', {
      text: 'no webhooks yet: the app fetches them when the server sends WebhooksUpdated, or at its next start',
    });
  }

  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (trimmed === 'ping') return void phone.ping();
    if (trimmed === 'pull') return void phone.pullNow();
    const match = /^(?:sim(\d)\s+)?(\S+)\s+(.+)$/.exec(trimmed);
    if (!match) {
      print('error', { message: 'type "<from> <text>", "sim2 <from> <text>", "ping" or "pull"' });
      return;
    }
    const simNumber = match[1] ? Number(match[1]) : undefined;
    phone
      .receiveSms(match[2], match[3], { simNumber })
      .then((deliveries) => {
        if (deliveries.length === 0)
          print('note', { text: 'no sms:received webhook known to the phone yet' });
      })
      .catch((error: Error) => print('error', { message: error.message }));
  });

  await new Promise<void>((resolve) => {
    const stop = () => {
      input.close();
      print('stopping', { sent: phone.radioLog.length, received: phone.inbox.length });
      void phone.stop().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
