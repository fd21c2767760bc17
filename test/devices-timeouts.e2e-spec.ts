import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import request from 'supertest';
import { MaintenanceJob, QueueName } from '@app/core';
import { SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { possibleDuplicates } from './helpers/metrics';
import { createTestApp } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';

// Short phone timeouts, and a reconciler that runs often and calls a message "stuck" after 1 s.
const ENV = {
  DEVICE_ACK_TIMEOUT_MS: '500',
  DEVICE_RESULT_TIMEOUT_MS: '1500',
  RECONCILE_INTERVAL_MS: '500',
  DISPATCH_STUCK_AFTER_MS: '1000',
};
// The reconciler only looks at messages older than this (see message-reconciler.service.ts).
const RECONCILER_SETTLE_MS = 5000;

/**
 * Phones that do not answer in time lose their messages to other phones; a message re-routed
 * away from a phone keeps one dispatch job, under its own id, so the reconciler does not add a
 * second one and the message is not given twice when a phone comes.
 */
describe('device timeouts and re-routing', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  const phones: SimulatedPhone[] = [];

  beforeAll(async () => {
    app = await createTestApp(ENV);
    worker = await startTestWorker(ENV);
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  const http = () => request(app.getHttpServer());
  const newAccount = async () => (await createAccount(app)).headers;
  const messageOf = async (headers: Record<string, string>, id: string) =>
    (await http().get(`/api/v1/messages/${id}`).set(headers)).body;
  const track = (phone: SimulatedPhone) => {
    phones.push(phone);
    return phone;
  };

  it('re-routes when a phone does not acknowledge in time; its late answer changes nothing', async () => {
    const headers = await newAccount();
    const [mute, good] = [await createDevice(app, headers), await createDevice(app, headers)];
    const silent = track(
      phoneFor(app, mute, {
        answer: 'silent',
        status: { battery: 100, charging: false, signal: 4 },
      }),
    );
    const working = track(
      phoneFor(app, good, { status: { battery: 20, charging: false, signal: 4 } }),
    );
    await Promise.all([silent.connect(), working.connect()]);

    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550172', body: 'Anyone there?', route: 'device' });
    const sent = await eventually(
      () => messageOf(headers, created.body.id),
      (message) => message.status === 'sent',
    );
    expect(sent.deviceId).toBe(good.id);
    expect(silent.received.map((s) => s.messageId)).toEqual([created.body.id]);
    expect(working.received.map((s) => s.messageId)).toEqual([created.body.id]);

    // The silent phone wakes up: its ack and result are ignored, without an error.
    silent.ack(created.body.id);
    silent.result(created.body.id, 'failed', 'woke up late');
    const ack = silent.waitForFrame('inbound.ack');
    silent.sendInbound({ id: 'late-marker', from: '+14155550173', body: 'x' });
    await ack;
    expect(silent.frames.filter((frame) => frame.type === 'error')).toEqual([]);
    expect(await messageOf(headers, created.body.id)).toMatchObject({
      status: 'sent',
      deviceId: good.id,
    });
  });

  it('re-routes an acknowledged message whose result never comes; a late "sent" changes nothing', async () => {
    const headers = await newAccount();
    const [stalled, good] = [await createDevice(app, headers), await createDevice(app, headers)];
    const acking = track(
      phoneFor(app, stalled, {
        answer: 'ack-only',
        status: { battery: 100, charging: true, signal: 4 },
      }),
    );
    const working = track(
      phoneFor(app, good, { status: { battery: 10, charging: false, signal: 1 } }),
    );
    await Promise.all([acking.connect(), working.connect()]);

    const rerouted = await possibleDuplicates(app, 'device_rerouted_after_ack');
    const sentLate = await possibleDuplicates(app, 'device_sent_after_reroute');
    const created = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550181', body: 'Acked, then silence', route: 'device' });
    const sent = await eventually(
      () => messageOf(headers, created.body.id),
      (message) => message.status === 'sent',
    );
    expect(sent).toMatchObject({ deviceId: good.id, errorCode: null });
    expect(acking.received.map((s) => s.messageId)).toEqual([created.body.id]);

    acking.result(created.body.id, 'sent');
    const ack = acking.waitForFrame('inbound.ack');
    acking.sendInbound({ id: 'after-late-sent', from: '+14155550182', body: 'x' });
    await ack;
    expect(acking.frames.filter((frame) => frame.type === 'error')).toEqual([]);
    expect(await messageOf(headers, created.body.id)).toMatchObject({
      status: 'sent',
      deviceId: good.id,
    });
    // Both moments it may have gone out twice are counted for operators.
    expect(await possibleDuplicates(app, 'device_rerouted_after_ack')).toBe(rerouted + 1);
    expect(await possibleDuplicates(app, 'device_sent_after_reroute')).toBe(sentLate + 1);
  });

  it('leaves a re-routed message that waits for a phone alone', async () => {
    const { headers } = await createAccount(app);
    const [first, second] = [await createDevice(app, headers), await createDevice(app, headers)];
    const leaving = phoneFor(app, first);
    phones.push(leaving);
    await leaving.connect();
    leaving.dropNextSend();

    const created = await request(app.getHttpServer())
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550195', body: 'Waits for a phone', route: 'device' });
    const messageId: string = created.body.id;
    const createdAt = Date.parse(created.body.createdAt);
    await leaving.waitForClose();

    // Let the reconciler look at the waiting message several times, stuck by its standards.
    const maintenance = worker.get<Queue>(getQueueToken(QueueName.Maintenance));
    const reconciles = async () =>
      (await maintenance.getJobs(['completed'], 0, 1000)).filter(
        (job) =>
          job.name === MaintenanceJob.ReconcileMessages &&
          (job.finishedOn ?? 0) > createdAt + RECONCILER_SETTLE_MS + 1000,
      ).length;
    await eventually(reconciles, (count) => count >= 3, 20_000, 200);
    // One live dispatch job for the message, under its own id.
    const dispatch = app.get<Queue>(getQueueToken(QueueName.MessageDispatch));
    const live = await dispatch.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
    expect(live.filter((job) => job.data.messageId === messageId).map((job) => job.id)).toEqual([
      messageId,
    ]);

    const arriving = phoneFor(app, second);
    phones.push(arriving);
    await arriving.connect();
    const sent = await eventually(
      async () =>
        (await request(app.getHttpServer()).get(`/api/v1/messages/${messageId}`).set(headers)).body,
      (message) => message.status === 'sent',
      15_000,
    );
    expect(sent.deviceId).toBe(second.id);
    // One more message through the same phone: anything queued twice would have arrived by then.
    await request(app.getHttpServer())
      .post('/api/v1/messages?wait=10')
      .set(headers)
      .send({ to: '+14155550196', body: 'after', route: 'device' });
    expect(arriving.received.filter((send) => send.messageId === messageId)).toHaveLength(1);
  });
});
