import { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppException } from '@app/core';

/**
 * Runs an operator command inside a Nest application context of its own (no HTTP server), and
 * closes it whatever happens. A refusal the services explain (an AppException: no such account,
 * a bad value) is printed as its detail with exit code 1; anything else is a crash, with its stack.
 */
export async function runOperatorCommand(
  module: Type<unknown>,
  work: (app: INestApplicationContext) => Promise<void>,
): Promise<void> {
  const app = await NestFactory.createApplicationContext(module, { logger: ['error'] });
  try {
    await work(app);
  } catch (error) {
    if (!(error instanceof AppException)) throw error;
    process.stderr.write(`${error.detail}\n`);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}
