import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsService, AuthModule } from '@app/auth';
import { AppConfigModule, DatabaseModule, validateEnvironmentOrExit } from '@app/core';

@Module({ imports: [AppConfigModule.forRoot(), DatabaseModule, AuthModule] })
class CreateAccountModule {}

/** `npm run account:create -- --name "Acme"`: prints the new account's id and API key, once. */
async function main(): Promise<void> {
  validateEnvironmentOrExit();
  const { values } = parseArgs({ options: { name: { type: 'string' } } });
  const name = values.name?.trim();
  if (!name) {
    process.stderr.write('Usage: npm run account:create -- --name "Acme"\n');
    process.exit(2);
  }
  const app = await NestFactory.createApplicationContext(CreateAccountModule, {
    logger: ['error'],
  });
  try {
    const created = await app.get(AccountsService).createWithApiKey(name);
    process.stdout.write(
      `Account created.\n  id:      ${created.account.id}\n  name:    ${created.account.name}\n  API key: ${created.key}\n` +
        'Keep the key now: it is stored hashed and cannot be shown again.\n',
    );
  } finally {
    await app.close();
  }
}

void main();
