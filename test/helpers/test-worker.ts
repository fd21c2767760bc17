import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfig } from '@app/core';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { ProviderOverride } from './test-app';

/**
 * The worker in-process, as `npm run start:worker` runs it, with its own variables (and providers
 * replaced, e.g. the clock). Tests that
 * kill the worker use the compiled one as a child process instead (test/helpers/worker-process).
 */
export async function startTestWorker(
  env: Record<string, string> = {},
  overrides: ProviderOverride[] = [],
): Promise<INestApplicationContext> {
  let builder = Test.createTestingModule({ imports: [WorkerModule] })
    .overrideProvider(AppConfig)
    .useValue(AppConfig.from({ ...process.env, ...env }));
  for (const override of overrides) {
    builder = builder.overrideProvider(override.provide).useValue(override.useValue);
  }
  const moduleRef = await builder.compile();
  // A TestingModule is an application context: init() starts the BullMQ workers.
  await moduleRef.init();
  return moduleRef;
}
