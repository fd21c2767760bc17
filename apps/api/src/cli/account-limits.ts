import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { runOperatorCommand } from './operator-command';
import { AccountSendLimitsService, AuthModule, SendLimitsChange } from '@app/auth';
import { AppConfigModule, DatabaseModule, isUuid, validateEnvironmentOrExit } from '@app/core';

@Module({ imports: [AppConfigModule.forRoot(), DatabaseModule, AuthModule] })
class AccountLimitsModule {}

const USAGE =
  'Usage: npm run account:limits -- --account ID [--per-minute N|unlimited] [--per-day N|unlimited]\n' +
  '       npm run account:limits -- --account ID --reset   (back to the defaults of its kind)\n';

/** "unlimited" is null; a whole number is itself; anything else is a mistake (undefined). */
function limitOf(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text.trim().toLowerCase() === 'unlimited') return null;
  return /^\d{1,10}$/.test(text.trim()) ? Number(text) : undefined;
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

/**
 * `npm run account:limits -- --account ID --per-minute N --per-day N`: sets the segments one
 * account may send per UTC minute and per UTC day (0 stops it sending). Running API instances
 * apply it within 10 seconds.
 */
async function main(): Promise<void> {
  validateEnvironmentOrExit();
  const { values } = parseArgs({
    options: {
      account: { type: 'string' },
      'per-minute': { type: 'string' },
      'per-day': { type: 'string' },
      reset: { type: 'boolean' },
    },
  });
  const accountId = values.account?.trim();
  if (!accountId || !isUuid(accountId)) usageError('--account must be an account id (a uuid).');
  const change: SendLimitsChange = {
    perMinute: limitOf(values['per-minute']),
    perDay: limitOf(values['per-day']),
  };
  for (const option of ['per-minute', 'per-day'] as const) {
    if (values[option] !== undefined && limitOf(values[option]) === undefined) {
      usageError(`--${option} must be a whole number or "unlimited".`);
    }
  }
  const given = values['per-minute'] !== undefined || values['per-day'] !== undefined;
  if (Boolean(values.reset) === given)
    usageError('Give --per-minute and/or --per-day, or --reset.');

  await runOperatorCommand(AccountLimitsModule, async (app) => {
    const limits = await app
      .get(AccountSendLimitsService)
      .set(accountId, values.reset ? 'reset' : change);
    const shown = (limit: number | null) => (limit === null ? 'unlimited' : String(limit));
    process.stdout.write(
      `Send limits of ${accountId}${values.reset ? ' (defaults)' : ''}:\n` +
        `  per minute: ${shown(limits.perMinute)} segments\n  per day:    ${shown(limits.perDay)} segments (UTC day)\n`,
    );
  });
}

void main();
