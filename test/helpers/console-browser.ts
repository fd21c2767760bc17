import type { Locator } from 'playwright-core';
import { uniquePhone } from './auth.factory';
import { PHONE_VIEWPORT, type AppPage } from './browser';
import type { BrowserStack } from './browser-stack';

/**
 * Signs a new account up in the browser, as a person would (the code the fake Twilio received),
 * and waits for the app to be live. Returns the account's phone number.
 */
export async function signUpInBrowser(
  web: BrowserStack,
  app: AppPage,
  name: string,
): Promise<string> {
  const { page } = app;
  const phone = uniquePhone();
  await app.goto('/sign-in');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Phone number').fill(phone);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Text me a code' }).click();
  await page.getByLabel('Code from the SMS').fill(await web.codeTextedTo(phone));
  await page.getByRole('button', { name: 'Verify code' }).click();
  await page.getByRole('heading', { name: 'Chats' }).waitFor();
  await visible(page.getByRole('status').filter({ hasText: 'Live' }));
  return phone;
}

/**
 * An access token of the same account for the test's own API calls: a second sign-in by code,
 * as another client of the account would make (the codes texted so far are `codesBefore`).
 */
export async function signInByApi(
  web: BrowserStack,
  phone: string,
  codesBefore: number,
): Promise<string> {
  const otp = await fetch(`${web.baseUrl}/api/v1/auth/otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone }),
  });
  expect(otp.status).toBe(202);
  const code = await web.codeTextedTo(phone, codesBefore);
  const verified = await fetch(`${web.baseUrl}/api/v1/auth/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, code }),
  });
  expect(verified.status).toBe(200);
  return ((await verified.json()) as { accessToken: string }).accessToken;
}

/** Waits until the locator's first match is visible (Playwright's own timeout fails the test). */
export async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}

/** At a phone's width (375 px) the page scrolls only down: nothing sticks out to the side. */
export async function expectFitsPhoneWidth(app: AppPage): Promise<void> {
  const { page } = app;
  const original = page.viewportSize();
  await page.setViewportSize(PHONE_VIEWPORT);
  const width = await page.evaluate('document.documentElement.scrollWidth');
  if (original) await page.setViewportSize(original);
  expect(width).toBe(PHONE_VIEWPORT.width);
}
