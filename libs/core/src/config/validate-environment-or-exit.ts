import { existsSync } from 'node:fs';
import { InvalidConfigurationError, parseEnvironment } from './config.schema';

/**
 * Run first in every entry point: a typo in `.env` stops the process with one line naming the
 * variable, instead of a stack trace from deep inside Nest's module loading.
 */
export function validateEnvironmentOrExit(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    parseEnvironment(process.env);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
