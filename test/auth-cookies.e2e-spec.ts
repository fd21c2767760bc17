import { spawnSync } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { REPO_ROOT, compiledEntry } from './helpers/compiled';
import {
  lastCodeSentTo,
  requestCodeFor,
  signUpWithPhone,
  uniqueIp,
  uniquePhone,
} from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';

const WEB = { 'X-Switchboard-Client': 'web' };
const PASSWORD = 'correct horse battery staple';
const THIRTY_DAYS_IN_SECONDS = 30 * 24 * 60 * 60;

interface SetCookie {
  value: string;
  /** Attribute names and values as sent, e.g. `Path=/api/v1/auth`, `HttpOnly`. */
  attributes: string[];
}

/** The switchboard_refresh cookie an answer sets, or undefined. */
function refreshCookieSet(answer: request.Response): SetCookie | undefined {
  const header = answer.headers['set-cookie'] as unknown as string[] | undefined;
  const cookies = (header ?? []).filter((cookie) => cookie.startsWith('switchboard_refresh='));
  expect(cookies.length).toBeLessThanOrEqual(1);
  if (cookies.length === 0) return undefined;
  const [pair, ...attributes] = cookies[0].split(';').map((part) => part.trim());
  return { value: decodeURIComponent(pair.slice(pair.indexOf('=') + 1)), attributes };
}

const asCookie = (token: string) => `switchboard_refresh=${encodeURIComponent(token)}`;

function expectProblem(answer: request.Response, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
}

