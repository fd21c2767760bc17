// Simulated Android phones for a running Switchboard: `npm run device:sim -- --help`.
import { parseArgs } from 'node:util';
import { PhoneClosedError, SimulatedPhone } from './device-simulator';
import { runSmsGateCli } from './smsgate-app-simulator.cli';

const USAGE = `Usage: npm run device:sim -- [--app switchboard] --token <device token> [options]
  --app <app>          switchboard (default): our WebSocket protocol; smsgate: the SMS Gateway
                       for Android app's mobile API (see --app smsgate --help)
  --token <t>          a device token (repeat, or comma-separate, for several phones)
  --count <n>          phones to connect (default: one per token); with --api-key, the missing
                       devices are created for you over HTTP
  --api-key <key>      an API key, to create devices when --count exceeds the tokens given
  --url <url>          the API (default ws://localhost:3000; /ws/devices is added)
  --delay-ms <n>       between receiving a send and reporting its result (default 200)
  --fail-rate <0..1>   share of sends reported "failed" (default 0)
  --drop-rate <0..1>   share of sends on which the phone drops its connection (default 0);
                       a dropped phone reconnects a second later
  --delivered          also report "delivered" after "sent"
  --sims <n>           report n SIM cards (simNumber 1..n) in hello (default: none reported)
  --status-every-ms <n> send a status frame this often (default 30000, 0 = never)
  --help               show this help`;

function numberOption(name: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > max) {
    throw new Error(`--${name} must be a number between 0 and ${max}, got "${value}"`);
  }
  return number;
}

