import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DomainEvent, EventBus } from '@app/core';
import { SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';

/**
 * The Devices API and the user journey of issue 5: create a device over HTTP, connect a phone
 * with its token, send with route "device", see it sent by that phone.
 */
describe('devices', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let headers: Record<string, string>;
  let accountId: string;
  let otherHeaders: Record<string, string>;
  const phones: SimulatedPhone[] = [];

  const http = () => request(app.getHttpServer());
  const connect = async (phone: SimulatedPhone) => {
    phones.push(phone);
    await phone.connect();
    return phone;
  };
  const message = async (id: string) =>
    (await http().get(`/api/v1/messages/${id}`).set(headers)).body;

  beforeAll(async () => {
    app = await createTestApp();
    worker = await startTestWorker();
    const owner = await createAccount(app);
    accountId = owner.account.id;
    headers = owner.headers;
    otherHeaders = (await createAccount(app)).headers;
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  it('as a new user: create a device, connect the phone, send through it, see it sent', async () => {
    const created = await http()
      .post('/api/v1/devices')
      .set(headers)
      .send({ name: 'Office Pixel' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Office Pixel',
      enabled: true,
      sendRatePerMinute: 20,
      online: false,
      inFlight: 0,
    });
    expect(created.body.token).toMatch(/^sbd_/);
    expect(created.body.tokenPrefix).toBe(created.body.token.slice(0, 12));

    // Shown once: stored only as its hash, never listed again.
    const [stored] = await app
      .get(DataSource)
      .query('SELECT token_hash FROM devices WHERE id = $1', [created.body.id]);
    expect(stored.token_hash).toHaveLength(64);
    expect(stored.token_hash).not.toContain(created.body.token);
    const listed = await http().get('/api/v1/devices').set(headers);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    const phone = await connect(
      phoneFor(
        app,
        { ...created.body },
        {
          device: {
            model: 'Pixel 7',
            androidVersion: '14',
            appVersion: '1.2.3',
            phoneNumber: '+1 415 555 0100',
          },
          status: { battery: 91, charging: true, signal: 4 },
        },
      ),
    );
    expect(phone.welcome).toEqual({
      type: 'welcome',
      deviceId: created.body.id,
      heartbeatMs: 30_000,
      sendRatePerMinute: 20,
    });

    const device = await http().get(`/api/v1/devices/${created.body.id}`).set(headers);
    expect(device.body).toMatchObject({
      online: true,
      battery: 91,
      charging: true,
      signal: 4,
      model: 'Pixel 7',
      androidVersion: '14',
      appVersion: '1.2.3',
      phoneNumber: '+14155550100',
      inFlight: 0,
      sentLastMinute: 0,
    });
    expect(device.body.lastSeenAt).toEqual(expect.any(String));

    const sent = await http()
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550123', body: 'Hello from my phone', route: 'device' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      status: 'sent',
      route: 'device',
      deviceId: created.body.id,
      from: '+14155550100',
      routeRequested: 'device',
    });
    expect(phone.received).toEqual([
      expect.objectContaining({
        messageId: sent.body.id,
        to: '+14155550123',
        body: 'Hello from my phone',
      }),
    ]);
    expect((await message(sent.body.id)).status).toBe('sent');

    const afterSend = await http().get('/api/v1/devices').set(headers);
    expect(afterSend.body.data).toEqual([
      expect.objectContaining({
        id: created.body.id,
        online: true,
        sentLastMinute: 1,
        inFlight: 0,
      }),
    ]);
    const byDevice = await http()
      .get('/api/v1/messages')
      .query({ deviceId: created.body.id })
      .set(headers);
    expect(byDevice.body.data.map((m: { id: string }) => m.id)).toEqual([sent.body.id]);
  });

  it('follows delivery reports after sent, and fails with the phone’s reason', async () => {
    const created = await createDevice(app, headers);
    const phone = await connect(phoneFor(app, created, { reportDelivered: true }));
    const delivered = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550124', body: 'Track me', deviceId: created.id });
    const final = await eventually(
      () => message(delivered.body.id),
      (m) => m.status === 'delivered',
    );
    expect(final).toMatchObject({ status: 'delivered', deviceId: created.id, route: 'device' });
    expect(final.sentAt).toEqual(expect.any(String));
    expect(final.deliveredAt).toEqual(expect.any(String));

    phone.setAnswer('hold');
    const failing = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550125', body: 'No signal', deviceId: created.id });
    await phone.until(() => phone.heldCount === 1);
    phone.result(failing.body.id, 'failed', 'RESULT_ERROR_NO_SERVICE');
    const failed = await eventually(
      () => message(failing.body.id),
      (m) => m.status === 'failed',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      deviceId: created.id,
      errorCode: 'DEVICE_SEND_FAILED',
      errorMessage: 'RESULT_ERROR_NO_SERVICE',
    });
    // A late "sent" for a failed message changes nothing.
    phone.result(failing.body.id, 'sent');
    phone.sendStatus({ battery: 50 });
    await eventually(
      async () => (await http().get(`/api/v1/devices/${created.id}`).set(headers)).body.battery,
      (battery) => battery === 50,
    );
    expect((await message(failing.body.id)).status).toBe('failed');
  });

  it('lists, updates and deletes devices; each account sees only its own', async () => {
    const first = await createDevice(app, otherHeaders, { name: 'Spare' });
    const second = await createDevice(app, otherHeaders, { name: 'Backup', sendRatePerMinute: 5 });

    const page1 = await http().get('/api/v1/devices?limit=1').set(otherHeaders);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((d: { id: string }) => d.id)).toEqual([second.id]);
    expect(page1.body.data[0].sendRatePerMinute).toBe(5);
    const page2 = await http()
      .get('/api/v1/devices')
      .query({ limit: 1, cursor: page1.body.nextCursor })
      .set(otherHeaders);
    expect(page2.body).toEqual({
      data: [expect.objectContaining({ id: first.id })],
      nextCursor: null,
    });

    // Another account's device is a 404, for every verb.
    for (const call of [
      http().get(`/api/v1/devices/${first.id}`),
      http().patch(`/api/v1/devices/${first.id}`).send({ name: 'Mine now' }),
      http().delete(`/api/v1/devices/${first.id}`),
    ]) {
      const response = await call.set(headers);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('DEVICE_NOT_FOUND');
    }
    expect((await http().get('/api/v1/devices/not-a-uuid').set(otherHeaders)).body.code).toBe(
      'DEVICE_NOT_FOUND',
    );

    const patched = await http()
      .patch(`/api/v1/devices/${first.id}`)
      .set(otherHeaders)
      .send({ name: '  Renamed  ', enabled: false, sendRatePerMinute: 12 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', enabled: false, sendRatePerMinute: 12 });
    const reset = await http()
      .patch(`/api/v1/devices/${first.id}`)
      .set(otherHeaders)
      .send({ sendRatePerMinute: null });
    expect(reset.body.sendRatePerMinute).toBe(20);

    const invalid = await http()
      .patch(`/api/v1/devices/${first.id}`)
      .set(otherHeaders)
      .send({ sendRatePerMinute: 0, enabled: 'yes' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'enabled',
      'sendRatePerMinute',
    ]);
    const nameless = await http().post('/api/v1/devices').set(otherHeaders).send({ name: '   ' });
    expect(nameless.status).toBe(400);

    expect((await http().delete(`/api/v1/devices/${first.id}`).set(otherHeaders)).status).toBe(204);
    expect((await http().get(`/api/v1/devices/${first.id}`).set(otherHeaders)).status).toBe(404);
    expect((await http().delete(`/api/v1/devices/${first.id}`).set(otherHeaders)).status).toBe(404);
    const remaining = await http().get('/api/v1/devices').set(otherHeaders);
    expect(remaining.body.data.map((d: { id: string }) => d.id)).toEqual([second.id]);
  });

  it('deleting a device revokes its token and closes its socket', async () => {
    const created = await createDevice(app, headers);
    const phone = await connect(phoneFor(app, created));
    expect((await http().delete(`/api/v1/devices/${created.id}`).set(headers)).status).toBe(204);
    expect(await phone.waitForClose()).toEqual({ code: 4003, reason: 'device deleted' });

    const again = phoneFor(app, created);
    phones.push(again);
    await expect(again.connect()).rejects.toMatchObject({ code: 4001 });
  });

  it('refuses a deviceId of another account, or unknown, before storing anything', async () => {
    const foreign = await createDevice(app, otherHeaders);
    const response = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550126', body: 'Not yours', deviceId: foreign.id });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'DEVICE_NOT_FOUND',
      errors: [expect.objectContaining({ field: 'deviceId', code: 'DEVICE_NOT_FOUND' })],
    });
    const [{ count }] = await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM messages WHERE to_number = '+14155550126'`);
    expect(count).toBe(0);
  });

  it('publishes device.updated when a phone connects, reports status and disconnects', async () => {
    const created = await createDevice(app, headers);
    const events: DomainEvent[] = [];
    const stop = await app.get(EventBus).subscribe(accountId, (event) => {
      if (event.type === 'device.updated' && (event.data as { id: string }).id === created.id) {
        events.push(event);
      }
    });
    try {
      const phone = phoneFor(app, created, { status: { battery: 70, charging: false, signal: 2 } });
      await phone.connect();
      phone.sendStatus({ battery: 69 });
      await eventually(
        async () => events.length,
        (count) => count >= 2,
      );
      await phone.close();
      const all = await eventually(
        async () => events,
        (list) => list.some((event) => (event.data as { online: boolean }).online === false),
      );
      const states = all.map((event) => event.data as { online: boolean; battery: number });
      expect(states[0]).toMatchObject({ online: true, battery: 70 });
      expect(states[1]).toMatchObject({ online: true, battery: 69 });
      expect(states.at(-1)).toMatchObject({ online: false, battery: 69 });
      expect(all.every((event) => event.accountId === events[0].accountId)).toBe(true);
    } finally {
      stop();
    }
  });

  it('documents the Devices API in OpenAPI, with examples', async () => {
    const docs = (await http().get('/docs-json')).body;
    expect(Object.keys(docs.paths['/api/v1/devices']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(docs.paths['/api/v1/devices/{id}']).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
    const { CreateDeviceDto, UpdateDeviceDto, DeviceView, CreatedDeviceView } =
      docs.components.schemas;
    for (const schema of [CreateDeviceDto, UpdateDeviceDto, DeviceView]) {
      for (const [name, property] of Object.entries(
        schema.properties as Record<string, { example?: unknown }>,
      )) {
        expect({ name, example: property.example }).toEqual({ name, example: expect.anything() });
      }
    }
    expect(JSON.stringify(CreatedDeviceView)).toContain('token');
  });
});
