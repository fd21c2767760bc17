import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createAccount } from './helpers/account.factory';
import { PrivateRedis } from './helpers/private-redis';
import { createTestApp } from './helpers/test-app';

async function readinessUntil(app: NestExpressApplication, status: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await request(app.getHttpServer()).get('/health/ready');
    if (response.status === status || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('health', () => {
  let redis: PrivateRedis;
  let app: NestExpressApplication;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    app = await createTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await app.close();
    await redis.stop();
  });

  it('is alive without checking dependencies, and needs no credential', async () => {
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL and Redis answer', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body.details).toEqual({
      postgres: { status: 'up' },
      redis: { status: 'up' },
    });
  });

  it('exposes Prometheus metrics without a credential', async () => {
    const response = await request(app.getHttpServer()).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toContain('switchboard_process_cpu_seconds_total');
    expect(response.text).toMatch(/switchboard_dispatch_jobs\{state="waiting"\} \d+/);
  });

  it('answers 503 naming Redis while it is down, and recovers without a restart', async () => {
    await redis.stop();
    const down = await readinessUntil(app, 503);
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.body).toMatchObject({
      code: 'NOT_READY',
      detail: 'Not ready: redis is down.',
      checks: { postgres: { status: 'up' }, redis: { status: 'down' } },
    });

    await redis.start();
    const up = await readinessUntil(app, 200);
    expect(up.status).toBe(200);
  });
});

describe('/metrics with METRICS_TOKEN set', () => {
  const token = 'metrics-token-0123456789abcdef';
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 401 without the token, with a wrong one, or with an account credential', async () => {
    const { headers } = await createAccount(app);
    const attempts = [
      {},
      { Authorization: `Bearer ${token.slice(0, -1)}` },
      { Authorization: `Bearer ${token}x` },
      { Authorization: `Basic ${token}` },
      { Authorization: token },
      headers,
    ];
    for (const attempt of attempts) {
      const response = await request(app.getHttpServer()).get('/metrics').set(attempt);
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.body.code).toBe('UNAUTHENTICATED');
      expect(response.text).not.toContain('switchboard_');
    }
  });

  it('answers the metrics to the bearer of the token', async () => {
    const response = await request(app.getHttpServer())
      .get('/metrics')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('switchboard_process_cpu_seconds_total');
  });
});
