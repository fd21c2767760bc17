import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { uniquePhone } from '../helpers/auth.factory';
import { REPO_ROOT } from '../helpers/compiled';
import { PHONE_VIEWPORT } from '../helpers/browser';
import { startBrowserStack, type BrowserStack } from '../helpers/browser-stack';

describe('Sign-up in the browser', () => {
  let web: BrowserStack;

  beforeAll(async () => {
    web = await startBrowserStack();
  });

  afterAll(async () => {
    await web?.close();
  });

  it('signs up with the code texted to the phone and lands on Chats, live', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    const phone = uniquePhone();

    await app.goto('/');
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await app.assertAccessible();
    await app.screenshots('sign-in');

    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByLabel('Phone number').fill(phone);
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Text me a code' }).click();

    const code = await web.codeTextedTo(phone);
    await page.getByLabel('Code from the SMS').fill(code);
    await app.assertAccessible();
    await page.getByRole('button', { name: 'Verify code' }).click();

    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/chats');
    await expectText(page.getByText('Ada Lovelace'));
    // The live-updates socket signed in with the in-memory access token.
    await expectText(page.getByRole('status').filter({ hasText: 'Live' }));
    // The token is in memory only: nothing a later script could read is stored.
    const stored = await page.evaluate('[localStorage.length, sessionStorage.length]');
    expect(stored).toEqual([0, 0]);

    await app.assertAccessible();
    await app.screenshots('chats-empty');
    app.assertNoConsoleErrors();
  });

  it('stays signed in across a reload by its refresh cookie, until it signs out', async () => {
    const app = await web.open();
    const { page } = app;
    const phone = uniquePhone();
    await app.goto('/sign-in');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByLabel('Phone number').fill(phone);
    await page.getByLabel('Your name').fill('Katherine Johnson');
    await page.getByRole('button', { name: 'Text me a code' }).click();
    await page.getByLabel('Code from the SMS').fill(await web.codeTextedTo(phone));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.getByRole('heading', { name: 'Chats' }).waitFor();

    // A reload forgets the access token; the refresh cookie brings the session back.
    await page.reload();
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await expectText(page.getByText('Katherine Johnson'));
    await expectText(page.getByRole('status').filter({ hasText: 'Live' }));
    const cookies = await app.context.cookies();
    expect(cookies.map(({ name, httpOnly, path }) => ({ name, httpOnly, path }))).toEqual([
      { name: 'switchboard_refresh', httpOnly: true, path: '/api/v1/auth' },
    ]);

    // Signing out ends the session: a reload lands on the sign-in page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    app.assertNoConsoleErrors();
  });

  it('names a wrong code in words next to the form', async () => {
    const app = await web.open();
    const { page } = app;
    const phone = uniquePhone();
    await app.goto('/sign-in');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByLabel('Phone number').fill(phone);
    await page.getByLabel('Your name').fill('Grace');
    await page.getByRole('button', { name: 'Text me a code' }).click();
    const code = await web.codeTextedTo(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    app.expectFailedRequests('/api/v1/auth/verify');
    await page.getByLabel('Code from the SMS').fill(wrong);
    await page.getByRole('button', { name: 'Verify code' }).click();

    await expectText(page.getByRole('alert').filter({ hasText: 'That code is wrong' }));
    await app.assertAccessible();
    await app.screenshots('sign-in-wrong-code');
    app.assertNoConsoleErrors();
  });

  it('says how long to wait when the phone asked for too many codes', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    const phone = uniquePhone();
    app.expectFailedRequests('/api/v1/auth/otp');
    await app.goto('/sign-in');
    await page.getByLabel('Phone number').fill(phone);
    // Three codes per phone per 15 minutes; the fourth is refused with Retry-After.
    for (let sent = 0; sent < 3; sent++) {
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await web.codeTextedTo(phone, sent);
      await page.getByRole('button', { name: 'Use another number or send a new code' }).click();
    }
    await page.getByRole('button', { name: 'Text me a code' }).click();

    await expectText(
      page.getByRole('alert').filter({ hasText: /Too many tries\. Try again in \d+ minutes?\./ }),
    );
    expect(web.stack.fake.messagesTo(phone)).toHaveLength(3);
    await app.assertAccessible();
    await app.screenshots('sign-in-rate-limited');
    app.assertNoConsoleErrors();
  });
});

describe('The first page', () => {
  it('loads under 200 KB of JavaScript, gzipped', () => {
    const dist = join(REPO_ROOT, 'apps', 'web', 'dist');
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    const bytes = scripts.reduce(
      (total, path) => total + gzipSync(readFileSync(join(dist, path))).length,
      0,
    );
    expect(bytes).toBeLessThan(200 * 1024);
  });
});

async function expectText(locator: import('playwright-core').Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}
