import type { Locator } from 'playwright-core';
import { uniquePhone } from './auth.factory';
import type { AppPage } from './browser';
import type { BrowserStack } from './browser-stack';

/**
 * Signs a new account up in the browser as a person would: phone, name, the code the fake
 * Twilio received. Resolves on the Chats page with live updates connected; returns the phone.
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
  await page.getByRole('heading', { name: 'Chats', level: 1 }).waitFor();
  await visible(page.getByRole('status').filter({ hasText: 'Live' }));
  return phone;
}

/** Waits (Playwright's own bounded wait, failing on timeout) until the locator shows. */
export async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}
