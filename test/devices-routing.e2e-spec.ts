import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DomainEvent, EventBus } from '@app/core';
import { DeviceSimulator, SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { connectPhones, createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';

/** The `device` route (docs/architecture.md#device-route): least-loaded picks, re-routing, auto. */
describe('the device route', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  const simulators: DeviceSimulator[] = [];
  const phones: SimulatedPhone[] = [];

  const http = () => request(app.getHttpServer());
  const messageOf = async (headers: Record<string, string>, id: string) =>
    (await http().get(`/api/v1/messages/${id}`).set(headers)).body;
  const sendBatch = async (headers: Record<string, string>, count: number, extra: object = {}) => {
    const response = await http()
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: Array.from({ length: count }, (_, i) => ({
          to: `+1415555${String(2000 + i).padStart(4, '0')}`,
          body: `spread ${i}`,
          route: 'device',
          ...extra,
        })),
      });
    expect(response.status).toBe(202);
    return (response.body.data as Array<{ id: string }>).map((message) => message.id);
  };
  /** Counts by status, read from PostgreSQL (cheap to poll, unlike one GET per message). */
  const countByStatus = async (ids: string[]) => {
    const rows: Array<{ status: string; n: number }> = await app
      .get(DataSource)
      .query('SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY status', [
        ids,
      ]);
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  };
  const newAccount = async () => (await createAccount(app)).headers;
  const track = (phone: SimulatedPhone) => {
    phones.push(phone);
    return phone;
  };

  beforeAll(async () => {
    app = await createTestApp();
    worker = await startTestWorker();
  });
  afterAll(async () => {
    await Promise.all(simulators.map((simulator) => simulator.stop()));
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  it('spreads messages least-loaded: counts within one of each other across 3 phones', async () => {
    const headers = await newAccount();
    // The phones hold every result until all messages are out, so in-flight counts only grow.
    const { devices, simulator } = await connectPhones(app, headers, 3, { answer: 'hold' });
    simulators.push(simulator);
    for (const device of devices) {
      await http()
        .patch(`/api/v1/devices/${device.id}`)
        .set(headers)
        .send({ sendRatePerMinute: 1000 });
    }
    const ids = await sendBatch(headers, 300);
    await eventually(
      async () => simulator.received.length,
      (count) => count >= 300,
      30_000,
    );
    const counts = simulator.phones.map((phone) => phone.received.length);
    expect(counts.reduce((a, b) => a + b)).toBe(300);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

    const live = await http().get('/api/v1/devices').set(headers);
    expect(live.body.data.map((d: { inFlight: number }) => d.inFlight).sort()).toEqual([
      100, 100, 100,
    ]);

    for (const phone of simulator.phones) phone.releaseHeld();
    const statuses = await eventually(
      () => countByStatus(ids),
      (counts) => counts.sent === 300,
      30_000,
    );
    expect(statuses).toEqual({ sent: 300 });
    // Each message went to exactly one phone.
    expect(new Set(simulator.received.map((send) => send.messageId)).size).toBe(300);
  });

  it('gives a slow phone fewer messages than fast ones', async () => {
    const headers = await newAccount();
    const { devices, simulator } = await connectPhones(app, headers, 3);
    simulators.push(simulator);
    for (const device of devices) {
      await http()
        .patch(`/api/v1/devices/${device.id}`)
        .set(headers)
        .send({ sendRatePerMinute: 1000 });
    }
    // Reconnect the first as a slow phone: 400 ms between a send and its result.
    await simulator.phones[0].close();
    const slow = track(phoneFor(app, devices[0], { delayMs: 400 }));
    await slow.connect();
    const ids = await sendBatch(headers, 150);
    await eventually(
      () => countByStatus(ids),
      (counts) => counts.sent === 150,
      30_000,
    );
    const fast = simulator.phones.slice(1).map((phone) => phone.received.length);
    expect(slow.received.length + fast[0] + fast[1]).toBe(150);
    expect(slow.received.length).toBeLessThan(Math.min(...fast));
  });

  it('re-routes a message whose phone disconnects mid-send; its final status comes once', async () => {
    const account = await createAccount(app);
    const headers = account.headers;
    const [first, second] = [await createDevice(app, headers), await createDevice(app, headers)];
    // The fuller battery wins the tie between two idle phones: the first gets the message.
    const dropping = track(
      phoneFor(app, first, { status: { battery: 100, charging: true, signal: 4 } }),
    );
    const other = track(
      phoneFor(app, second, { status: { battery: 40, charging: false, signal: 4 } }),
    );
    await Promise.all([dropping.connect(), other.connect()]);
    dropping.dropNextSend();

    const events: DomainEvent[] = [];
    const stop = await app
      .get(EventBus)
      .subscribe(account.account.id, (event) => events.push(event));
    try {
      const created = await http()
        .post('/api/v1/messages')
        .set(headers)
        .send({ to: '+14155550170', body: 'Mid-send drop', route: 'device' });
      const sent = await eventually(
        () => messageOf(headers, created.body.id),
        (message) => message.status === 'sent',
      );
      expect(sent).toMatchObject({ status: 'sent', deviceId: second.id, errorCode: null });
      expect(dropping.received.map((s) => s.messageId)).toEqual([created.body.id]);
      expect(other.received.map((s) => s.messageId)).toEqual([created.body.id]);
      expect(other.reported).toEqual([{ messageId: created.body.id, status: 'sent' }]);

      // One more message on the remaining phone, so that any stray event of the first had time
      // to arrive before we count.
      await http()
        .post('/api/v1/messages?wait=10')
        .set(headers)
        .send({ to: '+14155550171', body: 'after', route: 'device' });
      const finals = events.filter(
        (event) =>
          event.type === 'message.updated' &&
          (event.data as { id: string }).id === created.body.id &&
          (event.data as { status: string }).status === 'sent',
      );
      expect(finals).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('waits for a phone when none is online, then sends; expires if none comes in time', async () => {
    const headers = await newAccount();
    const device = await createDevice(app, headers);
    const expiring = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({
        to: '+14155550174',
        body: 'Soon stale',
        route: 'device',
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      });
    const waiting = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550175', body: 'Patient', route: 'device' });
    const expired = await eventually(
      () => messageOf(headers, expiring.body.id),
      (message) => message.status === 'expired',
      15_000,
    );
    expect(expired.errorCode).toBe('EXPIRED');
    expect(['queued', 'sending']).toContain((await messageOf(headers, waiting.body.id)).status);

    const phone = track(phoneFor(app, device));
    await phone.connect();
    const sent = await eventually(
      () => messageOf(headers, waiting.body.id),
      (message) => message.status === 'sent',
      15_000,
    );
    expect(sent.deviceId).toBe(device.id);
    expect(phone.received.map((s) => s.messageId)).toEqual([waiting.body.id]);
  });

  it('auto prefers an eligible phone, else the carrier; deviceId pins one phone', async () => {
    const headers = await newAccount();
    const viaCarrier = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550176', body: 'No phone yet' });
    expect(viaCarrier.body).toMatchObject({ status: 'sent', route: 'console', deviceId: null });

    const [capped, pinned] = [
      await createDevice(app, headers, { sendRatePerMinute: 1 }),
      await createDevice(app, headers),
    ];
    const cappedPhone = track(
      phoneFor(app, capped, { status: { battery: 100, charging: true, signal: 4 } }),
    );
    await cappedPhone.connect();
    const viaPhone = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550177', body: 'Auto, phone online' });
    expect(viaPhone.body).toMatchObject({ status: 'sent', route: 'device', deviceId: capped.id });
    // Its one message a minute is spent: auto does not wait for it.
    const overCap = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550178', body: 'Auto, phone at its cap' });
    expect(overCap.body).toMatchObject({ status: 'sent', route: 'console' });

    const pinnedPhone = track(
      phoneFor(app, pinned, { status: { battery: 5, charging: false, signal: 0 } }),
    );
    await pinnedPhone.connect();
    await http()
      .patch(`/api/v1/devices/${capped.id}`)
      .set(headers)
      .send({ sendRatePerMinute: 100 });
    const toPinned = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550179', body: 'Through the weak one', deviceId: pinned.id });
    expect(toPinned.body).toMatchObject({
      status: 'sent',
      route: 'device',
      deviceId: pinned.id,
      routeRequested: 'device',
    });

    // A disabled phone is given nothing: auto goes to the other phone.
    await http().patch(`/api/v1/devices/${capped.id}`).set(headers).send({ enabled: false });
    const notDisabled = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550180', body: 'Not the disabled one' });
    expect(notDisabled.body).toMatchObject({ route: 'device', deviceId: pinned.id });
    expect(cappedPhone.received).toHaveLength(1);
  });
});
