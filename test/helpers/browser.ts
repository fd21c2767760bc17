import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
} from 'playwright-core';
import { REPO_ROOT } from './compiled';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Kept as CI output: a screenshot of each checked page at phone and desktop width. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');
export const WEB_DIST = join(REPO_ROOT, 'apps', 'web', 'dist');

export const PHONE_VIEWPORT = { width: 375, height: 812 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      // A page whose document came from a route handler (serveWebAppFromDist) has no address,
      // so Chromium counts it as public and blocks its WebSocket to 127.0.0.1.
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
}

/** Paths the API answers itself; everything else on its origin is the web app. */
const SERVER_PATHS = /^\/(api|docs|ws|webhooks|health|metrics|mobile|3rdparty)(\/|-|$)/;

/**
 * A browser page (its own context: own cookies) on the app at `baseUrl`, which records console
 * errors and uncaught exceptions: `assertNoConsoleErrors()` fails the test on any.
 */
export class AppPage {
  readonly errors: string[] = [];
  /** Paths whose failed requests the test provokes on purpose (the app shows them). */
  private readonly expectedFailures = new Set(['/api/v1/auth/refresh']);

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('pageerror', (error) => this.errors.push(`uncaught: ${error.stack ?? error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !this.expected(message)) {
        this.errors.push(`console.error: ${message.text()} (${message.location().url})`);
      }
    });
  }

  static async open(
    browser: Browser,
    baseUrl: string,
    viewport = DESKTOP_VIEWPORT,
  ): Promise<AppPage> {
    const context = await browser.newContext({ viewport, baseURL: baseUrl });
    const appPage = new AppPage(context, await context.newPage(), baseUrl);
    // Self-hosters run offline: a request to any other host (a font, a CDN) fails the test.
    await context.route(
      (url) => url.origin !== new URL(baseUrl).origin,
      async (route) => {
        appPage.errors.push(`request outside the app's origin: ${route.request().url()}`);
        await route.abort('blockedbyclient');
      },
    );
    if (!(await apiServesWebApp(baseUrl))) await serveWebAppFromDist(context, baseUrl);
    return appPage;
  }

  /**
   * The browser logs every failed request as a console error. A test that provokes one (a wrong
   * code) names its path here; restoring a session on load when nobody is signed in fails its
   * refresh, which is always expected.
   */
  expectFailedRequests(pathname: string): void {
    this.expectedFailures.add(pathname);
  }

  private expected(message: ConsoleMessage): boolean {
    if (!message.text().startsWith('Failed to load resource')) return false;
    const url = message.location().url;
    return !!url && this.expectedFailures.has(new URL(url).pathname);
  }

  async goto(path: string): Promise<void> {
    await this.page.goto(path);
  }

  assertNoConsoleErrors(): void {
    expect(this.errors).toEqual([]);
  }

  /** Runs axe-core on the page as it is; fails on any violation of impact serious or critical. */
  async assertAccessible(): Promise<void> {
    const violations = await axeViolations(this.page);
    expect(violations).toEqual([]);
  }

  /** Saves the page at phone and desktop width as `<name>-375.png` and `<name>-1280.png`. */
  async screenshots(name: string): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const original = this.page.viewportSize() ?? DESKTOP_VIEWPORT;
    for (const viewport of [PHONE_VIEWPORT, DESKTOP_VIEWPORT]) {
      await this.page.setViewportSize(viewport);
      await this.page.screenshot({
        path: join(SCREENSHOT_DIR, `${name}-${viewport.width}.png`),
        fullPage: true,
      });
    }
    await this.page.setViewportSize(original);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: the app's CSP (no inline script) stays in force.
  await page.evaluate(axeSource);
  // Runs in the page (the test's own TypeScript has no DOM types, hence the casts).
  const violations = await page.evaluate(async () => {
    const inPage = globalThis as unknown as {
      axe: { run(context: unknown): Promise<unknown> };
      document: unknown;
    };
    const result = (await inPage.axe.run(inPage.document)) as {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    };
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => JSON.stringify(node.target)),
    }));
  });
  return violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
}

/** True once the API serves apps/web/dist at `/` itself. */
async function apiServesWebApp(baseUrl: string): Promise<boolean> {
  const response = await fetch(new URL('/sign-in', baseUrl), { headers: { Accept: 'text/html' } });
  const body = await response.text();
  return response.ok && body.includes('<div id="root">');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * Until the API serves the web app, the browser gets apps/web/dist from here for every path of
 * the API's origin that is not the API's own (same origin: cookies and /ws/events work as they
 * will). Client routes get index.html.
 */
async function serveWebAppFromDist(context: BrowserContext, baseUrl: string): Promise<void> {
  const origin = new URL(baseUrl).origin;
  await context.route(
    (url) => url.origin === origin && !SERVER_PATHS.test(url.pathname),
    async (route) => {
      const { pathname } = new URL(route.request().url());
      const file = normalize(join(WEB_DIST, decodeURIComponent(pathname)));
      const inside = file.startsWith(WEB_DIST) && extname(file) !== '';
      const path = inside && existsSync(file) ? file : join(WEB_DIST, 'index.html');
      await route.fulfill({
        status: 200,
        body: await readFile(path),
        headers: { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' },
      });
    },
  );
}
