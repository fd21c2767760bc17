import { DataSource } from 'typeorm';
import { PHONE_VIEWPORT } from '../helpers/browser';
import { startBrowserStack, type BrowserStack } from '../helpers/browser-stack';
import { expectFitsPhoneWidth, signUpInBrowser, visible } from '../helpers/console-browser';
import { eventually } from '../helpers/eventually';
import { WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * The Webhooks and Account pages as an operator uses them, against the real API and worker:
 * an endpoint on a local receiver (its secret shown once verifies what it receives), the test
 * button and the delivery log, retry and replay; an API key made on the page that works and,
 * once revoked, does not; the name, a password set with a texted code, the sending limits.
 */
describe('Webhooks and Account in the browser', () => {
  let web: BrowserStack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    web = await startBrowserStack({
      // The receiver is a plain-HTTP loopback address, which production refuses.
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_SCHEDULE_MS: '200,400',
    });
  });

  afterAll(async () => {
    await web?.close();
    await receiver?.stop();
  });

  it('creates an endpoint (secret once), tests it, and shows, retries and replays deliveries', async () => {
    const app = await web.open();
    const { page } = app;
    await signUpInBrowser(web, app, 'Annie Easley');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await visible(page.getByText('No endpoints yet.'));
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('webhooks-empty');

    // A URL the API refuses is named next to the field.
    app.expectFailedRequests('/api/v1/webhooks');
    await page.getByLabel('Endpoint URL').fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await visible(page.getByRole('alert'));

    await page.getByLabel('Endpoint URL').fill(receiver.url('/switchboard'));
    await page.getByLabel('Description (optional)').fill('CRM sync');
    await page.getByLabel('message.delivered').check();
    await page.getByLabel('webhook.test').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();

    const created = page.getByRole('region', { name: 'Signing secret' });
    await visible(created.getByText('this is the only time it is shown'));
    const secret = (await created.locator('.copy-value').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('webhooks-secret');
    await created.getByRole('button', { name: 'Done, I have saved it' }).click();
    expect(await page.getByText(secret).count()).toBe(0);

    const card = page.getByRole('listitem', { name: receiver.url('/switchboard') });
    await visible(card.getByText('CRM sync'));
    await visible(card.getByText('message.delivered'));

    // The test button: the receiver gets a webhook.test signed with the secret shown.
    await card.getByRole('button', { name: 'Send test' }).click();
    await visible(card.getByText(/Test delivered: HTTP 204 in \d+ ms/));
    const received = receiver.verified(secret);
    expect(received.map(({ payload }) => payload.type)).toEqual(['webhook.test']);
    const log = card.getByRole('region', { name: /Delivery log/ });
    await visible(log.getByRole('cell', { name: '204', exact: true }));

    // A failing receiver: the attempts show its status code; retry once it is back.
    receiver.answer = () => ({ status: 503, body: 'down for maintenance' });
    await card.getByRole('button', { name: 'Send test' }).click();
    await visible(log.getByText('failed', { exact: true }));
    await visible(log.getByRole('cell', { name: 'down for maintenance' }));
    expect(await log.getByRole('cell', { name: '503', exact: true }).count()).toBe(3);
    receiver.answer = () => ({ status: 204 });
    const before = receiver.requests.length;
    await log
      .locator('.delivery')
      .filter({ hasText: 'failed' })
      .getByRole('button', { name: 'Retry' })
      .click();
    await eventually(
      async () => receiver.requests.length,
      (count) => count === before + 1,
    );
    await eventually(
      async () => log.locator('.delivery').filter({ hasText: 'failed' }).count(),
      (count) => count === 0,
    );

    // Replay the last hour: both test events are sent again, with their event ids.
    await log.getByRole('button', { name: 'Replay' }).click();
    await visible(log.getByText('2 deliveries queued.'));
    await eventually(
      async () => receiver.requests.length,
      (count) => count === before + 3,
    );
    const ids = receiver.verified(secret).map(({ headers }) => headers['webhook-id']);
    expect(new Set(ids).size).toBe(2);
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('webhooks-log');

    // Rotate: a new secret, shown once; what arrives next verifies with it.
    await card.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = card.getByRole('region', { name: 'New signing secret' });
    const newSecret = (await rotated.locator('.copy-value').textContent())!.trim();
    expect(newSecret).not.toBe(secret);
    await rotated.getByRole('button', { name: 'Done, I have saved it' }).click();

    // Edit, disable (the test button then waits), delete.
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('Description').fill('CRM sync (new)');
    await card.getByRole('button', { name: 'Save changes' }).click();
    await visible(card.getByText('CRM sync (new)'));
    await card.getByRole('button', { name: 'Disable' }).click();
    await visible(card.getByText('disabled by you'));
    expect(await card.getByRole('button', { name: 'Send test' }).isDisabled()).toBe(true);
    await card.getByRole('button', { name: 'Delete…' }).click();
    await card.getByRole('button', { name: 'Delete endpoint' }).click();
    await visible(page.getByText('No endpoints yet.'));
    app.assertNoConsoleErrors();
  });

  it('makes an API key (shown once) that works until revoked; names, password, limits', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    const phone = await signUpInBrowser(web, app, 'Evelyn Boyd');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();

    // Limits of an account made by sign-up (10 segments a minute, 100 a day), none used yet.
    const limits = page.getByRole('region', { name: 'Sending limits' });
    await visible(limits.getByText('10 segments', { exact: true }));
    await visible(limits.getByText('100 segments', { exact: true }));
    await visible(limits.getByText('0 segments', { exact: true }));
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('account');

    // An API key needs a sign-in from the last 5 minutes: this one is made older, so the page
    // asks to confirm with a texted code first, then makes the key.
    await web.stack.app.get(DataSource).query(
      `UPDATE auth_sessions SET last_verified_at = now() - interval '10 minutes'
         WHERE account_id = (SELECT id FROM accounts WHERE phone = $1)`,
      [phone],
    );
    app.expectFailedRequests('/api/v1/api-keys');
    const keys = page.getByRole('region', { name: 'API keys' });
    await keys.getByLabel('Key name').fill('billing service');
    await keys.getByRole('button', { name: 'Create key' }).click();
    await visible(keys.getByText('Creating a key needs a sign-in from the last 5 minutes.'));
    await keys.getByRole('button', { name: `Text a code to ${phone}` }).click();
    await keys.getByLabel('Code from the SMS').fill(await web.codeTextedTo(phone, 1));
    await app.assertAccessible();
    await keys.getByRole('button', { name: 'Confirm and create key' }).click();

    // The key: shown once; it works as the account's credential.
    const shown = keys.getByRole('region', { name: 'API key' });
    const key = (await shown.locator('.copy-value').textContent())!.trim();
    expect(key).toMatch(/^sb_/);
    const asKey = () => fetch(`${web.baseUrl}/api/v1/me`, { headers: { 'X-API-Key': key } });
    const me = await asKey();
    expect(me.status).toBe(200);
    expect(((await me.json()) as { phone: string }).phone).toBe(phone);
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('account-api-key');
    await shown.getByRole('button', { name: 'Done, I have saved it' }).click();
    expect(await page.getByText(key).count()).toBe(0);

    const listed = keys.getByRole('listitem').filter({ hasText: 'billing service' });
    await visible(listed.getByText(key.slice(0, 8)));
    await listed.getByRole('button', { name: 'Revoke billing service…' }).click();
    await listed.getByRole('button', { name: 'Revoke key' }).click();
    await visible(keys.getByText('No API keys.'));
    await eventually(
      async () => (await asKey()).status,
      (status) => status === 401,
    );

    // The name, in the header too.
    await page.getByLabel('Name', { exact: true }).fill('Evelyn Boyd Granville');
    await page.getByRole('button', { name: 'Save name' }).click();
    await visible(page.getByText('Name saved.'));
    await visible(page.locator('.who').getByText('Evelyn Boyd Granville'));

    // A first password needs a code texted to the phone; then it signs in.
    const password = page.getByRole('form', { name: 'Set a password' });
    await password.getByRole('button', { name: 'Text me a code' }).click();
    await password.getByLabel('Code from the SMS').fill(await web.codeTextedTo(phone, 2));
    await password.getByLabel('New password').fill('a long phrase nobody guesses 42');
    await password.getByRole('button', { name: 'Set password' }).click();
    await visible(page.getByText('Password saved.'));
    const login = await fetch(`${web.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone, password: 'a long phrase nobody guesses 42' }),
    });
    expect(login.status).toBe(200);
    await app.assertAccessible();
    app.assertNoConsoleErrors();

    // Signing out here ends the session.
    await page.getByRole('button', { name: 'Sign out of this browser' }).click();
    await page.waitForURL('**/sign-in');
  });

  it('signs out every other browser of the account, which lands on sign-in by itself', async () => {
    const laptop = await web.open();
    const phone = await signUpInBrowser(web, laptop, 'Christine Darden');
    const other = await web.open(PHONE_VIEWPORT);
    await other.goto('/sign-in');
    await other.page.getByLabel('Phone number').fill(phone);
    await other.page.getByRole('button', { name: 'Text me a code' }).click();
    await other.page.getByLabel('Code from the SMS').fill(await web.codeTextedTo(phone, 1));
    await other.page.getByRole('button', { name: 'Verify code' }).click();
    await visible(other.page.getByRole('status').filter({ hasText: 'Live' }));

    await laptop.page.getByRole('link', { name: 'Account' }).click();
    await laptop.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await visible(laptop.page.getByText('Signed out 1 other session.'));
    // Its live socket is closed (4003) and its refresh cookie refused: the app signs it out.
    other.expectFailedRequests('/api/v1/auth/refresh');
    await other.page.waitForURL('**/sign-in');
    await laptop.page.reload();
    await laptop.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await laptop.assertAccessible();
    laptop.assertNoConsoleErrors();
    other.assertNoConsoleErrors();
  });
});
