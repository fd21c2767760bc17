import type { Locator, Route } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AccountSendLimitsService } from '@app/auth';
import { uniquePhone } from '../helpers/auth.factory';
import { PHONE_VIEWPORT, type AppPage } from '../helpers/browser';
import { startBrowserStack, type BrowserStack } from '../helpers/browser-stack';
import { eventually } from '../helpers/eventually';
import { signUpInBrowser } from '../helpers/web-sign-up';

const BATCH_PATH = '/api/v1/messages/batch';
// Each test signs up, then checks and photographs several pages (axe, two widths): on a busy
// machine that takes longer than the default minute.
jest.setTimeout(180_000);

describe('Messages in the browser', () => {
  let web: BrowserStack;

  beforeAll(async () => {
    web = await startBrowserStack();
  });

  afterAll(async () => {
    await web?.close();
  });

  /** Signs up a new account in the app (code from the fake Twilio); answers its id. */
  async function signUp(app: AppPage, name: string): Promise<string> {
    const phone = await signUpInBrowser(web, app, name);
    const [account] = await db().query<{ id: string }[]>(
      'SELECT id FROM accounts WHERE phone = $1',
      [phone],
    );
    return account.id;
  }

  /** The operator's path (`npm run account:limits`) for this account's send limits. */
  async function setSendLimits(accountId: string, perMinute: number | null, perDay: number | null) {
    await web.stack.app.get(AccountSendLimitsService).set(accountId, { perMinute, perDay });
  }

  const db = () => web.stack.app.get(DataSource);

  async function messagesOf(accountId: string): Promise<{ status: string; to_number: string }[]> {
    return db().query('SELECT status, to_number FROM messages WHERE account_id = $1', [accountId]);
  }

  function csvOf(rows: string[][]): Buffer {
    const quote = (field: string) =>
      /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
    // Spreadsheets save CSV with a byte-order mark and CRLF line ends.
    return Buffer.from('\uFEFF' + rows.map((row) => row.map(quote).join(',')).join('\r\n'), 'utf8');
  }

  it('sends a 500-row CSV: names the 3 bad rows first, sends the 497 others in chunks with progress', async () => {
    const app = await web.open();
    const { page } = app;
    const accountId = await signUp(app, 'Bulk Sender');
    // A signed-up account may send 100 segments a day; the operator lifts that for this one.
    await setSendLimits(accountId, null, null);

    const rows: string[][] = [['to', 'body', 'sendAt']];
    for (let i = 1; i <= 500; i++) {
      rows.push([uniquePhone(), `Hello #${i}, "friend"\nsee you soon`, '']);
    }
    // Data rows start on file line 2, and each body holds one newline: row i starts on line 2i.
    rows[42] = ['12345', 'Not a\nphone number', ''];
    rows[250] = [uniquePhone(), ' \n ', ''];
    rows[499] = [uniquePhone(), 'Too\nlate', '2020-01-01T10:00:00Z'];

    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('link', { name: 'Bulk send (CSV)' }).click();
    await page.getByRole('heading', { name: 'Bulk send from CSV' }).waitFor();
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: csvOf(rows) });

    await visible(page.getByText('customers.csv: 500 rows, 497 ready to send, 3 with errors'));
    const badRows = page.getByRole('list', { name: 'Rows with errors' }).getByRole('listitem');
    expect(await badRows.allInnerTexts()).toEqual([
      expect.stringMatching(/^Line 84: "12345" is not a phone number in international format/),
      'Line 500: The body is empty.',
      'Line 998: sendAt 2020-01-01T10:00:00Z is in the past.',
    ]);
    await app.assertAccessible();
    await app.screenshots('messages-bulk-preview');

    // The second chunk waits until the test has seen the first one counted; the third reaches
    // the API but its answer is lost, so the app sends it again under the same key.
    const keys: string[] = [];
    let firstChunkCounted!: () => void;
    const counted = new Promise<void>((resolve) => (firstChunkCounted = resolve));
    app.expectFailedRequests(BATCH_PATH);
    await page.route(`**${BATCH_PATH}`, async (route: Route) => {
      const key = (await route.request().headerValue('idempotency-key')) ?? '';
      keys.push(key);
      if (keys.length === 2) await counted;
      if (keys.length === 3) {
        const answer = await route.fetch();
        expect(answer.status()).toBe(202);
        return route.abort('connectionreset');
      }
      return route.continue();
    });

    await page.getByRole('button', { name: 'Send 497 messages (skip 3 with errors)' }).click();
    await visible(page.getByText('Sent 100 of 497'));
    expect(await page.locator('progress').getAttribute('value')).toBe('100');
    await app.screenshots('messages-bulk-sending');
    // Another page meanwhile: the run goes on, and its check and progress are there on return.
    await page.getByRole('link', { name: 'All messages' }).click();
    await page.waitForURL(/\/messages$/);
    await visible(page.getByRole('link', { name: 'Bulk send (CSV)' }));
    await page.getByRole('link', { name: 'Bulk send (CSV)' }).click();
    await visible(page.getByText('customers.csv: 500 rows, 497 ready to send, 3 with errors'));
    await visible(page.getByText('Sent 100 of 497'));
    firstChunkCounted();

    const summary = page.getByRole('status').filter({ hasText: 'accepted by the API' });
    await visible(summary);
    expect(await summary.getByRole('listitem').allInnerTexts()).toEqual([
      '497 accepted by the API (see them in Messages)',
      '0 refused by the API',
      '3 skipped (rows with errors)',
    ]);
    expect(await page.locator('progress').getAttribute('value')).toBe('497');
    // Five chunks (100 × 4 + 97), the lost one sent twice under its key: no message twice.
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(5);
    expect(keys[3]).toBe(keys[2]);
    expect(await messagesOf(accountId)).toHaveLength(497);
    const sentTo = new Set((await messagesOf(accountId)).map((message) => message.to_number));
    expect(sentTo.has(rows[42][0])).toBe(false);
    expect(sentTo.has(rows[250][0])).toBe(false);
    expect(sentTo.has(rows[499][0])).toBe(false);

    await app.assertAccessible();
    await app.screenshots('messages-bulk-summary');

    // The list pages through them, 50 at a time.
    await summary.getByRole('link', { name: 'see them in Messages' }).click();
    const listed = page.getByRole('list', { name: 'Messages', exact: true }).getByRole('listitem');
    await eventually(
      () => listed.count(),
      (count) => count === 50,
    );
    await page.getByRole('button', { name: 'Load more' }).click();
    await eventually(
      () => listed.count(),
      (count) => count === 100,
    );
    app.assertNoConsoleErrors();
  });

  it('stops a bulk send at the sending limit and says what was and was not sent', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    const accountId = await signUp(app, 'Limited Sender');
    await setSendLimits(accountId, null, 150);
    const rows = [['to', 'body'], ...Array.from({ length: 250 }, () => [uniquePhone(), 'Hi'])];

    await app.goto('/messages/bulk');
    await page.getByText('Or paste the CSV').click();
    await page.getByLabel('CSV text').fill(csvOf(rows).toString('utf8'));
    await page.getByRole('button', { name: 'Check rows' }).click();
    await visible(page.getByText('pasted text: 250 rows, 250 ready to send'));
    app.expectFailedRequests(BATCH_PATH);
    await page.getByRole('button', { name: 'Send 250 messages' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'sending limit is reached' });
    await visible(alert);
    const summary = page.getByRole('status').filter({ hasText: 'accepted by the API' });
    expect(await summary.getByRole('listitem').allInnerTexts()).toEqual([
      '100 accepted by the API (see them in Messages)',
      '0 refused by the API',
      '0 skipped (rows with errors)',
      expect.stringMatching(/^150 not sent \(lines 102, 103, .* and 120 more\)$/),
    ]);
    await visible(page.getByRole('button', { name: 'Send the 150 not sent' }));
    expect(await messagesOf(accountId)).toHaveLength(100);
    await app.assertAccessible();
    await app.screenshots('messages-bulk-quota');
    app.assertNoConsoleErrors();
  });

  it('lists the rows the API refuses, with its reasons, and sends the others', async () => {
    const app = await web.open();
    const { page } = app;
    const accountId = await signUp(app, 'Careful Sender');
    const [first, last] = [uniquePhone(), uniquePhone()];
    // Both look like numbers; only the API knows that 999 is no area code and 900 is premium-rate.
    const rows = [
      ['to', 'body'],
      [first, 'One'],
      ['+19999999999', 'Two'],
      ['+19005550123', 'Three'],
      [last, 'Four'],
    ];
    await app.goto('/messages/bulk');
    await page.getByText('Or paste the CSV').click();
    await page.getByLabel('CSV text').fill(csvOf(rows).toString('utf8'));
    await page.getByRole('button', { name: 'Check rows' }).click();
    app.expectFailedRequests(BATCH_PATH);
    await page.getByRole('button', { name: 'Send 4 messages' }).click();

    const summary = page.getByRole('status').filter({ hasText: 'accepted by the API' });
    await visible(summary);
    expect(await summary.getByRole('listitem').allInnerTexts()).toEqual([
      '2 accepted by the API (see them in Messages)',
      '2 refused by the API',
      '0 skipped (rows with errors)',
      'Line 3 (+19999999999): to: "+19999999999" is not a valid E.164 phone number',
      expect.stringMatching(
        /^Line 4 \(\+19005550123\): to: \+19005550123 is a premium-rate number$/,
      ),
    ]);
    const sentTo = (await messagesOf(accountId)).map((message) => message.to_number).sort();
    expect(sentTo).toEqual([first, last].sort());
    await app.assertAccessible();
    await app.screenshots('messages-bulk-refused');
    app.assertNoConsoleErrors();
  });

  it('sends one message, whose status changes live in the list; its detail shows every time', async () => {
    const app = await web.open();
    const { page } = app;
    await signUp(app, 'One Sender');
    const to = uniquePhone();

    await app.goto('/messages/send');
    await page.getByRole('heading', { name: 'Send a message' }).waitFor();
    // A field the API refuses is named next to the field.
    app.expectFailedRequests('/api/v1/messages');
    await page.getByLabel('To', { exact: true }).fill('12345');
    await page.getByLabel('Message', { exact: true }).fill('Hello from the browser');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await visible(
      page.locator('.field-error').filter({ hasText: 'not a valid E.164 phone number' }),
    );
    await app.assertAccessible();
    await app.screenshots('messages-send-error');

    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByLabel('Route', { exact: true }).selectOption('twilio');
    await page.getByLabel('Session', { exact: true }).fill('browser-chat-1');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('heading', { name: 'Message', exact: true }).waitFor();

    await page.getByRole('link', { name: 'All messages', exact: true }).click();
    const row = page
      .getByRole('list', { name: 'Messages', exact: true })
      .getByRole('link')
      .filter({ hasText: to });
    await visible(row.getByText('sent', { exact: true }));
    const [carried] = await eventually(
      async () => web.stack.fake.messagesTo(to),
      (messages) => messages.length === 1,
    );
    // The page stays as it is (no reload): the marker set now is still there after the change.
    await page.evaluate('window.__sameDocument = true');
    expect(await web.stack.fake.sendStatusCallback(carried.sid, 'delivered')).toBe(204);
    await visible(row.getByText('delivered', { exact: true }));
    expect(await page.evaluate('window.__sameDocument')).toBe(true);

    // The API's filters: by status, and by the other party.
    await page.getByText('Filters', { exact: true }).click();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await visible(page.getByText('No message matches these filters.'));
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
    await page.getByLabel('Status').selectOption('delivered');
    await page.getByLabel('Other party').fill(to);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await visible(row.getByText('delivered', { exact: true }));
    expect(
      await page.getByRole('list', { name: 'Messages', exact: true }).getByRole('listitem').count(),
    ).toBe(1);
    await app.assertAccessible();
    await app.screenshots('messages-list');

    await row.click();
    await page.getByRole('heading', { name: 'Message', exact: true }).waitFor();
    const times = page.getByRole('definition');
    const timeOf = (term: string) =>
      page
        .locator('.detail-row')
        .filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }) })
        .locator('dd');
    for (const term of ['Created', 'Sent', 'Delivered', 'Last change']) {
      await visible(timeOf(term).locator('time'));
    }
    expect(await timeOf('Failed').innerText()).toBe('—');
    expect(await timeOf('Provider id').innerText()).toBe(carried.sid);
    expect(await times.count()).toBeGreaterThan(20);
    expect(await page.getByRole('button', { name: 'Cancel this message' }).count()).toBe(0);
    await app.assertAccessible();
    await app.screenshots('messages-detail');

    // Its session lists it.
    await page.getByRole('link', { name: 'browser-chat-1' }).click();
    await page.getByRole('heading', { name: 'Session browser-chat-1' }).waitFor();
    await visible(page.getByRole('list', { name: 'Messages of the session' }).getByText(to));
    await app.assertAccessible();
    await app.screenshots('sessions-detail');
    await page.getByRole('link', { name: '← All sessions' }).click();
    await visible(
      page.getByRole('list', { name: 'Sessions', exact: true }).getByText('browser-chat-1'),
    );
    await app.assertAccessible();
    await app.screenshots('sessions-list');
    app.assertNoConsoleErrors();
  });

  it('schedules a message and cancels it', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    const accountId = await signUp(app, 'Scheduler');
    const to = uniquePhone();
    // An hour from now, as the browser's datetime-local input takes it (its local time).
    const inAnHour = (await page.evaluate(
      `(() => { const d = new Date(Date.now() + 3600e3); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 16); })()`,
    )) as string;

    await app.goto('/messages/send');
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByLabel('Message', { exact: true }).fill('See you tomorrow');
    await page.getByLabel('Send at').fill(inAnHour);
    await app.assertAccessible();
    await app.screenshots('messages-send');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();

    await page.getByRole('heading', { name: 'Message', exact: true }).waitFor();
    const details = page.getByRole('article', { name: 'Message details' });
    await visible(details.getByText('scheduled', { exact: true }));
    await visible(page.locator('.detail-row').filter({ hasText: 'Scheduled for' }).locator('time'));
    await page.getByRole('button', { name: 'Cancel this message' }).click();
    await visible(details.getByText('canceled', { exact: true }));
    expect(await page.getByRole('button', { name: 'Cancel this message' }).count()).toBe(0);
    expect(await messagesOf(accountId)).toEqual([{ status: 'canceled', to_number: to }]);
    expect(web.stack.fake.messagesTo(to)).toEqual([]);
    await app.assertAccessible();
    await app.screenshots('messages-canceled');
    app.assertNoConsoleErrors();
  });
});

async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}
