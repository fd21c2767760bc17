import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfig } from '@app/core';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/**
 * The worker in-process, as `npm run start:worker` runs it, with its own variables. Tests that
 * kill the worker use the compiled one as a child process instead (test/helpers/worker-process).
 */
export async function startTestWorker(
  env: Record<string, string> = {},
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] })
    .overrideProvider(AppConfig)
    .useValue(AppConfig.from({ ...process.env, ...env }))
    .compile();
  // A TestingModule is an application context: init() starts the BullMQ workers.
  await moduleRef.init();
  return moduleRef;
}