/** Creates a device over the Devices API and returns its token. */
async function createDevice(httpBase: string, apiKey: string, name: string): Promise<string> {
  const response = await fetch(`${httpBase}/api/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as { token?: string; detail?: string };
  if (response.status !== 201 || !body.token) {
    throw new Error(`Could not create a device (${response.status}): ${body.detail ?? ''}`);
  }
  return body.token;
}

// 4001: bad token; 4002: another connection of this device took over (two simulators with one
// token would otherwise take turns forever); 4003: device deleted. Reconnecting cannot help.
const FINAL_CLOSE_CODES = new Set([4001, 4002, 4003]);

function log(phone: SimulatedPhone, line: string): void {
  console.log(`${new Date().toISOString()} [${phone.label}] ${line}`);
}

let stopping = false;

async function keepConnected(phone: SimulatedPhone): Promise<void> {
  while (!stopping) {
    try {
      const welcome = await phone.connect();
      log(
        phone,
        `online as device ${String(welcome.deviceId)} (heartbeat ${String(welcome.heartbeatMs)} ms, ` +
          `${String(welcome.sendRatePerMinute)} SMS/min)`,
      );
      const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
        phone.once('closed', (code: number, reason: string) => resolve({ code, reason })),
      );
      log(phone, `disconnected (${closed.code} ${closed.reason})`);
      if (FINAL_CLOSE_CODES.has(closed.code)) return;
    } catch (error) {
      const code = error instanceof PhoneClosedError ? error.code : undefined;
      log(phone, `could not connect: ${(error as Error).message}`);
      if (code !== undefined && FINAL_CLOSE_CODES.has(code)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The value of --app (either spelling), before the rest of the options are read. */
function appOf(args: string[]): string {
  for (let index = 0; index < args.length; index++) {
    if (args[index] === '--app') return args[index + 1] ?? '';
    if (args[index].startsWith('--app=')) return args[index].slice('--app='.length);
  }
  return 'switchboard';
}

async function main(): Promise<void> {
  const app = appOf(process.argv.slice(2));
  if (app === 'smsgate') return runSmsGateCli(process.argv.slice(2));
  if (app !== 'switchboard') {
    throw new Error(`--app must be "switchboard" or "smsgate", got "${app}"`);
  }
  const { values } = parseArgs({
    options: {
      app: { type: 'string' },
      token: { type: 'string', multiple: true, default: [] },
      count: { type: 'string' },
      'api-key': { type: 'string' },
      url: { type: 'string', default: 'ws://localhost:3000' },
      'delay-ms': { type: 'string', default: '200' },
      'fail-rate': { type: 'string', default: '0' },
      'drop-rate': { type: 'string', default: '0' },
      delivered: { type: 'boolean', default: false },
      sims: { type: 'string', default: '0' },
      'status-every-ms': { type: 'string', default: '30000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const tokens = values.token.flatMap((token) => token.split(',')).filter(Boolean);
  const count = values.count ? numberOption('count', values.count, 1000) : tokens.length;
  const url = values.url.replace(/\/$/, '');
  const httpBase = url.replace(/^ws/, 'http').replace(/\/ws\/devices$/, '');
  if (count > tokens.length) {
    if (!values['api-key']) {
      throw new Error(
        `--count ${count} needs ${count} device tokens (one per phone), or --api-key to create the ${count - tokens.length} missing device(s).`,
      );
    }
    for (let index = tokens.length; index < count; index++) {
      const name = `Simulated phone ${index + 1}`;
      const token = await createDevice(httpBase, values['api-key'], name);
      // Shown once by the API: print it so that the same phones can be run again.
      console.log(`Created device "${name}"; its token: ${token}`);
      tokens.push(token);
    }
  }
  if (count === 0) throw new Error('Give at least one --token (see --help).');
  const sims = numberOption('sims', values.sims, 4);
  const simCards =
    sims > 0
      ? Array.from({ length: sims }, (_, slot) => ({
          slotIndex: slot,
          simNumber: slot + 1,
          carrierName: `Simulated carrier ${slot + 1}`,
        }))
      : undefined;

  const phones = tokens.slice(0, count).map(
    (token, index) =>
      new SimulatedPhone({
        url,
        token,
        label: `phone-${index + 1}`,
        delayMs: numberOption('delay-ms', values['delay-ms']),
        failRate: numberOption('fail-rate', values['fail-rate'], 1),
        dropRate: numberOption('drop-rate', values['drop-rate'], 1),
        reportDelivered: values.delivered,
        status: { battery: 60 + Math.floor(Math.random() * 40), charging: false, signal: 3 },
        device: { model: `Simulated Pixel ${index + 1}` },
        simCards,
      }),
  );
  for (const phone of phones) {
    phone.on('frame', (frame: { type: string; [key: string]: unknown }) => {
      if (frame.type === 'send')
        log(
          phone,
          `send ${String(frame.messageId)} → ${String(frame.to)}` +
            `${frame.simNumber ? ` (SIM ${String(frame.simNumber)})` : ''}: ${String(frame.body)}`,
        );
      if (frame.type === 'error')
        log(phone, `error ${String(frame.code)}: ${String(frame.message)}`);
    });
    const reportedBefore = { count: 0 };
    phone.on('change', () => {
      while (reportedBefore.count < phone.reported.length) {
        const report = phone.reported[reportedBefore.count++];
        log(phone, `result ${report.messageId}: ${report.status}`);
      }
    });
  }

  const statusEvery = numberOption('status-every-ms', values['status-every-ms']);
  const statusTimer =
    statusEvery > 0
      ? setInterval(() => {
          for (const phone of phones) {
            if (!phone.connected) continue;
            phone.sendStatus({
              battery: Math.max(5, Math.min(100, 60 + Math.floor(Math.random() * 40))),
              signal: 2 + Math.floor(Math.random() * 3),
            });
          }
        }, statusEvery)
      : undefined;

  const stop = () => {
    stopping = true;
    clearInterval(statusTimer);
    const sent = phones.reduce((total, phone) => total + phone.received.length, 0);
    console.log(`Stopping; ${sent} send(s) received by ${phones.length} phone(s).`);
    void Promise.all(phones.map((phone) => phone.close())).finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(phones.map((phone) => keepConnected(phone)));
  clearInterval(statusTimer);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
