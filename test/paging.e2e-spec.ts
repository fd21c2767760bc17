import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { SignedInUser, signUpWithPhone, uniquePhone } from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';

// Enough numbers for the user's groups and for the conversations their messages open.
const POOL = ['+12015550140', '+12015550141', '+12015550142', '+12015550143', '+12015550144'];
const ROWS = 5;

interface Listed {
  data: Array<Record<string, unknown>>;
  nextCursor: string | null;
}

/**
 * Every list endpoint paged to its end with limit=2: each row exactly once, in the order of the
 * single page that holds them all. The rows are made to tie on their sort key (a batch shares its
 * created_at to the microsecond, contacts share a name), where a cursor that loses precision or
 * ignores the tie-breaker skips or repeats rows.
 */
describe('paging every list to its end', () => {
  let app: NestExpressApplication;
  let user: SignedInUser;
  const lists: Array<{ path: string; key: string; expected: number }> = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // Sending quotas are not what this pages through: the welcomes, posts and batch of one
    // signed-up account would pass its small per-minute default.
    app = await createTestApp({
      TWILIO_PHONE_NUMBERS: POOL.join(','),
      SIGNUP_SEND_LIMIT_PER_MINUTE: 'unlimited',
    });
    user = await signUpWithPhone(app, { name: 'Pager' });
    const as = (call: request.Test) => call.set(user.headers);

    const peers = Array.from({ length: ROWS }, () => uniquePhone());
    const batch = peers.flatMap((to, index) => [
      { to, body: `first to ${index}`, sessionId: `paging-${index}` },
      { to: peers[0], body: `more to the first ${index}`, sessionId: 'paging-0' },
    ]);
    await as(http().post('/api/v1/messages/batch')).send({ messages: batch }).expect(202);

    for (let index = 0; index < ROWS; index++) {
      await as(http().post('/api/v1/contacts'))
        .send({ phone: peers[index], name: 'Same name' })
        .expect(201);
      await as(http().post('/api/v1/devices'))
        .send({ name: `phone ${index}` })
        .expect(201);
      await as(http().post('/api/v1/api-keys'))
        .send({ name: `key ${index}` })
        .expect(201);
    }
    const stem = `paging-${Date.now().toString(36)}`;
    for (let index = 0; index < ROWS; index++) {
      await as(http().post('/api/v1/groups'))
        .send({ name: `${stem}-${index}` })
        .expect(201);
    }
    for (let index = 0; index < ROWS; index++) {
      await as(http().post(`/api/v1/groups/${stem}-0/messages`))
        .send({ body: `post ${index}` })
        .expect(201);
    }

    lists.push(
      { path: '/api/v1/messages', key: 'id', expected: 4 * ROWS /* the batch, welcomes, posts */ },
      { path: `/api/v1/conversations`, key: 'peer', expected: ROWS },
      {
        path: `/api/v1/conversations/${encodeURIComponent(peers[0])}/messages`,
        key: 'id',
        expected: ROWS + 1,
      },
      { path: '/api/v1/contacts', key: 'id', expected: ROWS },
      { path: '/api/v1/sessions', key: 'id', expected: ROWS },
      { path: '/api/v1/sessions/paging-0/messages', key: 'id', expected: ROWS + 1 },
      { path: '/api/v1/devices', key: 'id', expected: ROWS },
      { path: '/api/v1/api-keys', key: 'id', expected: ROWS },
      { path: `/api/v1/groups?search=${stem}`, key: 'name', expected: ROWS },
      { path: `/api/v1/groups/${stem}-0/messages`, key: 'id', expected: ROWS },
    );
  });
  afterAll(async () => {
    await app.close();
  });

  const get = async (path: string, query: Record<string, string | number>): Promise<Listed> => {
    const answer = await http().get(path).query(query).set(user.headers);
    expect({
      path,
      status: answer.status,
      body: answer.status === 200 ? 'ok' : answer.body,
    }).toEqual({ path, status: 200, body: 'ok' });
    return answer.body;
  };

  it('lists every row once, in order, two at a time', async () => {
    expect(lists).toHaveLength(10);
    for (const { path, key, expected } of lists) {
      const all = await get(path, { limit: 100 });
      expect({ path, count: all.data.length, nextCursor: all.nextCursor }).toEqual({
        path,
        count: expected,
        nextCursor: null,
      });
      const paged: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await get(path, cursor ? { limit: 2, cursor } : { limit: 2 });
        expect(page.data.length).toBeLessThanOrEqual(2);
        paged.push(...page.data.map((row) => row[key]));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages <= expected);
      expect({ path, paged }).toEqual({ path, paged: all.data.map((row) => row[key]) });
    }
  });
});
