import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfig } from '@app/core';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { ProviderOverride } from './test-app';

/**
 * The worker in-process with providers replaced (e.g. the Clock, to move the device send-rate
 * window without waiting a minute). Otherwise exactly startTestWorker.
 */
export async function startWorkerWith(
  env: Record<string, string>,
  overrides: ProviderOverride[],
): Promise<INestApplicationContext> {
  let builder = Test.createTestingModule({ imports: [WorkerModule] })
    .overrideProvider(AppConfig)
    .useValue(AppConfig.from({ ...process.env, ...env }));
  for (const override of overrides) {
    builder = builder.overrideProvider(override.provide).useValue(override.useValue);
  }
  const moduleRef = await builder.compile();
  await moduleRef.init();
  return moduleRef;
}
