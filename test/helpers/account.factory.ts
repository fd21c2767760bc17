import { INestApplication } from '@nestjs/common';
import { AccountsService, CreatedAccount } from '@app/auth';

let sequence = 0;

/** A fresh server-to-server account with an API key; `headers` authenticate as it. */
export async function createAccount(
  app: INestApplication,
  name = `Test account ${++sequence}`,
): Promise<CreatedAccount & { headers: Record<string, string> }> {
  const created = await app.get(AccountsService).createWithApiKey(name);
  return { ...created, headers: { 'X-API-Key': created.key } };
}
