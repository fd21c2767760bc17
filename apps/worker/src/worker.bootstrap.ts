import { setPriority } from 'node:os';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig, stopWhenSupervisorGoes, tellSupervisorReady } from '@app/core';
import { WorkerModule } from './worker.module';

/** The worker has no HTTP server: an application context running BullMQ processors. */
export async function bootstrapWorker(): Promise<INestApplicationContext> {
  stopWhenSupervisorGoes();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGTERM/SIGINT close the BullMQ workers (finishing in-flight jobs) before the process exits.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  yieldCpuToTheApi(app);
  await app.init();
  app.get(Logger).log('Worker started', 'Worker');
  tellSupervisorReady();
  return app;
}

/**
 * Accepting messages is what callers wait for; draining is throughput work that can wait a few
 * milliseconds. Measured by `npm run bench` on two cores: with the worker at niceness 0, single
 * accepts fell by about half while it drained a backlog; niced, the API keeps most of its rate
 * and the worker still drains at well over 1,000 messages a second (the API uses one core at
 * most, the worker has the rest).
 */
function yieldCpuToTheApi(app: INestApplicationContext): void {
  const nice = app.get(AppConfig).get('WORKER_NICE');
  try {
    setPriority(nice);
  } catch (error) {
    app
      .get(Logger)
      .warn(
        `Could not set the worker's niceness to ${nice}: ${(error as Error).message}`,
        'Worker',
      );
  }
}