describe('browser sign-in with an HttpOnly refresh cookie', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const me = (accessToken: string) =>
    http().get('/api/v1/me').set('Authorization', `Bearer ${accessToken}`);
  const refresh = () => http().post('/api/v1/auth/refresh');
  const logout = () => http().post('/api/v1/auth/logout');

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  /** A phone account with a password, signed in again by the web app. */
  async function webSignIn(): Promise<{ phone: string; cookie: string; accessToken: string }> {
    const user = await signUpWithPhone(app, { password: PASSWORD });
    const answer = await http()
      .post('/api/v1/auth/login')
      .set(WEB)
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone: user.phone, password: PASSWORD });
    expect(answer.status).toBe(200);
    return {
      phone: user.phone,
      cookie: refreshCookieSet(answer)!.value,
      accessToken: answer.body.accessToken,
    };
  }

  it('login by the web app sets the refresh token in a strict cookie and leaves it out of the body', async () => {
    const user = await signUpWithPhone(app, { password: PASSWORD });
    const answer = await http()
      .post('/api/v1/auth/login')
      .set(WEB)
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone: user.phone, password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['accessToken', 'account', 'expiresIn']);
    expect(answer.body.account.id).toBe(user.accountId);

    const cookie = refreshCookieSet(answer)!;
    expect(cookie.value).toMatch(/^sbr_/);
    expect(cookie.attributes).toEqual(
      expect.arrayContaining([
        `Max-Age=${THIRTY_DAYS_IN_SECONDS}`,
        'Path=/api/v1/auth',
        'HttpOnly',
        'SameSite=Strict',
      ]),
    );
    // Over plain http (a LAN, localhost) the cookie must still work: not Secure.
    expect(cookie.attributes).not.toContain('Secure');
    expect(cookie.attributes.filter((attribute) => !attribute.startsWith('Expires='))).toHaveLength(
      4,
    );
    expect((await me(answer.body.accessToken)).status).toBe(200);
  });

  it('verify by the web app (a code sign-in) sets the cookie too', async () => {
    const phone = uniquePhone();
    const code = await requestCodeFor(app, phone);
    const answer = await http()
      .post('/api/v1/auth/verify')
      .set(WEB)
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone, code });
    expect(answer.status).toBe(200);
    expect(answer.body.refreshToken).toBeUndefined();
    expect(answer.body.account.phone).toBe(phone);
    expect(refreshCookieSet(answer)!.value).toMatch(/^sbr_/);
    // The cookie is a working refresh token.
    const refreshed = await refresh()
      .set(WEB)
      .set('Cookie', asCookie(refreshCookieSet(answer)!.value));
    expect(refreshed.status).toBe(200);
  });

  it('marks the cookie Secure when a trusted proxy says the browser came over HTTPS', async () => {
    const user = await signUpWithPhone(app, { password: PASSWORD });
    const answer = await http()
      .post('/api/v1/auth/login')
      .set(WEB)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone: user.phone, password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(refreshCookieSet(answer)!.attributes).toEqual(
      expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/api/v1/auth']),
    );
    const refreshed = await refresh()
      .set(WEB)
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', asCookie(refreshCookieSet(answer)!.value));
    expect(refreshCookieSet(refreshed)!.attributes).toContain('Secure');
  });

  it('refreshes by cookie with the header: rotates the cookie, no token in the body', async () => {
    const session = await webSignIn();
    const answer = await refresh().set(WEB).set('Cookie', asCookie(session.cookie));
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['accessToken', 'account', 'expiresIn']);
    const rotated = refreshCookieSet(answer)!;
    expect(rotated.value).toMatch(/^sbr_/);
    expect(rotated.value).not.toBe(session.cookie);
    expect(rotated.attributes).toEqual(
      expect.arrayContaining([
        `Max-Age=${THIRTY_DAYS_IN_SECONDS}`,
        'Path=/api/v1/auth',
        'HttpOnly',
      ]),
    );
    expect((await me(answer.body.accessToken)).status).toBe(200);
    // …and the rotated cookie works in turn.
    const again = await refresh().set(WEB).set('Cookie', asCookie(rotated.value));
    expect(again.status).toBe(200);
  });

  it('refuses a cookie without the header (CSRF), and uses nothing up', async () => {
    const session = await webSignIn();
    for (const header of [undefined, 'Web', 'mobile', '']) {
      let attempt = refresh().set('Cookie', asCookie(session.cookie));
      if (header !== undefined) attempt = attempt.set('X-Switchboard-Client', header);
      const answer = await attempt;
      expectProblem(answer, 403, 'CSRF_HEADER_REQUIRED');
      expect(refreshCookieSet(answer)).toBeUndefined();
    }
    // A form-encoded post, as a cross-site form would send it.
    const form = await refresh().set('Cookie', asCookie(session.cookie)).type('form').send('');
    expectProblem(form, 403, 'CSRF_HEADER_REQUIRED');
    // The refused requests did not rotate it: the cookie still refreshes.
    expect((await refresh().set(WEB).set('Cookie', asCookie(session.cookie))).status).toBe(200);
  });

  it('answers 401 INVALID_REFRESH_TOKEN when there is neither a body token nor a cookie', async () => {
    expectProblem(await refresh().set(WEB), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await refresh(), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await refresh().send({}), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(
      await refresh().set(WEB).set('Cookie', 'other=1; switchboard_refresh='),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    expectProblem(await logout().set(WEB), 401, 'INVALID_REFRESH_TOKEN');
    const unknown = await refresh().set(WEB).set('Cookie', asCookie('sbr_not-a-token'));
    expectProblem(unknown, 401, 'INVALID_REFRESH_TOKEN');
    // A refused cookie is cleared, so that the browser stops presenting it.
    expect(refreshCookieSet(unknown)!.attributes).toEqual(
      expect.arrayContaining(['Max-Age=0', 'Path=/api/v1/auth']),
    );
  });

  it('detects the reuse of a rotated cookie and ends the whole session', async () => {
    const session = await webSignIn();
    const rotated = await refresh().set(WEB).set('Cookie', asCookie(session.cookie));
    const next = refreshCookieSet(rotated)!.value;

    const reused = await refresh().set(WEB).set('Cookie', asCookie(session.cookie));
    expectProblem(reused, 401, 'REFRESH_TOKEN_REUSED');
    expect(refreshCookieSet(reused)).toMatchObject({ value: '' });
    expect(refreshCookieSet(reused)!.attributes).toContain('Max-Age=0');

    expectProblem(
      await refresh().set(WEB).set('Cookie', asCookie(next)),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    expect((await me(rotated.body.accessToken)).status).toBe(401);
  });

  it('logs out by cookie (with the header): the session ends and the cookie is cleared', async () => {
    const session = await webSignIn();
    expectProblem(
      await logout().set('Cookie', asCookie(session.cookie)),
      403,
      'CSRF_HEADER_REQUIRED',
    );
    expect((await me(session.accessToken)).status).toBe(200);

    const answer = await logout().set(WEB).set('Cookie', asCookie(session.cookie));
    expect(answer.status).toBe(204);
    const cleared = refreshCookieSet(answer)!;
    expect(cleared.value).toBe('');
    expect(cleared.attributes).toEqual(
      expect.arrayContaining(['Max-Age=0', 'Path=/api/v1/auth', 'HttpOnly', 'SameSite=Strict']),
    );
    expect((await me(session.accessToken)).status).toBe(401);
    expectProblem(
      await refresh().set(WEB).set('Cookie', asCookie(session.cookie)),
      401,
      'INVALID_REFRESH_TOKEN',
    );
  });

  it('leaves API clients that send JSON tokens exactly as they were', async () => {
    const user = await signUpWithPhone(app, { password: PASSWORD });
    const login = await http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', uniqueIp())
      .send({ phone: user.phone, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body).sort()).toEqual([
      'accessToken',
      'account',
      'expiresIn',
      'refreshToken',
    ]);
    expect(login.headers['set-cookie']).toBeUndefined();

    // A body token wins over a stray cookie, and needs no header (no browser sends it by itself).
    const stray = await webSignIn();
    const refreshed = await refresh()
      .set('Cookie', asCookie(stray.cookie))
      .send({ refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toMatch(/^sbr_/);
    expect(refreshed.headers['set-cookie']).toBeUndefined();
    expect((await refresh().set(WEB).set('Cookie', asCookie(stray.cookie))).status).toBe(200);

    const out = await logout().send({ refreshToken: refreshed.body.refreshToken });
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toBeUndefined();
  });

  it('documents the header, the cookie and CSRF_HEADER_REQUIRED in OpenAPI', async () => {
    const document = (await http().get('/docs-json')).body;
    expect(document.components.securitySchemes.switchboard_refresh).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'switchboard_refresh',
    });
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
      const operation = document.paths[path].post;
      expect(operation.security).toEqual([{}, { switchboard_refresh: [] }]);
      expect(operation.responses['403'].description).toContain('CSRF_HEADER_REQUIRED');
      expect(operation.requestBody.required).toBe(false);
    }
    for (const path of ['/verify', '/login', '/refresh', '/logout']) {
      const operation = document.paths[`/api/v1/auth${path}`].post;
      expect(operation.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            name: 'X-Switchboard-Client',
            in: 'header',
            required: false,
            schema: expect.objectContaining({ enum: ['web'] }),
          }),
        ]),
      );
      const success = operation.responses['200'] ?? operation.responses['204'];
      expect(success.headers['Set-Cookie'].description).toContain('switchboard_refresh');
    }
  });
});

