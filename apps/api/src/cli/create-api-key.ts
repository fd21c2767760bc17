import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { runOperatorCommand } from './operator-command';
import { ApiKeysService, AuthModule } from '@app/auth';
import { AppConfigModule, DatabaseModule, validateEnvironmentOrExit } from '@app/core';

@Module({ imports: [AppConfigModule.forRoot(), DatabaseModule, AuthModule] })
class CreateApiKeyModule {}

const USAGE = 'Usage: npm run api-key:create -- --account <account id> --name "deploy bot"\n';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `npm run api-key:create -- --account ID --name X`: prints a new key of that account, once. */
async function main(): Promise<void> {
  validateEnvironmentOrExit();
  const { values } = parseArgs({
    options: { account: { type: 'string' }, name: { type: 'string' } },
  });
  const accountId = values.account?.trim();
  const name = values.name?.trim();
  if (!accountId || !UUID.test(accountId) || !name || name.length > 100) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  await runOperatorCommand(CreateApiKeyModule, async (app) => {
    const issued = await app.get(ApiKeysService).createForOperator(accountId, name);
    process.stdout.write(
      `API key created.\n  account: ${accountId}\n  name:    ${issued.apiKey.name}\n  API key: ${issued.key}\n` +
        'Keep the key now: it is stored hashed and cannot be shown again.\n',
    );
  });
}

void main();
