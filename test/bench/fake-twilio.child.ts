// The fake Twilio as its own process for the benchmark (forked with an IPC channel): the API and
// the worker reach it over HTTP like the real Twilio, and the runner asks it over IPC what it
// received and when. It exits as soon as the runner goes away.
import { FakeTwilio } from '../fakes/fake-twilio';

const MESSAGES_PATH = /\/Messages\.json$/;

export type FakeTwilioRequest =
  | { id: number; op: 'reset' }
  | { id: number; op: 'stats' }
  | { id: number; op: 'arrivals'; bodyPrefix: string };

export interface FakeTwilioReady {
  ready: true;
  baseUrl: string;
  accountSid: string;
  authToken: string;
}

/** Message creates the fake received since the last reset: how many, first and last (epoch ms). */
export interface ArrivalStats {
  count: number;
  /** Distinct Switchboard messages among them (from the messageId of their StatusCallback). */
  distinct: number;
  firstAt: number | null;
  lastAt: number | null;
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('fake-twilio.child must be started with fork()');
  const fake = await FakeTwilio.start();

  const creates = () =>
    fake.requests.filter(
      (request) => request.method === 'POST' && MESSAGES_PATH.test(request.path),
    );

  const answer = (request: FakeTwilioRequest): unknown => {
    switch (request.op) {
      case 'reset':
        fake.reset();
        return null;
      case 'stats': {
        const received = creates();
        const ids = new Set(
          received.map(
            (request) => /messageId=([^&]+)/.exec(request.params.StatusCallback ?? '')?.[1],
          ),
        );
        const stats: ArrivalStats = {
          count: received.length,
          distinct: ids.size,
          firstAt: received[0]?.receivedAt.getTime() ?? null,
          lastAt: received.at(-1)?.receivedAt.getTime() ?? null,
        };
        return stats;
      }
      case 'arrivals':
        // [body, receivedAt] of the creates whose body starts with the prefix.
        return creates()
          .filter((received) => received.params.Body?.startsWith(request.bodyPrefix))
          .map((received) => [received.params.Body, received.receivedAt.getTime()]);
    }
  };

  process.on('message', (request: FakeTwilioRequest) => {
    process.send!({ id: request.id, result: answer(request) });
  });
  const stop = () => void fake.close().finally(() => process.exit(0));
  process.once('disconnect', stop);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  const ready: FakeTwilioReady = {
    ready: true,
    baseUrl: fake.baseUrl,
    accountSid: fake.accountSid,
    authToken: fake.authToken,
  };
  process.send(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
