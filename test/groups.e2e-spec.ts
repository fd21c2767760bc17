import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeTwilio } from './fakes/fake-twilio';
import { createAccount } from './helpers/account.factory';
import { SignedInUser, signUpThroughSms } from './helpers/auth.factory';
import { eventually } from './helpers/eventually';
import { postInboundSms } from './helpers/twilio-webhook';
import { TestStack, startStack } from './helpers/test-stack';

// The rule: groups per user ≤ numbers in the pool. Two numbers make it easy to reach.
const POOL = ['+12015550100', '+12015550101'];

describe('group SMS chat over a 2-number pool', () => {
  let fake: FakeTwilio;
  let app: NestExpressApplication;
  let stack: TestStack;
  let groupCounter = 0;

  const http = () => request(app.getHttpServer());
  const uniqueName = (stem = 'grp') => `${stem}-${Date.now().toString(36)}-${groupCounter++}`;
  const user = (name: string) => signUpThroughSms(app, fake, { name });
  const textsTo = (phone: string, match: (body: string) => boolean) =>
    eventually(
      async () => fake.messagesTo(phone).filter((text) => match(text.body)),
      (texts) => texts.length > 0,
    );

  beforeAll(async () => {
    stack = await startStack(POOL);
    ({ fake, app } = stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  it("lists only the caller's own groups, each with their number for it, and drops one they left", async () => {
    const [dana, eve] = [await user('Dana'), await user('Eve')];
    const [open, hidden] = [uniqueName('open'), uniqueName('hush')];
    const created = await http().post('/api/v1/groups').set(dana.headers).send({ name: open });
    const secret = await http()
      .post('/api/v1/groups')
      .set(dana.headers)
      .send({ name: hidden, visibility: 'private' });
    const joined = await http().post(`/api/v1/groups/${open}/members`).set(eve.headers);

    const mine = await http().get('/api/v1/me/groups').set(dana.headers).expect(200);
    expect(mine.body).toEqual(
      [
        { name: open, visibility: 'public', number: created.body.number },
        { name: hidden, visibility: 'private', number: secret.body.number },
      ]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((group) => ({ ...group, joinedAt: expect.any(String) })),
    );
    const theirs = await http().get('/api/v1/me/groups').set(eve.headers).expect(200);
    expect(theirs.body).toEqual([
      {
        name: open,
        visibility: 'public',
        number: joined.body.number,
        joinedAt: expect.any(String),
      },
    ]);

    await http().delete(`/api/v1/groups/${open}/members/me`).set(eve.headers).expect(204);
    expect((await http().get('/api/v1/me/groups').set(eve.headers)).body).toEqual([]);
    await http().get('/api/v1/me/groups').expect(401);
  });

  it('create, two join, a text is relayed to the others from their own numbers, all leave, the group is gone', async () => {
    const [alice, bob, carol] = [await user('Alice'), await user('Bob'), await user('Carol')];
    const name = uniqueName('club');

    const created = await http().post('/api/v1/groups').set(alice.headers).send({ name });
    expect(created.status).toBe(201);
    expect(POOL).toContain(created.body.number);
    const bobJoined = await http().post(`/api/v1/groups/${name}/members`).set(bob.headers);
    const carolJoined = await http().post(`/api/v1/groups/${name}/members`).set(carol.headers);
    expect(bobJoined.status).toBe(201);
    expect(carolJoined.status).toBe(201);

    const [welcome] = await textsTo(bob.phone, (body) => body.startsWith('You joined'));
    expect(welcome).toMatchObject({
      from: bobJoined.body.number,
      body: `You joined '${name}'. Reply to this number to message the group. Text LEAVE to leave.`,
    });

    const detail = await http().get(`/api/v1/groups/${name}`).set(carol.headers);
    expect(detail.body.members.map((member: { name: string }) => member.name)).toEqual([
      'Alice',
      'Bob',
      'Carol',
    ]);
    expect(JSON.stringify(detail.body)).not.toContain(alice.phone);

    await postInboundSms(app, fake, {
      from: alice.phone,
      to: created.body.number,
      body: 'hi',
    }).expect(200);
    const [toBob] = await textsTo(bob.phone, (body) => body === 'Alice: hi');
    const [toCarol] = await textsTo(carol.phone, (body) => body === 'Alice: hi');
    expect(toBob.from).toBe(bobJoined.body.number);
    expect(toCarol.from).toBe(carolJoined.body.number);
    // A later text to the group: by the time it reaches Alice and Bob, an echo of "hi" to Alice
    // or a second copy to Bob (relayed before it) would have reached them too.
    await postInboundSms(app, fake, {
      from: carol.phone,
      to: carolJoined.body.number,
      body: 'after hi',
    }).expect(200);
    await textsTo(alice.phone, (body) => body === 'Carol: after hi');
    await textsTo(bob.phone, (body) => body === 'Carol: after hi');
    const relayed = (phone: string) =>
      fake
        .messagesTo(phone)
        .map((text) => text.body)
        .filter((body) => body.endsWith(': hi') || body.endsWith(': after hi'));
    expect(relayed(alice.phone)).toEqual(['Carol: after hi']);
    expect(relayed(bob.phone)).toEqual(['Alice: hi', 'Carol: after hi']);

    const history = await http().get(`/api/v1/groups/${name}/messages`).set(bob.headers);
    expect(history.body.data).toEqual([
      expect.objectContaining({ sender: 'Carol', body: 'after hi', via: 'sms', mine: false }),
      expect.objectContaining({ sender: 'Alice', body: 'hi', via: 'sms', mine: false }),
    ]);
    const asAlice = await http().get(`/api/v1/groups/${name}/messages`).set(alice.headers);
    expect(asAlice.body.data.map((post: { mine: boolean }) => post.mine)).toEqual([false, true]);

    for (const member of [alice, bob, carol]) {
      await http().delete(`/api/v1/groups/${name}/members/me`).set(member.headers).expect(204);
    }
    expect((await http().get(`/api/v1/groups/${name}`).set(alice.headers)).status).toBe(404);
    await textsTo(carol.phone, (body) => body === `You left '${name}'.`);
    // The name is free again.
    expect((await http().post('/api/v1/groups').set(bob.headers).send({ name })).status).toBe(201);
  });

  it('a late joiner reads only what was said after joining; leaving and re-joining starts again', async () => {
    const [alice, bob, carol] = [await user('Alice'), await user('Bob'), await user('Carol')];
    const name = uniqueName('late');
    const aliceJoined = await http().post('/api/v1/groups').set(alice.headers).send({ name });
    await http().post(`/api/v1/groups/${name}/members`).set(bob.headers).expect(201);
    const say = (from: SignedInUser, number: string, body: string) =>
      postInboundSms(app, fake, { from: from.phone, to: number, body }).expect(200);
    const post = (from: SignedInUser, body: string) =>
      http().post(`/api/v1/groups/${name}/messages`).set(from.headers).send({ body }).expect(201);
    const bodiesFor = async (reader: SignedInUser, limit = 100) => {
      const bodies: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await http()
          .get(`/api/v1/groups/${name}/messages`)
          .query(cursor ? { limit, cursor } : { limit })
          .set(reader.headers)
          .expect(200);
        bodies.push(...page.body.data.map((message: { body: string }) => message.body));
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      return bodies;
    };

    await say(alice, aliceJoined.body.number, 'secret by sms');
    await post(bob, 'secret from the app');
    await http().post(`/api/v1/groups/${name}/members`).set(carol.headers).expect(201);
    await say(alice, aliceJoined.body.number, 'welcome carol');

    expect(await bodiesFor(carol)).toEqual(['welcome carol']);
    expect(await bodiesFor(carol, 1)).toEqual(['welcome carol']);
    expect(await bodiesFor(bob)).toEqual(['welcome carol', 'secret from the app', 'secret by sms']);
    // A cursor taken from Bob's longer history does not reach back past Carol's join either.
    const bobFirst = await http()
      .get(`/api/v1/groups/${name}/messages`)
      .query({ limit: 1 })
      .set(bob.headers);
    const carolFromBobsCursor = await http()
      .get(`/api/v1/groups/${name}/messages`)
      .query({ limit: 10, cursor: bobFirst.body.nextCursor })
      .set(carol.headers);
    expect(carolFromBobsCursor.body.data).toEqual([]);

    await http().delete(`/api/v1/groups/${name}/members/me`).set(bob.headers).expect(204);
    await say(alice, aliceJoined.body.number, 'while bob was away');
    await http().post(`/api/v1/groups/${name}/members`).set(bob.headers).expect(201);
    expect(await bodiesFor(bob)).toEqual([]);
    await post(carol, 'hello again bob');
    expect(await bodiesFor(bob)).toEqual(['hello again bob']);
    expect(await bodiesFor(alice)).toEqual([
      'hello again bob',
      'while bob was away',
      'welcome carol',
      'secret from the app',
      'secret by sms',
    ]);
  });

  it('shows a public group to a non-member by name and size only, never who is in it', async () => {
    const [olga, pavel, stranger] = [await user('Olga'), await user('Pavel'), await user('Quinn')];
    const name = uniqueName('names');
    await http().post('/api/v1/groups').set(olga.headers).send({ name }).expect(201);
    await http().post(`/api/v1/groups/${name}/members`).set(pavel.headers).expect(201);

    const seen = await http().get(`/api/v1/groups/${name}`).set(stranger.headers).expect(200);
    expect(seen.body).toEqual({ name, visibility: 'public', memberCount: 2 });
    const found = await http()
      .get('/api/v1/groups')
      .query({ search: name })
      .set(stranger.headers)
      .expect(200);
    expect(found.body.data).toEqual([{ name }]);
    for (const answer of [seen, found]) {
      expect(JSON.stringify(answer.body)).not.toMatch(/Olga|Pavel/);
    }

    const inside = await http().get(`/api/v1/groups/${name}`).set(pavel.headers).expect(200);
    expect(inside.body).toMatchObject({ name, visibility: 'public', memberCount: 2 });
    expect(inside.body.members.map((member: { name: string }) => member.name)).toEqual([
      'Olga',
      'Pavel',
    ]);
    // Nor can a non-member read the messages or post to them.
    const read = await http().get(`/api/v1/groups/${name}/messages`).set(stranger.headers);
    expect([read.status, read.body.code]).toEqual([404, 'NOT_A_MEMBER']);
  });

  it('a private group is, to outsiders, a group that does not exist; its invite code lets in', async () => {
    const [rita, sam, tess, mallory] = [
      await user('Rita'),
      await user('Sam'),
      await user('Tess'),
      await user('Mallory'),
    ];
    const name = uniqueName('hidden');
    const missing = uniqueName('missing');
    const created = await http()
      .post('/api/v1/groups')
      .set(rita.headers)
      .send({ name, visibility: 'private' });
    expect(created.status).toBe(201);
    const codeOf = async (member: SignedInUser) => {
      const answer = await http().get(`/api/v1/groups/${name}/invite`).set(member.headers);
      expect(answer.status).toBe(200);
      return answer.body.inviteCode as string;
    };
    const firstCode = await codeOf(rita);
    // 16 characters of a 32-letter alphabet: 80 random bits.
    expect(firstCode).toMatch(/^[0-9a-z]{16}$/);

    // Every door answers Mallory as if there were no such group.
    const probes = (group: string) => [
      http().get(`/api/v1/groups/${group}`),
      http().get(`/api/v1/groups/${group}/messages`),
      http().post(`/api/v1/groups/${group}/messages`).send({ body: 'hi' }),
      http().delete(`/api/v1/groups/${group}/members/me`),
      http().get(`/api/v1/groups/${group}/invite`),
      http().post(`/api/v1/groups/${group}/invite/rotate`),
      http().post(`/api/v1/groups/${group}/members`),
      http()
        .post(`/api/v1/groups/${group}/members`)
        .send({ inviteCode: 'a'.repeat(16) }),
    ];
    const outcome = (answer: request.Response, group: string) => ({
      status: answer.status,
      code: answer.body.code,
      detail: answer.body.detail?.replace(group, 'NAME'),
    });
    for (const [index, probe] of probes(name).entries()) {
      const hidden = outcome(await probe.set(mallory.headers), name);
      const absent = outcome(await probes(missing)[index].set(mallory.headers), missing);
      expect({ index, ...hidden }).toEqual({ index, ...absent });
      expect(hidden.code).toBe('GROUP_NOT_FOUND');
    }
    const searched = await http()
      .get('/api/v1/groups')
      .query({ search: name })
      .set(mallory.headers);
    expect(searched.body.data).toEqual([]);
    // Rita herself does not find it by search either: search lists public groups only.
    expect(
      (await http().get('/api/v1/groups').query({ search: name }).set(rita.headers)).body.data,
    ).toEqual([]);

    // The code, in any case and with the spaces of a paste, lets Sam in.
    const samJoined = await http()
      .post(`/api/v1/groups/${name}/members`)
      .set(sam.headers)
      .send({ inviteCode: ` ${firstCode.toUpperCase()} ` });
    expect(samJoined.status).toBe(201);
    expect(await codeOf(sam)).toBe(firstCode);
    const inside = await http().get(`/api/v1/groups/${name}`).set(sam.headers).expect(200);
    expect(inside.body).toMatchObject({ name, visibility: 'private', memberCount: 2 });
    expect(inside.body.members.map((member: { name: string }) => member.name)).toEqual([
      'Rita',
      'Sam',
    ]);

    // Sam rotates it: the old code lets nobody in any more, the new one does.
    const rotated = await http().post(`/api/v1/groups/${name}/invite/rotate`).set(sam.headers);
    expect(rotated.status).toBe(200);
    expect(rotated.body.inviteCode).toMatch(/^[0-9a-z]{16}$/);
    expect(rotated.body.inviteCode).not.toBe(firstCode);
    expect(await codeOf(rita)).toBe(rotated.body.inviteCode);
    const withOld = await http()
      .post(`/api/v1/groups/${name}/members`)
      .set(tess.headers)
      .send({ inviteCode: firstCode });
    expect([withOld.status, withOld.body.code]).toEqual([404, 'GROUP_NOT_FOUND']);
    await http()
      .post(`/api/v1/groups/${name}/members`)
      .set(tess.headers)
      .send({ inviteCode: rotated.body.inviteCode })
      .expect(201);

    // Nothing of Mallory's attempts stuck: three members, and no welcome was texted to her.
    expect((await http().get(`/api/v1/groups/${name}`).set(rita.headers)).body.memberCount).toBe(3);
    expect(fake.messagesTo(mallory.phone).filter((text) => text.body.includes(name))).toEqual([]);
    // A member who leaves is an outsider again.
    await http().delete(`/api/v1/groups/${name}/members/me`).set(tess.headers).expect(204);
    const after = await http().get(`/api/v1/groups/${name}/messages`).set(tess.headers);
    expect([after.status, after.body.code]).toEqual([404, 'GROUP_NOT_FOUND']);
  });

  it('refuses an unknown visibility, and invite codes for public groups', async () => {
    const [uma, victor] = [await user('Uma'), await user('Victor')];
    const refused = await http()
      .post('/api/v1/groups')
      .set(uma.headers)
      .send({ name: uniqueName('vis'), visibility: 'secret' });
    expect([refused.status, refused.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const name = uniqueName('open');
    await http()
      .post('/api/v1/groups')
      .set(uma.headers)
      .send({ name, visibility: 'public' })
      .expect(201);
    const invite = await http().get(`/api/v1/groups/${name}/invite`).set(uma.headers);
    expect([invite.status, invite.body.code]).toEqual([409, 'GROUP_IS_PUBLIC']);
    const rotate = await http().post(`/api/v1/groups/${name}/invite/rotate`).set(uma.headers);
    expect([rotate.status, rotate.body.code]).toEqual([409, 'GROUP_IS_PUBLIC']);
    const outsider = await http().get(`/api/v1/groups/${name}/invite`).set(victor.headers);
    expect([outsider.status, outsider.body.code]).toEqual([404, 'NOT_A_MEMBER']);
    // A public group ignores a code: anyone joins it by name.
    await http()
      .post(`/api/v1/groups/${name}/members`)
      .set(victor.headers)
      .send({ inviteCode: 'whatever' })
      .expect(201);
  });

  it('finds groups by part of the name, with LIKE wildcards taken literally', async () => {
    const owner = await user('Owner');
    const other = await user('Other');
    const stem = uniqueName('srch');
    await http()
      .post('/api/v1/groups')
      .set(owner.headers)
      .send({ name: `${stem}-alpha` })
      .expect(201);
    await http()
      .post('/api/v1/groups')
      .set(other.headers)
      .send({ name: `${stem}-alphabet` })
      .expect(201);
    const found = await http()
      .get('/api/v1/groups')
      .query({ search: `${stem}-ALPHA` })
      .set(owner.headers);
    expect(found.body.data.map((group: { name: string }) => group.name)).toEqual([
      `${stem}-alpha`,
      `${stem}-alphabet`,
    ]);
    // Names only: how many members, or when it started, is not for passers-by.
    expect(found.body.data[0]).toEqual({ name: `${stem}-alpha` });
    const wildcard = await http()
      .get('/api/v1/groups')
      .query({ search: `${stem}%` })
      .set(owner.headers);
    expect(wildcard.body.data).toEqual([]);
    // Unescaped, "_" would match any character: "a_b" would also find "axb".
    await http()
      .post('/api/v1/groups')
      .set(owner.headers)
      .send({ name: `${stem}-a_b` })
      .expect(201);
    await http()
      .post('/api/v1/groups')
      .set(other.headers)
      .send({ name: `${stem}-axb` })
      .expect(201);
    const underscore = await http()
      .get('/api/v1/groups')
      .query({ search: `${stem}-a_b` })
      .set(owner.headers);
    expect(underscore.body.data.map((group: { name: string }) => group.name)).toEqual([
      `${stem}-a_b`,
    ]);
  });

  it('routes each reply to the right group when two people share two groups', async () => {
    const [dana, eve] = [await user('Dana'), await user('Eve')];
    const [first, second] = [uniqueName('one'), uniqueName('two')];
    const danaFirst = await http().post('/api/v1/groups').set(dana.headers).send({ name: first });
    const danaSecond = await http().post('/api/v1/groups').set(dana.headers).send({ name: second });
    const eveFirst = await http().post(`/api/v1/groups/${first}/members`).set(eve.headers);
    const eveSecond = await http().post(`/api/v1/groups/${second}/members`).set(eve.headers);
    expect(danaFirst.body.number).not.toBe(danaSecond.body.number);
    expect(eveFirst.body.number).not.toBe(eveSecond.body.number);

    await postInboundSms(app, fake, {
      from: dana.phone,
      to: danaFirst.body.number,
      body: 'about one',
    }).expect(200);
    await postInboundSms(app, fake, {
      from: dana.phone,
      to: danaSecond.body.number,
      body: 'about two',
    }).expect(200);
    const [one] = await textsTo(eve.phone, (body) => body === 'Dana: about one');
    const [two] = await textsTo(eve.phone, (body) => body === 'Dana: about two');
    expect(one.from).toBe(eveFirst.body.number);
    expect(two.from).toBe(eveSecond.body.number);
    const firstHistory = await http().get(`/api/v1/groups/${first}/messages`).set(eve.headers);
    expect(firstHistory.body.data.map((m: { body: string }) => m.body)).toEqual(['about one']);
  });

  it('refuses a third group to a user of a 2-number pool, by join or by create', async () => {
    const frank = await user('Frank');
    const names = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    // Three owners: each of them is in one group only.
    for (const name of names) {
      const owner = await user(`Owner of ${name}`);
      await http().post('/api/v1/groups').set(owner.headers).send({ name }).expect(201);
    }
    await http().post(`/api/v1/groups/${names[0]}/members`).set(frank.headers).expect(201);
    await http().post(`/api/v1/groups/${names[1]}/members`).set(frank.headers).expect(201);
    const third = await http().post(`/api/v1/groups/${names[2]}/members`).set(frank.headers);
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('NUMBER_POOL_EXHAUSTED');
    const fresh = uniqueName('d');
    const create = await http().post('/api/v1/groups').set(frank.headers).send({ name: fresh });
    expect(create.status).toBe(409);
    expect(create.body.code).toBe('NUMBER_POOL_EXHAUSTED');
    // Nothing half-written: the group was not created, the third group has one member.
    expect((await http().get(`/api/v1/groups/${fresh}`).set(frank.headers)).status).toBe(404);
    expect(
      (await http().get(`/api/v1/groups/${names[2]}`).set(frank.headers)).body.memberCount,
    ).toBe(1);
  });

  it('refuses a taken name (any case) and leaves the existing group untouched', async () => {
    const [owner, intruder] = [await user('Heidi'), await user('Ivan')];
    const name = uniqueName('taken');
    await http().post('/api/v1/groups').set(owner.headers).send({ name }).expect(201);
    const again = await http()
      .post('/api/v1/groups')
      .set(intruder.headers)
      .send({ name: name.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('GROUP_NAME_TAKEN');
    const detail = await http().get(`/api/v1/groups/${name}`).set(owner.headers);
    expect(detail.body.members.map((m: { name: string }) => m.name)).toEqual(['Heidi']);
  });

  it('answers mistakes with clear 4xx codes, never 500', async () => {
    const [judy, ken] = [await user('Judy'), await user('Ken')];
    const name = uniqueName('err');
    await http().post('/api/v1/groups').set(judy.headers).send({ name }).expect(201);
    expect((await http().post(`/api/v1/groups/${name}/members`).set(judy.headers)).body.code).toBe(
      'ALREADY_MEMBER',
    );
    expect(
      (await http().post('/api/v1/groups/nope-nope-nope/members').set(ken.headers)).body.code,
    ).toBe('GROUP_NOT_FOUND');
    const notMember = await http().delete(`/api/v1/groups/${name}/members/me`).set(ken.headers);
    expect(notMember.status).toBe(404);
    expect(notMember.body.code).toBe('NOT_A_MEMBER');
    expect((await http().get(`/api/v1/groups/${name}/messages`).set(ken.headers)).body.code).toBe(
      'NOT_A_MEMBER',
    );
    expect(
      (await http().post(`/api/v1/groups/${name}/messages`).set(ken.headers).send({ body: 'x' }))
        .status,
    ).toBe(404);
    for (const bad of ['ab', 'has space', 'x'.repeat(33), 'émoji']) {
      const response = await http().post('/api/v1/groups').set(ken.headers).send({ name: bad });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const server = await createAccount(app);
    const noPhone = await http()
      .post('/api/v1/groups')
      .set(server.headers)
      .send({ name: uniqueName('nophone') });
    expect(noPhone.status).toBe(422);
    expect(noPhone.body.code).toBe('PHONE_REQUIRED');
  });

  it('relays a post from the app like an SMS, and LEAVE by text leaves the group', async () => {
    // Two members of one name: each post still says whose it is.
    const [otherMia, mia] = [await user('Mia'), await user('Mia')];
    const name = uniqueName('app');
    const otherMiaJoined = await http().post('/api/v1/groups').set(otherMia.headers).send({ name });
    await http().post(`/api/v1/groups/${name}/members`).set(mia.headers).expect(201);
    const posted = await http()
      .post(`/api/v1/groups/${name}/messages`)
      .set(mia.headers)
      .send({ body: 'from the app' });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({
      sender: 'Mia',
      body: 'from the app',
      via: 'app',
      mine: true,
    });
    await textsTo(otherMia.phone, (body) => body === 'Mia: from the app');
    const seenByOtherMia = await http()
      .get(`/api/v1/groups/${name}/messages`)
      .set(otherMia.headers);
    expect(seenByOtherMia.body.data).toEqual([
      expect.objectContaining({ sender: 'Mia', body: 'from the app', mine: false }),
    ]);

    await postInboundSms(app, fake, {
      from: otherMia.phone,
      to: otherMiaJoined.body.number,
      body: 'leave',
    }).expect(200);
    await textsTo(otherMia.phone, (body) => body === `You left '${name}'.`);
    const detail = await http().get(`/api/v1/groups/${name}`).set(mia.headers);
    expect(detail.body.members.map((m: { name: string }) => m.name)).toEqual(['Mia']);
  });

  it('stores a stranger’s text to a pool number as unrouted and relays nothing', async () => {
    const [nina, oscar] = [await user('Nina'), await user('Oscar')];
    const name = uniqueName('closed');
    const joined = await http().post('/api/v1/groups').set(nina.headers).send({ name });
    await http().post(`/api/v1/groups/${name}/members`).set(oscar.headers).expect(201);
    const stranger = '+14155557777';
    await postInboundSms(app, fake, {
      from: stranger,
      to: joined.body.number,
      body: 'let me in',
    }).expect(200);
    const rows = await app
      .get(DataSource)
      .query(`SELECT account_id, group_id FROM messages WHERE body = 'let me in'`);
    expect(rows).toEqual([{ account_id: null, group_id: null }]);
    // A member's text after the stranger's: once it is relayed, a relay of the stranger's would be.
    await postInboundSms(app, fake, {
      from: nina.phone,
      to: joined.body.number,
      body: 'members only',
    }).expect(200);
    await textsTo(oscar.phone, (body) => body === 'Nina: members only');
    expect(fake.messages.filter((text) => text.body.includes('let me in'))).toEqual([]);
  });
});
