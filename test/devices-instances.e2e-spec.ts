import { ChildProcess } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ServerFrame, SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { ApiProcess, spawnApiProcess } from './helpers/device-api-process';
import { CreatedDevice, createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { spawnWorkerProcess, stopProcess } from './helpers/worker-process';

// Timeouts short enough for the crash test to wait on, long enough that a loaded machine's lag
// in handling acks never passes for a silent phone.
const ENV = {
  DEVICE_ACK_TIMEOUT_MS: '4000',
  DEVICE_RESULT_TIMEOUT_MS: '8000',
  // Short enough for a crashed instance's phones to expire within seconds; long enough that a
  // phone in this loaded test process answers its pings in time.
  DEVICE_HEARTBEAT_MS: '1000',
  // These phones answer a hundred messages a second (an ack and a result each): far beyond what
  // the default frame limits allow a phone (about 1,000 SMS a minute), which would close them.
  DEVICE_FRAMES_PER_SECOND: '1000',
  DEVICE_FRAME_BURST: '2000',
};

/**
 * Phones connected to different API instances, reached by a worker in its own process through
 * Redis only (docs/architecture.md#device-route: never through process memory).
 */
describe('devices across API instances', () => {
  let apiA: NestExpressApplication;
  let apiB: NestExpressApplication;
  let worker: ChildProcess;
  let crashed: ApiProcess | undefined;
  const phones: SimulatedPhone[] = [];

  const http = (app: NestExpressApplication) => request(app.getHttpServer());
  const on = (app: NestExpressApplication, device: CreatedDevice, options = {}) => {
    const phone = phoneFor(app, device, options);
    phones.push(phone);
    return phone;
  };
  const fastDevice = (headers: Record<string, string>) =>
    createDevice(apiA, headers, { sendRatePerMinute: 1000 });
  const sendBatch = async (headers: Record<string, string>, count: number, label: string) => {
    const response = await http(apiB)
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: Array.from({ length: count }, (_, i) => ({
          to: `+1415556${String(1000 + i).padStart(4, '0')}`,
          body: `${label} ${i}`,
          route: 'device',
        })),
      });
    expect(response.status).toBe(202);
    return (response.body.data as Array<{ id: string }>).map((message) => message.id);
  };
  /** Counts by status, read from PostgreSQL (cheap to poll, unlike one GET per message). */
  const statusesOf = async (ids: string[]) => {
    const rows: Array<{ status: string; n: number }> = await apiA
      .get(DataSource)
      .query('SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY status', [
        ids,
      ]);
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  };
  /** Message ids that more than one phone reported "sent". */
  const sentTwice = (group: SimulatedPhone[]) => {
    const reporters = new Map<string, number>();
    for (const phone of group) {
      for (const report of phone.reported) {
        if (report.status === 'sent')
          reporters.set(report.messageId, (reporters.get(report.messageId) ?? 0) + 1);
      }
    }
    return [...reporters.values()].filter((count) => count > 1).length;
  };

  beforeAll(async () => {
    apiA = await createTestApp(ENV);
    apiB = await createTestApp(ENV);
    worker = await spawnWorkerProcess({ ...ENV, WORKER_CONCURRENCY: '50' });
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    if (crashed) await stopProcess(crashed.child, 'SIGKILL');
    await stopProcess(worker);
    await apiB.close();
    await apiA.close();
  });

  it('spreads 300 messages least-loaded over phones on both instances; none lost, none twice', async () => {
    const { headers } = await createAccount(apiA);
    const devices = [
      await fastDevice(headers),
      await fastDevice(headers),
      await fastDevice(headers),
    ];
    // Two phones on instance A, one on B; they hold results until every message is out.
    const group = [
      on(apiA, devices[0], { answer: 'hold' }),
      on(apiA, devices[1], { answer: 'hold' }),
      on(apiB, devices[2], { answer: 'hold' }),
    ];
    await Promise.all(group.map((phone) => phone.connect()));

    const ids = await sendBatch(headers, 300, 'spread');
    await eventually(
      async () => group.reduce((total, phone) => total + phone.received.length, 0),
      (total) => total >= 300,
      60_000,
    );
    const counts = group.map((phone) => phone.received.length);
    expect(counts.reduce((a, b) => a + b)).toBe(300);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

    for (const phone of group) phone.releaseHeld();
    const statuses = await eventually(
      () => statusesOf(ids),
      (byStatus) => byStatus.sent === 300,
      60_000,
    );
    expect(statuses).toEqual({ sent: 300 });
    const received = group.flatMap((phone) => phone.received.map((send) => send.messageId));
    expect(new Set(received).size).toBe(300);
    expect(received).toHaveLength(300);
    expect(sentTwice(group)).toBe(0);
  });

  it('a phone that drops mid-send: its messages go to a phone on the other instance; repeats counted', async () => {
    const { headers } = await createAccount(apiA);
    const [flaky, steady] = [await fastDevice(headers), await fastDevice(headers)];
    const dropping = on(apiA, flaky, { delayMs: 5 });
    const other = on(apiB, steady, { delayMs: 5 });
    await Promise.all([dropping.connect(), other.connect()]);
    // On its 11th send the first phone vanishes without a word (what it held is lost with it),
    // then comes back.
    let heldAtDrop = 0;
    let dropped = '';
    dropping.on('frame', (frame: ServerFrame) => {
      if (frame.type !== 'send' || dropping.received.length !== 10) return;
      dropping.dropNextSend();
    });
    dropping.once('closed', () => {
      dropped = dropping.received[10].messageId;
      const reported = new Set(dropping.reported.map((report) => report.messageId));
      heldAtDrop = dropping.received.filter((send) => !reported.has(send.messageId)).length;
      void dropping.connect();
    });

    const ids = await sendBatch(headers, 200, 'drop');
    const statuses = await eventually(
      () => statusesOf(ids),
      (byStatus) => byStatus.sent === 200,
      60_000,
    );
    expect(statuses).toEqual({ sent: 200 });
    expect(dropping.closes).toHaveLength(1);

    const received = [...dropping.received, ...other.received].map((send) => send.messageId);
    const repeats = received.length - new Set(received).size;
    process.stdout.write(
      `drop test: 200 messages, ${received.length} sends, ${repeats} given twice ` +
        `(${heldAtDrop} held by the phone that dropped), ${sentTwice([dropping, other])} sent twice\n`,
    );
    // Exactly what the phone held when it dropped was given again, to the other phone first;
    // none of it had been reported sent, so nothing was sent twice.
    expect(other.received.map((send) => send.messageId)).toContain(dropped);
    expect(repeats).toBeGreaterThanOrEqual(1);
    expect(repeats).toBeLessThanOrEqual(heldAtDrop);
    expect(sentTwice([dropping, other])).toBe(0);
  });

  it('a crashed instance’s phones go offline by themselves; what they held goes elsewhere', async () => {
    crashed = await spawnApiProcess(ENV);
    const { headers } = await createAccount(apiA);
    const bystanderAccount = await createAccount(apiA);
    const held = await createDevice(apiA, headers);
    const bystander = await createDevice(apiA, bystanderAccount.headers);
    const rescuer = await createDevice(apiA, headers);

    const crashedUrl = { url: `${crashed.url.replace(/^http/, 'ws')}/ws/devices` };
    const silentPhone = on(apiA, held, { ...crashedUrl, answer: 'silent' });
    const idlePhone = on(apiA, bystander, crashedUrl);
    await Promise.all([silentPhone.connect(), idlePhone.connect()]);
    expect(
      (await http(apiA).get(`/api/v1/devices/${bystander.id}`).set(bystanderAccount.headers)).body
        .online,
    ).toBe(true);

    const created = await http(apiA)
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550190', body: 'Held by a doomed instance', route: 'device' });
    await silentPhone.until(() => silentPhone.received.length === 1);

    // kill -9: no shutdown hook runs, nothing is cleaned up in Redis.
    await stopProcess(crashed.child, 'SIGKILL');
    crashed = undefined;

    // Nobody refreshes the presence of the phones it held: they expire.
    const offline = await eventually(
      async () =>
        (await http(apiA).get(`/api/v1/devices/${bystander.id}`).set(bystanderAccount.headers))
          .body,
      (body) => body.online === false,
      15_000,
    );
    expect(offline.online).toBe(false);

    // The message the silent phone held times out and finds the phone that connects now.
    const rescuePhone = on(apiA, rescuer);
    await rescuePhone.connect();
    const sent = await eventually(
      async () => (await http(apiA).get(`/api/v1/messages/${created.body.id}`).set(headers)).body,
      (body) => body.status === 'sent',
      20_000,
    );
    expect(sent.deviceId).toBe(rescuer.id);
    expect(rescuePhone.received.map((send) => send.messageId)).toEqual([created.body.id]);
  });
});
