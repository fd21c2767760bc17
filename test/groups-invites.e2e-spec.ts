import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { Clock } from '@app/core';
import { SignedInUser, signUpWithPhone } from './helpers/auth.factory';
import { createTestApp } from './helpers/test-app';
import { MINUTES, TestClock } from './helpers/test-clock';

const POOL = ['+12015550160', '+12015550161'];

/** Guessing a private group's invite code, or probing names, as an attacker would. */
describe('invite codes and group names under guessing', () => {
  let app: NestExpressApplication;
  const clock = new TestClock();
  const http = () => request(app.getHttpServer());
  let counter = 0;
  const uniqueName = (stem: string) => `${stem}-${Date.now().toString(36)}-${counter++}`;

  beforeAll(async () => {
    // Eleven joins and leaves send 22 welcomes and goodbyes within a minute: more than a
    // signed-up account's default quota, which is not what this tests.
    app = await createTestApp(
      { TWILIO_PHONE_NUMBERS: POOL.join(','), SIGNUP_SEND_LIMIT_PER_MINUTE: 'unlimited' },
      [{ provide: Clock, useValue: clock }],
    );
  });
  afterAll(async () => {
    await app.close();
  });

  /** A fresh access token: the test clock moves past the old one's lifetime. */
  const refreshed = async (user: SignedInUser): Promise<SignedInUser> => {
    const answer = await http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    return {
      ...user,
      accessToken: answer.body.accessToken,
      refreshToken: answer.body.refreshToken,
      headers: { Authorization: `Bearer ${answer.body.accessToken}` },
    };
  };
  const join = (user: SignedInUser, group: string, inviteCode?: string) =>
    http()
      .post(`/api/v1/groups/${group}/members`)
      .set(user.headers)
      .send(inviteCode === undefined ? {} : { inviteCode });

  it('stops a caller after 10 wrong guesses in 15 minutes, missing groups and wrong codes alike', async () => {
    let owner = await signUpWithPhone(app, { name: 'Owner' });
    let mallory = await signUpWithPhone(app, { name: 'Mallory' });
    const friend = await signUpWithPhone(app, { name: 'Friend' });
    const name = uniqueName('vault');
    await http()
      .post('/api/v1/groups')
      .set(owner.headers)
      .send({ name, visibility: 'private' })
      .expect(201);
    const { inviteCode } = (
      await http().get(`/api/v1/groups/${name}/invite`).set(owner.headers).expect(200)
    ).body;

    // Right answers are not counted: Mallory joins and leaves a public group more than 10 times.
    const open = uniqueName('open');
    await http().post('/api/v1/groups').set(owner.headers).send({ name: open }).expect(201);
    for (let round = 0; round < 11; round++) {
      await join(mallory, open).expect(201);
      await http().delete(`/api/v1/groups/${open}/members/me`).set(mallory.headers).expect(204);
    }

    // The right code but for its last character (never the right one by chance).
    const nearMiss = `${inviteCode.slice(0, 15)}${inviteCode.endsWith('0') ? '1' : '0'}`;
    // Ten wrong guesses: codes, no code, names that do not exist, a taken name. All look alike.
    const guesses = [
      () => join(mallory, name, 'a'.repeat(16)),
      () => join(mallory, name, nearMiss),
      () => join(mallory, name),
      () => join(mallory, uniqueName('nothing'), inviteCode),
      () => join(mallory, uniqueName('nothing')),
      () => http().post('/api/v1/groups').set(mallory.headers).send({ name }),
    ];
    const answers: Array<[number, string]> = [];
    for (let guess = 0; guess < 10; guess++) {
      const answer = await guesses[guess % guesses.length]();
      answers.push([answer.status, answer.body.code]);
    }
    expect(answers).toEqual(
      answers.map((_, guess) =>
        guess % guesses.length === 5 ? [409, 'GROUP_NAME_TAKEN'] : [404, 'GROUP_NOT_FOUND'],
      ),
    );
    expect(answers).toHaveLength(10);

    // The eleventh is refused before it is checked, even with the right code; and a missing
    // group gets the same refusal, so the limit tells nothing either.
    for (const attempt of [
      () => join(mallory, name, inviteCode),
      () => join(mallory, uniqueName('nothing'), inviteCode),
      () =>
        http()
          .post('/api/v1/groups')
          .set(mallory.headers)
          .send({ name: uniqueName('new') }),
    ]) {
      const refused = await attempt();
      expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    const members = async () =>
      (await http().get(`/api/v1/groups/${name}`).set(owner.headers).expect(200)).body.memberCount;
    expect(await members()).toBe(1);

    // The limit is Mallory's own: a friend with the code joins.
    await join(friend, name, inviteCode).expect(201);

    // Fifteen minutes on, Mallory may try again.
    clock.advance(15 * MINUTES + 1000);
    mallory = await refreshed(mallory);
    owner = await refreshed(owner);
    await join(mallory, name, inviteCode).expect(201);
    expect(await members()).toBe(3);
  });

  it('documents the answers of private groups and of the guessing limit in OpenAPI', async () => {
    const document = (await http().get('/docs-json').expect(200)).body;
    const responses = (path: string, method: string) => document.paths[path][method].responses;
    for (const path of ['/api/v1/groups', '/api/v1/groups/{name}/members']) {
      expect(responses(path, 'post')['429'].description).toContain('RATE_LIMITED');
    }
    expect(responses('/api/v1/groups/{name}/members', 'post')['404'].description).toContain(
      'invite code',
    );
    for (const [path, method] of [
      ['/api/v1/groups/{name}/invite', 'get'],
      ['/api/v1/groups/{name}/invite/rotate', 'post'],
    ]) {
      expect(responses(path, method)['409'].description).toContain('GROUP_IS_PUBLIC');
      expect(responses(path, method)['404'].description).toContain('GROUP_NOT_FOUND');
    }
    const schemas = document.components.schemas;
    expect(schemas.CreateGroupDto.properties.visibility.enum).toEqual(['public', 'private']);
    expect(schemas.JoinGroupDto.properties.inviteCode).toBeDefined();
    expect(Object.keys(schemas.GroupListingView.properties)).toEqual(['name']);
  });
});
