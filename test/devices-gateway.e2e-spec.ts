import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import WebSocket from 'ws';
import { DeviceChannel, DeviceRegistry } from '@app/devices';
import { ServerFrame, SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { CreatedDevice, createDevice, devicesUrl, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';

/** `/ws/devices` as a phone app meets it: authentication, frames, heartbeats (docs/device-protocol.md). */
describe('/ws/devices', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let headers: Record<string, string>;
  let device: CreatedDevice;
  const phones: SimulatedPhone[] = [];

  const http = () => request(app.getHttpServer());
  const track = (phone: SimulatedPhone) => {
    phones.push(phone);
    return phone;
  };
  /** Opens a raw socket (no hello) and resolves with how the server closed it. */
  const closeOf = (headersToSend: Record<string, string>, send?: (socket: WebSocket) => void) =>
    new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const socket = new WebSocket(devicesUrl(app), { headers: headersToSend });
      socket.on('open', () => send?.(socket));
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      socket.on('error', reject);
    });
  const nextError = (phone: SimulatedPhone) => phone.waitForFrame('error');

  beforeAll(async () => {
    app = await createTestApp({ DEVICE_HEARTBEAT_MS: '300' });
    worker = await startTestWorker();
    headers = (await createAccount(app)).headers;
    device = await createDevice(app, headers);
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  describe('authentication', () => {
    it('closes with 4001 on a bad or malformed token in the Authorization header', async () => {
      expect(await closeOf({ Authorization: 'Bearer sbd_not-a-real-token-at-all' })).toEqual({
        code: 4001,
        reason: 'invalid device token',
      });
      expect((await closeOf({ Authorization: 'Basic abc' })).code).toBe(4001);
      expect((await closeOf({ Authorization: `Bearer ${device.token}x` })).code).toBe(4001);
    });

    it('accepts the token in a first auth frame, and refuses anything else first', async () => {
      const phone = track(phoneFor(app, device, { authBy: 'frame' }));
      expect((await phone.connect()).deviceId).toBe(device.id);
      await phone.close();

      expect(
        await closeOf({}, (socket) =>
          socket.send(JSON.stringify({ type: 'auth', token: 'sbd_nope-nope-nope' })),
        ),
      ).toEqual({ code: 4001, reason: 'invalid device token' });
      const helloFirst = await closeOf({}, (socket) =>
        socket.send(JSON.stringify({ type: 'hello', device: {}, status: {} })),
      );
      expect(helloFirst.code).toBe(4001);
      expect((await closeOf({}, (socket) => socket.send('not json'))).code).toBe(4001);
    });

    it('closes with 4001 when no auth frame comes within 5 s', async () => {
      expect(await closeOf({})).toEqual({ code: 4001, reason: 'no auth frame within 5 s' });
    });
  });

  describe('frames', () => {
    let phone: SimulatedPhone;
    beforeAll(async () => {
      phone = track(phoneFor(app, device));
      await phone.connect();
    });

    it('answers malformed, unknown and invalid frames with an error frame and stays open', async () => {
      let error = nextError(phone);
      phone.sendRaw('{"type": "status", battery');
      expect(await error).toEqual({
        type: 'error',
        code: 'MALFORMED_FRAME',
        message: 'The frame is not JSON.',
      });

      error = nextError(phone);
      phone.sendRaw('[1, 2]');
      expect((await error).code).toBe('MALFORMED_FRAME');

      error = nextError(phone);
      phone.sendFrame({ type: 'selfie' });
      expect((await error).code).toBe('UNKNOWN_FRAME_TYPE');

      error = nextError(phone);
      phone.sendFrame({ type: 'status', battery: 140, charging: 'yes' });
      const invalid = await error;
      expect(invalid.code).toBe('INVALID_FRAME');
      const fields = new Set((invalid.errors as Array<{ field: string }>).map((e) => e.field));
      expect([...fields].sort()).toEqual(['battery', 'charging', 'signal']);

      error = nextError(phone);
      phone.sendFrame({
        type: 'hello',
        device: 'Pixel',
        status: { battery: 1, charging: false, signal: 1 },
      });
      expect((await error).errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'device' })]),
      );

      error = nextError(phone);
      phone.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
      expect((await error).code).toBe('MALFORMED_FRAME');

      // Too deep for validation to walk: refused like any malformed frame, the server unharmed.
      error = nextError(phone);
      phone.sendRaw(`{"type":"status","battery":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
      expect((await error).code).toBe('MALFORMED_FRAME');

      error = nextError(phone);
      phone.sendFrame({ type: 'auth', token: device.token });
      expect((await error).code).toBe('ALREADY_AUTHENTICATED');

      // Still open and understood.
      phone.sendStatus({ battery: 33, charging: true, signal: 1 });
      const live = await eventually(
        async () => (await http().get(`/api/v1/devices/${device.id}`).set(headers)).body,
        (body) => body.battery === 33,
      );
      expect(live).toMatchObject({ online: true, battery: 33, charging: true, signal: 1 });
      expect(phone.connected).toBe(true);
    });

    it('ignores fields a frame does not define (newer apps may send more)', async () => {
      phone.sendFrame({ type: 'status', battery: 34, charging: true, signal: 2, temperature: 31 });
      const live = await eventually(
        async () => (await http().get(`/api/v1/devices/${device.id}`).set(headers)).body,
        (body) => body.battery === 34,
      );
      expect(live.signal).toBe(2);
    });

    it('asks for hello before anything else', async () => {
      const other = await createDevice(app, headers);
      const quiet = track(phoneFor(app, other));
      await quiet.open();
      const error = quiet.waitForFrame('error');
      quiet.sendStatus({ battery: 10 });
      expect(await error).toMatchObject({ code: 'HELLO_REQUIRED' });
      await quiet.close();
    });

    it('closes with 1009 on a frame over 64 KiB', async () => {
      const big = track(phoneFor(app, device));
      await big.connect();
      big.sendFrame({
        type: 'inbound',
        id: 'x',
        from: '+14155550100',
        body: 'a'.repeat(64 * 1024),
        receivedAt: new Date().toISOString(),
      });
      expect((await big.waitForClose()).code).toBe(1009);
      // A frame just under the limit is fine (and too long a body for an SMS is refused politely).
      const fine = track(phoneFor(app, device));
      await fine.connect();
      const error = fine.waitForFrame('error');
      fine.sendFrame({
        type: 'inbound',
        id: 'y',
        from: '+14155550100',
        body: 'a'.repeat(60 * 1024),
        receivedAt: new Date().toISOString(),
      });
      expect((await error).code).toBe('INVALID_FRAME');
      expect(fine.connected).toBe(true);
      phone = fine;
    });

    it('stores an inbound SMS once per (device, id) and answers inbound.ack each time', async () => {
      const id = `sms-${randomUUID()}`;
      for (let replay = 0; replay < 2; replay++) {
        const ack = phone.waitForFrame('inbound.ack');
        phone.sendInbound({
          id,
          from: '+14155550142',
          body: 'Hi there',
          receivedAt: '2026-11-21T10:00:00Z',
        });
        expect(await ack).toEqual({ type: 'inbound.ack', id });
      }
      const inbound = await http()
        .get('/api/v1/messages')
        .query({ direction: 'inbound', peer: '+14155550142' })
        .set(headers);
      expect(inbound.body.data).toEqual([
        expect.objectContaining({
          direction: 'inbound',
          from: '+14155550142',
          body: 'Hi there',
          deviceId: device.id,
          simNumber: null,
        }),
      ]);
    });

    it('acknowledges and stores a text even when noting its sender for replies fails', async () => {
      // Fault injection: the sticky-phone note (a preference) fails, as with Redis unreachable.
      const note = jest
        .spyOn(app.get(DeviceRegistry), 'rememberLastTexted')
        .mockRejectedValueOnce(new Error('Redis is unreachable'));
      try {
        const id = `sms-${randomUUID()}`;
        const ack = phone.waitForFrame('inbound.ack');
        phone.sendInbound({ id, from: '+14155550144', body: 'Still stored' });
        expect(await ack).toEqual({ type: 'inbound.ack', id });
        expect(note).toHaveBeenCalledTimes(1);
      } finally {
        note.mockRestore();
      }
      const inbound = await http()
        .get('/api/v1/messages')
        .query({ direction: 'inbound', peer: '+14155550144' })
        .set(headers);
      expect(inbound.body.data).toEqual([expect.objectContaining({ body: 'Still stored' })]);
    });

    it('records the SIM an inbound SMS arrived on, and refuses one no SIM could have', async () => {
      const ack = phone.waitForFrame('inbound.ack');
      phone.sendInbound({
        id: `sms-${randomUUID()}`,
        from: '+14155550143',
        body: 'On SIM 2',
        simNumber: 2,
      });
      await ack;
      const inbound = await http()
        .get('/api/v1/messages')
        .query({ direction: 'inbound', peer: '+14155550143' })
        .set(headers);
      expect(inbound.body.data).toEqual([
        expect.objectContaining({ body: 'On SIM 2', simNumber: 2 }),
      ]);

      const error = phone.waitForFrame('error');
      phone.sendInbound({
        id: `sms-${randomUUID()}`,
        from: '+14155550143',
        body: 'x',
        simNumber: 0,
      });
      expect(await error).toMatchObject({ code: 'INVALID_FRAME' });
    });
  });

  it('a second connection of the same device replaces the first, cleanly', async () => {
    const replaced = await createDevice(app, headers);
    const first = track(
      phoneFor(app, replaced, { status: { battery: 10, charging: false, signal: 1 } }),
    );
    await first.connect();
    const second = track(
      phoneFor(app, replaced, { status: { battery: 90, charging: false, signal: 4 } }),
    );
    await second.connect();
    expect(await first.waitForClose()).toEqual({
      code: 4002,
      reason: 'replaced by a newer connection',
    });
    // The first one's goodbye did not take the device offline: the second holds it.
    const live = await http().get(`/api/v1/devices/${replaced.id}`).set(headers);
    expect(live.body).toMatchObject({ online: true, battery: 90 });

    const sent = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550150', body: 'To the new connection', deviceId: replaced.id });
    expect(sent.body.status).toBe('sent');
    expect(second.received.map((s) => s.messageId)).toEqual([sent.body.id]);
    expect(first.received).toEqual([]);
  });

  it('gives a send only to the connection it was picked for, never to a newer one', async () => {
    const reconnecting = await createDevice(app, headers);
    const phone = track(phoneFor(app, reconnecting));
    await phone.connect();
    const channel = app.get(DeviceChannel);
    const current = await app.get(DeviceRegistry).connectionOf(reconnecting.id);
    expect(current).not.toBeNull();
    const send = (messageId: string, connectionId: string) =>
      channel.deliver(channel.instanceId, {
        kind: 'send',
        deviceId: reconnecting.id,
        connectionId,
        messageId,
        to: '+14155550151',
        body: 'x',
      });
    // Picked for a connection that has since been replaced (the phone reconnected): the old
    // connection's close may already have sent the message elsewhere.
    const stale = randomUUID();
    const fresh = randomUUID();
    expect(await send(stale, randomUUID())).toBe(true);
    expect(await send(fresh, current!.connectionId)).toBe(true);
    // One channel, in order: once the second has arrived, the first was handled before it.
    await phone.until(() => phone.received.length === 1);
    expect(phone.received.map((received) => received.messageId)).toEqual([fresh]);
  });

  it('drops a phone that misses two heartbeats; it goes offline', async () => {
    const silent = await createDevice(app, headers);
    const phone = track(phoneFor(app, silent, { autoPong: false }));
    await phone.connect();
    expect((await http().get(`/api/v1/devices/${silent.id}`).set(headers)).body.online).toBe(true);
    // The server cuts the socket without a closing handshake (the peer is presumed gone).
    expect((await phone.waitForClose()).code).toBe(1006);
    const offline = await eventually(
      async () => (await http().get(`/api/v1/devices/${silent.id}`).set(headers)).body,
      (body) => body.online === false,
    );
    expect(offline.online).toBe(false);

    // A phone that answers pings stays, however many heartbeats pass.
    const alive = track(phoneFor(app, await createDevice(app, headers)));
    await alive.connect();
    await alive.until(() => alive.pings >= 4 || !alive.connected);
    expect(alive.connected).toBe(true);
    expect(phone.pings).toBeGreaterThanOrEqual(2);
  });

  it('device A cannot report on device B’s message', async () => {
    const a = await createDevice(app, headers);
    const b = await createDevice(app, headers);
    const phoneA = track(phoneFor(app, a));
    const phoneB = track(phoneFor(app, b, { answer: 'hold' }));
    await Promise.all([phoneA.connect(), phoneB.connect()]);

    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550160', body: 'For B only', deviceId: b.id });
    await phoneB.until(() => phoneB.heldCount === 1);

    for (const frame of [
      { type: 'ack', messageId: created.body.id },
      { type: 'result', messageId: created.body.id, status: 'failed', error: 'not mine' },
      { type: 'result', messageId: created.body.id, status: 'sent' },
      { type: 'result', messageId: randomUUID(), status: 'sent' },
    ]) {
      const error = phoneA.waitForFrame('error');
      phoneA.sendFrame(frame);
      expect(await error).toMatchObject({ code: 'MESSAGE_NOT_ASSIGNED', ref: frame.messageId });
    }
    // The worker records the hand-over to B just after B has the frame: wait for that record,
    // then check that nothing A said moved the message.
    const meanwhile = await eventually(
      async () => (await http().get(`/api/v1/messages/${created.body.id}`).set(headers)).body,
      (message) => message.deviceId !== null,
    );
    expect(meanwhile).toMatchObject({ status: 'sending', deviceId: b.id });

    phoneB.releaseHeld();
    const sent = await eventually(
      async () => (await http().get(`/api/v1/messages/${created.body.id}`).set(headers)).body,
      (body) => body.status === 'sent',
    );
    expect(sent.deviceId).toBe(b.id);

    // B's duplicate result and duplicate ack are harmless: no error, no change.
    const frames: ServerFrame[] = [];
    phoneB.on('frame', (frame: ServerFrame) => frames.push(frame));
    phoneB.result(created.body.id, 'sent');
    phoneB.ack(created.body.id);
    // A frame after them, answered: the ones before it have been handled.
    const ack = phoneB.waitForFrame('inbound.ack');
    phoneB.sendInbound({ id: `after-${randomUUID()}`, from: '+14155550161', body: 'ping' });
    await ack;
    expect(frames.filter((frame) => frame.type === 'error')).toEqual([]);
    const after = await http().get(`/api/v1/messages/${created.body.id}`).set(headers);
    expect(after.body).toMatchObject({ status: 'sent', deviceId: b.id, errorCode: null });

    // After "sent", the carrier may still learn that the network did not deliver it; A may not.
    const error = phoneA.waitForFrame('error');
    phoneA.result(created.body.id, 'failed', 'not mine either');
    expect((await error).code).toBe('MESSAGE_NOT_ASSIGNED');
    phoneB.result(created.body.id, 'failed', 'RESULT_ERROR_GENERIC_FAILURE');
    const undelivered = await eventually(
      async () => (await http().get(`/api/v1/messages/${created.body.id}`).set(headers)).body,
      (body) => body.status === 'undelivered',
    );
    expect(undelivered).toMatchObject({ deviceId: b.id, errorCode: 'DEVICE_SEND_FAILED' });
  });
});
