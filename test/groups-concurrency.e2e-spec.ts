import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { signUpThroughSms } from './helpers/auth.factory';
import { TestStack, startStack } from './helpers/test-stack';

const POOL = ['+12015550100', '+12015550101', '+12015550102', '+12015550103', '+12015550104'];

/** Seed 000 lost members under concurrent joins; here the database decides every race. */
describe('groups under concurrent requests', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    stack = await startStack(POOL);
    ({ fake, app } = stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('20 concurrent joins make 20 members', async () => {
    const owner = await signUpThroughSms(app, fake, { name: 'Owner' });
    await http().post('/api/v1/groups').set(owner.headers).send({ name: 'crowd' }).expect(201);
    const joiners = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signUpThroughSms(app, fake, { name: `Joiner ${i}` })),
    );
    const answers = await Promise.all(
      joiners.map((joiner) => http().post('/api/v1/groups/crowd/members').set(joiner.headers)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    const detail = await http().get('/api/v1/groups/crowd').set(owner.headers);
    expect(detail.body.memberCount).toBe(21);
  });

  it('one person joining five groups at once gets five distinct numbers, and no sixth', async () => {
    const hosts = await Promise.all([
      signUpThroughSms(app, fake, { name: 'Host 1' }),
      signUpThroughSms(app, fake, { name: 'Host 2' }),
    ]);
    const names = ['g-one', 'g-two', 'g-three', 'g-four', 'g-five', 'g-six'];
    // A host may hold at most five groups (the pool): split the six between two hosts.
    for (const [index, name] of names.entries()) {
      await http()
        .post('/api/v1/groups')
        .set(hosts[index % 2].headers)
        .send({ name })
        .expect(201);
    }
    const busy = await signUpThroughSms(app, fake, { name: 'Busy' });
    const answers = await Promise.all(
      names.map((name) => http().post(`/api/v1/groups/${name}/members`).set(busy.headers)),
    );
    const joined = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(joined).toHaveLength(5);
    expect(refused.map((answer) => answer.body.code)).toEqual(['NUMBER_POOL_EXHAUSTED']);
    expect(new Set(joined.map((answer) => answer.body.number)).size).toBe(5);
  });

  it('the last two leaving at once delete the group exactly once', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        signUpThroughSms(app, fake, { name: `A${round}` }),
        signUpThroughSms(app, fake, { name: `B${round}` }),
      ]);
      const name = `pair-${round}`;
      await http().post('/api/v1/groups').set(a.headers).send({ name }).expect(201);
      await http().post(`/api/v1/groups/${name}/members`).set(b.headers).expect(201);
      const answers = await Promise.all(
        [a, b].map((member) =>
          http().delete(`/api/v1/groups/${name}/members/me`).set(member.headers),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual([204, 204]);
      expect((await http().get(`/api/v1/groups/${name}`).set(a.headers)).status).toBe(404);
      const leftovers = await app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS n FROM number_bindings WHERE target_type = 'group_member' AND account_id = ANY($1)`,
          [[a.accountId, b.accountId]],
        );
      expect(leftovers[0].n).toBe(0);
    }
  });

  it('a join racing the last leave either joins a live group or finds none', async () => {
    const [a, b] = await Promise.all([
      signUpThroughSms(app, fake, { name: 'Leaver' }),
      signUpThroughSms(app, fake, { name: 'Joiner' }),
    ]);
    await http().post('/api/v1/groups').set(a.headers).send({ name: 'race' }).expect(201);
    const [left, joined] = await Promise.all([
      http().delete('/api/v1/groups/race/members/me').set(a.headers),
      http().post('/api/v1/groups/race/members').set(b.headers),
    ]);
    expect(left.status).toBe(204);
    expect([201, 404]).toContain(joined.status);
    const detail = await http().get('/api/v1/groups/race').set(b.headers);
    if (joined.status === 201)
      expect(detail.body.members.map((m: { name: string }) => m.name)).toEqual(['Joiner']);
    else expect(detail.status).toBe(404);
  });
});
