import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FakeTwilio } from '../fakes/fake-twilio';
import { createTestApp, urlOf } from './test-app';
import { startTestWorker } from './test-worker';
import { twilioEnv } from './twilio-env';

export interface TestStack {
  fake: FakeTwilio;
  app: NestExpressApplication;
  worker: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * What most end-to-end tests need: a fake Twilio, the API pointed at it, and a worker in-process
 * reaching both (status callbacks go to the API's own URL).
 */
export async function startStack(
  pool?: string[],
  env: Record<string, string> = {},
): Promise<TestStack> {
  const fake = await FakeTwilio.start();
  const app = await createTestApp({ ...twilioEnv(fake, pool), ...env });
  const worker = await startTestWorker({
    ...twilioEnv(fake, pool),
    ...env,
    PUBLIC_BASE_URL: urlOf(app),
  });
  return {
    fake,
    app,
    worker,
    async close() {
      // The worker stops once its jobs end, and a request the fake holds never ends.
      fake.releaseRequests();
      await worker.close();
      await app.close();
      await fake.close();
    },
  };
}
