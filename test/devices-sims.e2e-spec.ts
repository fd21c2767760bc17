import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppException, Clock, DomainEvent, EventBus, QueueName } from '@app/core';
import { DevicesService } from '@app/devices';
import { PhoneSimCard, ServerFrame, SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { CreatedDevice, createDevice, phoneFor } from './helpers/device.factory';
import { startWorkerWith } from './helpers/device-worker';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { TestClock } from './helpers/test-clock';
import { startTestWorker } from './helpers/test-worker';

const WINDOW_MS = 60_000;
const TWO_SIMS: PhoneSimCard[] = [
  { slotIndex: 0, simNumber: 1, phoneNumber: '+14155550181', carrierName: 'Carrier One' },
  { slotIndex: 1, simNumber: 2, phoneNumber: '+14155550182', carrierName: 'Carrier Two' },
];
const FIRST_SIM_ONLY: PhoneSimCard[] = [TWO_SIMS[0]];

/** Messages of a batch request, to distinct recipients. */
const batchOf = (count: number, first: number, extra: object = {}) => ({
  messages: Array.from({ length: count }, (_, i) => ({
    to: `+1415556${String(first + i).padStart(4, '0')}`,
    body: `sim ${first + i}`,
    ...extra,
  })),
});

/** Multi-SIM phones (docs/device-protocol.md#sim-cards): SIMs stored and shown, `simNumber`. */
describe('multi-SIM phones', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  const phones: SimulatedPhone[] = [];

  const http = () => request(app.getHttpServer());
  const connect = async (
    headers: Record<string, string>,
    simCards: PhoneSimCard[] | undefined,
    sendRatePerMinute = 1000,
  ): Promise<{ device: CreatedDevice; phone: SimulatedPhone }> => {
    const device = await createDevice(app, headers, { sendRatePerMinute });
    const phone = phoneFor(app, device, { answer: 'hold', simCards });
    phones.push(phone);
    await phone.connect();
    return { device, phone };
  };
  const send = async (headers: Record<string, string>, body: object) => {
    const response = await http().post('/api/v1/messages/batch').set(headers).send(body);
    expect(response.status).toBe(202);
    return (response.body.data as Array<{ id: string; simNumber: number | null }>).map(
      (message) => message.id,
    );
  };
  const storedCount = async (to: string) => {
    const [{ count }] = await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM messages WHERE to_number = $1`, [to]);
    return count as number;
  };

  beforeAll(async () => {
    app = await createTestApp();
    worker = await startTestWorker();
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  it('stores the SIMs a phone reports in hello and shows them on the device and its events', async () => {
    const { headers, account } = await createAccount(app);
    const accountId = account.id;
    const device = await createDevice(app, headers);
    const events: DomainEvent[] = [];
    const stop = await app.get(EventBus).subscribe(accountId, (event) => {
      if (event.type === 'device.updated') events.push(event);
    });
    try {
      const phone = phoneFor(app, device, {
        simCards: [
          {
            ...TWO_SIMS[1],
            phoneNumber: '(415) 555-0182 not a number',
            iccid: '8901260000000000001',
          },
          {
            slotIndex: 0,
            simNumber: 1,
            phoneNumber: '+14155550181',
            carrierName: ' Carrier\u0007 One ',
          },
        ] as PhoneSimCard[],
      });
      phones.push(phone);
      await phone.connect();
      const expected = [
        {
          slotIndex: 0,
          simNumber: 1,
          phoneNumber: '+14155550181',
          carrierName: 'Carrier One',
          sentLastMinute: 0,
        },
        {
          slotIndex: 1,
          simNumber: 2,
          phoneNumber: null,
          carrierName: 'Carrier Two',
          sentLastMinute: 0,
        },
      ];
      const view = (await http().get(`/api/v1/devices/${device.id}`).set(headers)).body;
      expect(view.simCards).toEqual(expected);
      const listed = (await http().get('/api/v1/devices').set(headers)).body.data;
      expect(listed.find((item: { id: string }) => item.id === device.id).simCards).toEqual(
        expected,
      );
      const online = await eventually(
        async () => events.find((event) => (event.data as { online: boolean }).online),
        (event) => event !== undefined,
      );
      expect((online!.data as { simCards: unknown }).simCards).toEqual(expected);

      // A SIM swapped while connected: a status frame says so.
      phone.sendFrame({
        type: 'status',
        battery: 80,
        charging: false,
        signal: 3,
        simCards: [{ slotIndex: 1, simNumber: 2, carrierName: 'Carrier Three' }],
      });
      const swapped = await eventually(
        async () => (await http().get(`/api/v1/devices/${device.id}`).set(headers)).body,
        (body) => body.simCards.length === 1,
      );
      expect(swapped.simCards).toEqual([
        {
          slotIndex: 1,
          simNumber: 2,
          phoneNumber: null,
          carrierName: 'Carrier Three',
          sentLastMinute: 0,
        },
      ]);
      // Kept once the phone is offline: it is what it last said.
      await phone.close();
      const offline = (await http().get(`/api/v1/devices/${device.id}`).set(headers)).body;
      expect(offline).toMatchObject({ online: false, simCards: swapped.simCards });
    } finally {
      stop();
    }
  });

  it('records SIMs for other transports: validated, stored, announced only when they change', async () => {
    const { headers, account } = await createAccount(app);
    const accountId = account.id;
    const device = await createDevice(app, headers);
    const devices = app.get(DevicesService);
    const events: DomainEvent[] = [];
    const stop = await app.get(EventBus).subscribe(accountId, (event) => {
      if (event.type === 'device.updated') events.push(event);
    });
    try {
      const cards = [
        { slotIndex: 1, simNumber: 2, phoneNumber: null, carrierName: null, iccid: null },
        { slotIndex: 0, simNumber: 1, phoneNumber: '+14155550190', carrierName: 'Carrier One' },
      ];
      const stored = await devices.recordSimCards(device.id, cards);
      expect(stored.map((card) => card.simNumber)).toEqual([1, 2]);
      await eventually(
        async () => events.length,
        (count) => count === 1,
      );
      expect((events[0].data as { simCards: unknown[] }).simCards).toHaveLength(2);

      // The same SIMs again: nothing to announce. The next change is the next event.
      await devices.recordSimCards(device.id, [...cards].reverse());
      await devices.recordSimCards(device.id, [cards[1]]);
      const after = await eventually(
        async () => events.map((event) => (event.data as { simCards: unknown[] }).simCards.length),
        (counts) => counts.length >= 2,
      );
      expect(after).toEqual([2, 1]);

      const refusals = [
        'not a list',
        Array.from({ length: 5 }, (_, slot) => ({ slotIndex: slot, simNumber: slot + 1 })),
        [{ slotIndex: 0, simNumber: 0 }],
        [{ slotIndex: 0, simNumber: 9 }],
        [{ slotIndex: -1, simNumber: 1 }],
        [{ slotIndex: 0, simNumber: 1.5 }],
        [{ slotIndex: 0, simNumber: 1, carrierName: 42 }],
        [{ slotIndex: 0, simNumber: 1, phoneNumber: 'x'.repeat(33) }],
        [
          { slotIndex: 0, simNumber: 1 },
          { slotIndex: 1, simNumber: 1 },
        ],
        [null],
      ];
      for (const input of refusals) {
        const error = await devices.recordSimCards(device.id, input).then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(AppException);
        expect(error).toMatchObject({ status: 422, code: 'INVALID_SIM_CARDS' });
      }
      const view = (await http().get(`/api/v1/devices/${device.id}`).set(headers)).body;
      expect(view.simCards).toEqual([
        {
          slotIndex: 0,
          simNumber: 1,
          phoneNumber: '+14155550190',
          carrierName: 'Carrier One',
          sentLastMinute: 0,
        },
      ]);
    } finally {
      stop();
    }
  });

  it('honours simNumber: only phones with that SIM take it, and the send names it', async () => {
    const { headers } = await createAccount(app);
    const dual = await connect(headers, TWO_SIMS);
    const single = await connect(headers, FIRST_SIM_ONLY);

    const second = await send(headers, batchOf(10, 0, { simNumber: 2 }));
    await eventually(
      async () => dual.phone.received.length,
      (count) => count === 10,
    );
    expect(single.phone.received).toHaveLength(0);
    expect(dual.phone.received.map((sent) => sent.simNumber)).toEqual(Array(10).fill(2));
    const frames = dual.phone.frames.filter((frame) => frame.type === 'send');
    expect(frames.every((frame) => frame.simNumber === 2)).toBe(true);

    // SIM 1 is on both: the least-loaded phone (the single-SIM one holds nothing) takes them.
    const first = await send(headers, batchOf(5, 100, { simNumber: 1 }));
    await eventually(
      async () => single.phone.received.length,
      (count) => count === 5,
    );
    expect(single.phone.received.map((sent) => sent.simNumber)).toEqual(Array(5).fill(1));

    // A named device and SIM.
    const named = await send(headers, batchOf(1, 200, { deviceId: dual.device.id, simNumber: 2 }));
    await eventually(
      async () => dual.phone.received.length,
      (count) => count === 11,
    );
    expect(dual.phone.received[10]).toMatchObject({ messageId: named[0], simNumber: 2 });

    // The message shows the SIM, and goes out from that SIM's number.
    dual.phone.releaseHeld();
    single.phone.releaseHeld();
    for (const id of [second[0], first[0], named[0]]) {
      const message = await eventually(
        async () => (await http().get(`/api/v1/messages/${id}`).set(headers)).body,
        (body) => body.status === 'sent',
      );
      const sim = id === first[0] ? 1 : 2;
      expect(message).toMatchObject({ route: 'device', simNumber: sim });
      expect(message.from).toBe(TWO_SIMS[sim - 1].phoneNumber);
    }
  });

  it('refuses a SIM the named device (or every device) lacks, and a bad simNumber', async () => {
    const { headers } = await createAccount(app);
    const single = await connect(headers, FIRST_SIM_ONLY);
    const legacy = await connect(headers, undefined);

    const namedDevice = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155560901', body: 'x', deviceId: single.device.id, simNumber: 2 });
    expect(namedDevice.status).toBe(422);
    expect(namedDevice.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(namedDevice.body).toMatchObject({
      code: 'SIM_NOT_AVAILABLE',
      errors: [expect.objectContaining({ field: 'simNumber', code: 'SIM_NOT_AVAILABLE' })],
    });
    const noSims = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155560902', body: 'x', deviceId: legacy.device.id, simNumber: 1 });
    expect(noSims.status).toBe(422);
    expect(noSims.body.code).toBe('SIM_NOT_AVAILABLE');

    const anyDevice = await http()
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: [
          { to: '+14155560903', body: 'x', simNumber: 1 },
          { to: '+14155560904', body: 'x', simNumber: 3 },
        ],
      });
    expect(anyDevice.status).toBe(422);
    expect(anyDevice.body).toMatchObject({
      code: 'SIM_NOT_AVAILABLE',
      errors: [
        expect.objectContaining({ field: 'messages[1].simNumber', code: 'SIM_NOT_AVAILABLE' }),
      ],
    });
    // Nothing of a refused request is stored, not even its valid messages.
    for (const to of ['+14155560901', '+14155560902', '+14155560903', '+14155560904']) {
      expect(await storedCount(to)).toBe(0);
    }

    const twilio = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155560905', body: 'x', route: 'twilio', simNumber: 1 });
    expect(twilio.status).toBe(422);
    expect(twilio.body.errors).toEqual([
      expect.objectContaining({ field: 'simNumber', code: 'ROUTE_CONFLICT' }),
    ]);

    for (const simNumber of [0, 9, 1.5, '1', -1, {}]) {
      const response = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155560906', body: 'x', simNumber });
      expect([simNumber, response.status]).toEqual([simNumber, 400]);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await storedCount('+14155560906')).toBe(0);

    // Another account's phones never count: the SIM must be the caller's.
    const stranger = await createAccount(app);
    const foreign = await http()
      .post('/api/v1/messages')
      .set(stranger.headers)
      .send({ to: '+14155560907', body: 'x', simNumber: 1 });
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe('SIM_NOT_AVAILABLE');
  });

  it('fails a message whose named device no longer reports its SIM when it is sent', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers);
    const devices = app.get(DevicesService);
    await devices.recordSimCards(device.id, TWO_SIMS);
    // Accepted while the phone has SIM 2; the phone is offline, so the message waits.
    const response = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155560950', body: 'x', deviceId: device.id, simNumber: 2 });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ routeRequested: 'device', simNumber: 2 });
    await devices.recordSimCards(device.id, FIRST_SIM_ONLY);
    const failed = await eventually(
      async () => (await http().get(`/api/v1/messages/${response.body.id}`).set(headers)).body,
      (body) => body.status === 'failed',
      20_000,
    );
    expect(failed).toMatchObject({ errorCode: 'SIM_NOT_AVAILABLE', deviceId: null });
  });

  it('replies from the phone and SIM the recipient last texted, while they can take it', async () => {
    const { headers } = await createAccount(app);
    const single = await connect(headers, FIRST_SIM_ONLY);
    const dual = await connect(headers, TWO_SIMS, 3);
    const peer = '+14155560990';
    const ack = dual.phone.waitForFrame('inbound.ack');
    dual.phone.sendInbound({ id: 'sticky-1', from: peer, body: 'Hi, it is me', simNumber: 2 });
    await ack;

    /** Sends one reply and answers which phone got it, with which SIM. */
    const reply = async (body: string) => {
      const [id] = await send(headers, { messages: [{ to: peer, body }] });
      const taker = await eventually(
        async () =>
          [single, dual].find(({ phone }) => phone.received.some((s) => s.messageId === id)),
        (found) => found !== undefined,
      );
      const sent = taker!.phone.received.find((s) => s.messageId === id)!;
      return { device: taker!.device.id, simNumber: sent.simNumber };
    };
    // The phones hold what they get, so the one the peer texted is soon the busier: least-loaded
    // alone would move the second reply to the other phone.
    for (const body of ['one', 'two', 'three']) {
      expect(await reply(body)).toEqual({ device: dual.device.id, simNumber: 2 });
    }
    // SIM 2 is at its cap (3 a minute): the phone still takes it, from its other SIM.
    expect(await reply('four')).toEqual({ device: dual.device.id, simNumber: 1 });

    // The phone they texted goes away: another phone answers rather than nobody.
    await dual.phone.close();
    await eventually(
      async () => (await http().get(`/api/v1/devices/${dual.device.id}`).set(headers)).body,
      (view) => view.online === false,
    );
    expect(await reply('five')).toEqual({ device: single.device.id, simNumber: 1 });
  });

  it('spreads messages that name no SIM across the SIMs, and names the SIM in each send', async () => {
    const { headers } = await createAccount(app);
    const dual = await connect(headers, TWO_SIMS);
    const legacy = await connect(headers, undefined);
    // Only the dual-SIM phone takes them: the other is disabled for now.
    await http().patch(`/api/v1/devices/${legacy.device.id}`).set(headers).send({ enabled: false });

    const ids = await send(headers, batchOf(20, 300, { route: 'device' }));
    await eventually(
      async () => dual.phone.received.length,
      (count) => count === 20,
    );
    const bySim = new Map<unknown, number>();
    for (const sent of dual.phone.received) {
      bySim.set(sent.simNumber, (bySim.get(sent.simNumber) ?? 0) + 1);
    }
    expect(Object.fromEntries(bySim)).toEqual({ 1: 10, 2: 10 });
    const view = (await http().get(`/api/v1/devices/${dual.device.id}`).set(headers)).body;
    expect(view.sentLastMinute).toBe(20);
    expect(view.simCards.map((card: { sentLastMinute: number }) => card.sentLastMinute)).toEqual([
      10, 10,
    ]);
    // Each message records the SIM its phone was told to use. The worker writes the hand-over
    // after the phone has the send, so the last rows may still be on their way.
    const rows = await eventually(
      async (): Promise<Array<{ id: string; sim_number: number | null }>> =>
        app.get(DataSource).query(`SELECT id, sim_number FROM messages WHERE id = ANY($1)`, [ids]),
      (found) => found.every((row) => row.sim_number !== null),
    );
    const told = new Map(dual.phone.received.map((sent) => [sent.messageId, sent.simNumber]));
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.sim_number).toBe(told.get(row.id));

    // A phone that reported no SIM gets sends without a simNumber (its default SIM).
    await http().patch(`/api/v1/devices/${dual.device.id}`).set(headers).send({ enabled: false });
    await http().patch(`/api/v1/devices/${legacy.device.id}`).set(headers).send({ enabled: true });
    const [plain] = await send(headers, batchOf(1, 400, { route: 'device' }));
    await eventually(
      async () => legacy.phone.received.length,
      (count) => count === 1,
    );
    const frame = legacy.phone.frames.find((candidate) => candidate.type === 'send')!;
    expect(frame.messageId).toBe(plain);
    expect(frame).not.toHaveProperty('simNumber');
    // Once the hand-over is written (the message names its phone), it names no SIM.
    const message = await eventually(
      async () => (await http().get(`/api/v1/messages/${plain}`).set(headers)).body,
      (body) => body.deviceId === legacy.device.id,
    );
    expect(message.simNumber).toBeNull();
  });
});

/**
 * Each SIM of a phone is held to the phone's sendRatePerMinute in every sliding 60 s window. The
 * worker runs on a clock the test moves, and the test wakes the delayed jobs itself.
 */
describe('per-SIM send rate', () => {
  const clock = new TestClock(new Date('2026-11-21T10:00:50Z'));
  const RATE = 3;
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let queue: Queue;
  let phone: SimulatedPhone;
  /** Worker-clock time of each send, by the SIM it named. */
  const sendTimes = new Map<number, number[]>();

  beforeAll(async () => {
    app = await createTestApp();
    worker = await startWorkerWith({}, [{ provide: Clock, useValue: clock }]);
    queue = app.get<Queue>(getQueueToken(QueueName.MessageDispatch));
  });
  afterAll(async () => {
    await phone?.close();
    await worker.close();
    await app.close();
  });

  it('never gives a SIM more than the rate in any window, and uses both SIMs', async () => {
    const { headers } = await createAccount(app);
    const device = await createDevice(app, headers, { sendRatePerMinute: RATE });
    phone = phoneFor(app, device, { simCards: TWO_SIMS });
    phone.on('frame', (frame: ServerFrame) => {
      if (frame.type !== 'send') return;
      const sim = frame.simNumber as number;
      sendTimes.set(sim, [...(sendTimes.get(sim) ?? []), clock.now().getTime()]);
    });
    await phone.connect();

    const total = 14;
    const response = await request(app.getHttpServer())
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: [
          ...batchOf(4, 500, { route: 'device', simNumber: 2 }).messages,
          ...batchOf(10, 600, { route: 'device' }).messages,
        ],
      });
    expect(response.status).toBe(202);
    const onSecondSim = new Set(
      (response.body.data as Array<{ id: string }>).slice(0, 4).map((message) => message.id),
    );
    const sendingCount = async () =>
      (
        await request(app.getHttpServer())
          .get('/api/v1/messages')
          .query({ status: 'sending' })
          .set(headers)
      ).body.data.length as number;
    /**
     * Every message either reached the phone and was reported, or waits as a delayed job (none
     * is mid-try; a waiting one is still `sending`, a reported one no longer). Moving the clock
     * before the phone's reports are in would expire their result deadlines and re-route them:
     * a slow machine, not the rate, would decide the outcome.
     */
    const settle = () =>
      eventually(
        async () => ({
          received: phone.received.length,
          delayed: await queue.getDelayedCount(),
          sending: await sendingCount(),
        }),
        (state) => state.received + state.delayed === total && state.sending === state.delayed,
        20_000,
      );

    // Minute one: each SIM at its cap (the phone sends twice its per-SIM rate).
    const first = await settle();
    expect(first.received).toBe(2 * RATE);
    expect([sendTimes.get(1)?.length, sendTimes.get(2)?.length]).toEqual([RATE, RATE]);

    // Half a minute on, the window still holds every send: nothing more goes.
    clock.advance(WINDOW_MS / 2);
    await queue.promoteJobs();
    expect((await settle()).received).toBe(2 * RATE);

    for (let minute = 0; minute < 5 && phone.received.length < total; minute++) {
      clock.advance(WINDOW_MS / 2 + 1);
      await queue.promoteJobs();
      await settle();
      clock.advance(WINDOW_MS / 2);
      await queue.promoteJobs();
      await settle();
    }
    expect(phone.received).toHaveLength(total);
    expect(new Set(phone.received.map((sent) => sent.messageId)).size).toBe(total);
    for (const sent of phone.received) {
      if (onSecondSim.has(sent.messageId)) expect(sent.simNumber).toBe(2);
      else expect([1, 2]).toContain(sent.simNumber);
    }

    // The rule itself: in any window of 60 s, at most RATE sends per SIM.
    for (const sim of [1, 2]) {
      const times = sendTimes.get(sim)!;
      expect(times.length).toBeGreaterThanOrEqual(RATE);
      for (let i = 0; i + RATE < times.length; i++) {
        expect(times[i + RATE] - times[i]).toBeGreaterThan(WINDOW_MS);
      }
    }
  });
});
