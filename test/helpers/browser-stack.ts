import type { Browser } from 'playwright-core';
import { codeOfText } from './auth.factory';
import { AppPage, DESKTOP_VIEWPORT, WEB_DIST, launchBrowser } from './browser';
import { eventually } from './eventually';
import { startStack, type TestStack } from './test-stack';
import { urlOf } from './test-app';

export interface BrowserStack {
  stack: TestStack;
  /** Where the API (and the web app) listens, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  browser: Browser;
  /** A new page with its own cookies, on the app. */
  open(viewport?: { width: number; height: number }): Promise<AppPage>;
  /** The sign-in code of the last SMS the fake Twilio received for `phone`, once it arrives. */
  codeTextedTo(phone: string, after?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real API and worker (in this process) against the fake Twilio, the test's own PostgreSQL
 * database and Redis prefix, and a headless Chromium on the web app they serve.
 */
export async function startBrowserStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  // The API serves the web app that `npm run build` made (tests otherwise see no build).
  const stack = await startStack(undefined, { WEB_DIST_DIR: WEB_DIST, ...env });
  const baseUrl = urlOf(stack.app);
  const browser = await launchBrowser();
  const pages: AppPage[] = [];
  return {
    stack,
    baseUrl,
    browser,
    async open(viewport = DESKTOP_VIEWPORT) {
      const page = await AppPage.open(browser, baseUrl, viewport);
      pages.push(page);
      return page;
    },
    async codeTextedTo(phone: string, after = 0) {
      const texts = await eventually(
        async () => stack.fake.messagesTo(phone),
        (messages) => messages.length > after && !!codeOfText(messages[messages.length - 1].body),
      );
      return codeOfText(texts[texts.length - 1].body)!;
    },
    async close() {
      for (const page of pages) await page.close().catch(() => undefined);
      await browser.close();
      await stack.close();
    },
  };
}
