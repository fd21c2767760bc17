import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { codeOfSealedText, uniqueIp, uniquePhone } from './helpers/auth.factory';
import { eventually } from './helpers/eventually';
import { freePort } from './helpers/free-port';
import { jsonLines, runLogging, stop, untilHealthy } from './helpers/logging-process';

/**
 * The real API and worker at the most verbose log level, through a whole sign-in: neither the
 * code, nor the password, nor a token may appear in what they write.
 */
describe('secrets in logs', () => {
  let db: Client;
  const processes: ChildProcess[] = [];

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await Promise.all(processes.map(stop));
    await db.end();
  });

  it('never shows a code, a password or a token, at log level trace', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = runLogging('apps/api/src/main.js', { PORT: String(port), PUBLIC_BASE_URL: base });
    processes.push(api.child);
    await untilHealthy(base);
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/v1${path}`, {
        method: path === '/me' ? 'PATCH' : 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': uniqueIp(), ...headers },
        body: JSON.stringify(body),
      });

    const phone = uniquePhone();
    const password = 'a very secret passphrase';
    const newPassword = 'another very secret passphrase';
    expect((await post('/auth/register', { phone, name: 'Logged', password })).status).toBe(202);
    const [{ sealed_body: sealed }] = (
      await db.query(`SELECT sealed_body FROM messages WHERE to_number = $1`, [phone])
    ).rows;
    const code = codeOfSealedText(sealed, phone)!;
    const verified = await post('/auth/verify', { phone, code });
    expect(verified.status).toBe(200);
    const tokens = (await verified.json()) as { accessToken: string; refreshToken: string };
    expect((await post('/auth/verify', { phone, code })).status).toBe(401);
    expect(
      (await post('/auth/login', { phone, password: 'a wrong secret passphrase' })).status,
    ).toBe(401);
    expect((await post('/auth/login', { phone, password })).status).toBe(200);
    const changed = await post(
      '/me',
      { password: newPassword, currentPassword: password },
      { authorization: `Bearer ${tokens.accessToken}` },
    );
    expect(changed.status).toBe(200);
    expect((await post('/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(200);

    // The worker sends the code through the console provider, which logs what it "sends".
    const worker = runLogging('apps/worker/src/main.js', {});
    processes.push(worker.child);
    const sent = await eventually(
      async () =>
        (await db.query(`SELECT status FROM messages WHERE to_number = $1`, [phone])).rows,
      (rows) => rows.every((row: { status: string }) => row.status === 'sent'),
      20_000,
    );
    expect(sent.map((row: { status: string }) => row.status)).toEqual(['sent']);
    await Promise.all([stop(api.child), stop(worker.child)]);

    const logs = `${api.logs()}\n${worker.logs()}`;
    expect(logs).toContain('/api/v1/auth/verify');
    // Each finished request is one JSON line carrying the id its answer gave the caller.
    const verifyLine = jsonLines(api.logs()).find(
      (line) =>
        line.msg === 'request completed' &&
        (line.req as { url?: string } | undefined)?.url === '/api/v1/auth/verify',
    );
    expect(verifyLine).toMatchObject({
      requestId: verified.headers.get('x-request-id'),
      res: { statusCode: 200 },
    });
    for (const secret of [code, password, newPassword, tokens.accessToken, tokens.refreshToken]) {
      expect(logs).not.toContain(secret);
    }
  });
});