describe('an operator account made with account:create --phone', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // Sign-up off: only the operator's account can sign in with this phone. No proxy trusted:
    // an X-Forwarded-Proto is anyone's to send.
    app = await createTestApp({ SIGNUP_ENABLED: 'false', TRUST_PROXY: 'false' });
  });
  afterAll(() => app.close());

  const createAccount = (args: string[]) =>
    spawnSync(process.execPath, [compiledEntry('apps/api/src/cli/create-account.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('signs in to the web app with a code texted to that phone', async () => {
    const phone = uniquePhone();
    const created = createAccount(['--name', 'Operator', '--phone', phone]);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toContain(`phone:   ${phone}`);
    const id = created.stdout.match(/id: +(\S+)/)![1];
    const key = created.stdout.match(/API key: (\S+)/)![1];

    const asked = await http().post('/api/v1/auth/otp').send({ phone });
    expect(asked.status).toBe(202);
    const code = await lastCodeSentTo(app, phone);
    const signedIn = await http()
      .post('/api/v1/auth/verify')
      .set(WEB)
      .set('X-Forwarded-Proto', 'https')
      .send({ phone, code });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.account).toMatchObject({ id, name: 'Operator', phone });
    const cookie = refreshCookieSet(signedIn)!;
    expect(cookie.value).toMatch(/^sbr_/);
    // The request came over plain http, whatever an untrusted X-Forwarded-Proto says.
    expect(cookie.attributes).not.toContain('Secure');
    expect(cookie.attributes).toContain('HttpOnly');
    // Its API key keeps working, for the same account.
    const byKey = await http().get('/api/v1/me').set('X-API-Key', key);
    expect(byKey.body).toMatchObject({ id, phone });

    // A phone that has an account, or is not a phone number, makes none.
    const again = createAccount(['--name', 'Twice', '--phone', phone]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`An account with the phone ${phone} exists already.\n`);
    const bad = createAccount(['--name', 'Bad', '--phone', '12']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not a valid phone number/);
    const empty = createAccount(['--name', 'Empty', '--phone', '']);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--phone');
  });

  it('with sign-up off, a phone the operator did not register still gets no code', async () => {
    const asked = await http().post('/api/v1/auth/otp').send({ phone: uniquePhone() });
    expectProblem(asked, 403, 'SIGNUP_DISABLED');
  });
});
