import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { AccountsService, AuthModule } from '@app/auth';
import { AppConfigModule, DatabaseModule, validateEnvironmentOrExit } from '@app/core';
import { runOperatorCommand } from './operator-command';

@Module({ imports: [AppConfigModule.forRoot(), DatabaseModule, AuthModule] })
class CreateAccountModule {}

const USAGE = 'Usage: npm run account:create -- --name "Acme" [--phone +14155550123]\n';

/**
 * `npm run account:create -- --name "Acme" [--phone +E164]`: prints the new account's id and API
 * key, once. With a phone, the account can also sign in to the web app with a code texted there
 * (the console provider prints it), even with SIGNUP_ENABLED=false.
 */
async function main(): Promise<void> {
  validateEnvironmentOrExit();
  const { values } = parseArgs({
    options: { name: { type: 'string' }, phone: { type: 'string' } },
  });
  const name = values.name?.trim();
  if (!name || values.phone?.trim() === '') {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  await runOperatorCommand(CreateAccountModule, async (app) => {
    const created = await app.get(AccountsService).createWithApiKey(name, { phone: values.phone });
    const phone = created.account.phone;
    process.stdout.write(
      `Account created.\n  id:      ${created.account.id}\n  name:    ${created.account.name}\n` +
        (phone ? `  phone:   ${phone}\n` : '') +
        `  API key: ${created.key}\n` +
        'Keep the key now: it is stored hashed and cannot be shown again.\n' +
        (phone ? `Sign in to the web app with ${phone} and the code it is texted.\n` : ''),
    );
  });
}

void main();
