import { PHONE_VIEWPORT, type AppPage } from './browser';
import type { BrowserStack } from './browser-stack';

// The sign-up every browser test shares.
export { signUpInBrowser, visible } from './web-sign-up';

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

/** At a phone's width (375 px) the page scrolls only down: nothing sticks out to the side. */
export async function expectFitsPhoneWidth(app: AppPage): Promise<void> {
  const { page } = app;
  const original = page.viewportSize();
  await page.setViewportSize(PHONE_VIEWPORT);
  const width = await page.evaluate('document.documentElement.scrollWidth');
  if (original) await page.setViewportSize(original);
  expect(width).toBe(PHONE_VIEWPORT.width);
}
