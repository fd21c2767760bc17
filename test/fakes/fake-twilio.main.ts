// Runs the fake Twilio on its own, for local use and benchmarks: `npm run fake:twilio -- --help`.
import { parseArgs } from 'node:util';
import { FakeTwilio } from './fake-twilio';

const USAGE = `Usage: npm run fake:twilio -- [options]
  --port <n>               port on 127.0.0.1 (default 4010, 0 = any free port)
  --latency-ms <n>         delay every response by n ms (default 0)
  --auto-callbacks         post "sent" then "delivered" status callbacks for each message
  --callback-delay-ms <n>  wait before each automatic callback (default 200)
  --help                   show this help`;

function nonNegativeInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      'latency-ms': { type: 'string', default: '0' },
      'auto-callbacks': { type: 'boolean', default: false },
      'callback-delay-ms': { type: 'string', default: '200' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const fake = await FakeTwilio.start({
    port: nonNegativeInteger('port', values.port),
    latencyMs: nonNegativeInteger('latency-ms', values['latency-ms']),
    autoCallbacks: values['auto-callbacks']
      ? {
          statuses: ['sent', 'delivered'],
          delayMs: nonNegativeInteger('callback-delay-ms', values['callback-delay-ms']),
        }
      : undefined,
  });

  console.log(`Fake Twilio listening on ${fake.baseUrl}`);
  console.log(`  account SID: ${fake.accountSid}`);
  console.log(`  auth token:  ${fake.authToken}`);
  console.log('Point Switchboard at it with:');
  console.log(
    `TWILIO_API_BASE_URL=${fake.baseUrl} TWILIO_ACCOUNT_SID=${fake.accountSid} TWILIO_AUTH_TOKEN=${fake.authToken}`,
  );

  const stop = () => {
    console.log(`Stopping; ${fake.messages.length} message(s) accepted.`);
    void fake.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
