import { ChildProcess } from 'node:child_process';
import { NestExpressApplication } from '@nestjs/platform-express';
import { EventSource } from 'eventsource';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { CreatedDevice, createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { appCall, gsonNow, jsonOf, openAppEvents } from './helpers/smsgate-app-http';
import {
  messageCancelledPayloadSchema,
  messageListSchema,
  schemaErrors,
} from './helpers/smsgate-app-schemas';
import { createTestApp, urlOf } from './helpers/test-app';
import { spawnWorkerProcess, stopProcess } from './helpers/worker-process';

// Long enough that phones holding their results until every message is out (which takes a while
// on a loaded machine) stay in time.
const ENV = {
  DEVICE_ACK_TIMEOUT_MS: '5000',
  DEVICE_RESULT_TIMEOUT_MS: '30000',
  DEVICE_HEARTBEAT_MS: '300',
};

type AppState = 'Processed' | 'Sent' | 'Delivered' | 'Failed';
type PhoneMode = 'hold' | 'auto' | 'mute' | 'asleep';

/**
 * A phone running the app, as far as these tests need it: its stream open, a pull whenever it is
 * woken (one at a time, again if woken meanwhile), and the states it reports, driven by the test.
 * Raw HTTP against the mobile API; not a simulator of the app.
 */
class AppPhone {
  readonly pulled: string[] = [];
  readonly reported: Array<{ id: string; state: AppState }> = [];
  readonly wakeUps: string[] = [];
  private readonly seen = new Set<string>();
  private readonly held: string[] = [];
  private stream?: EventSource;
  private pulling?: Promise<void>;
  private again = false;

  constructor(
    private readonly base: string,
    readonly device: CreatedDevice,
    /**
     * `hold`: keep the results until released; `auto`: report Sent then Delivered; `mute`: never
     * report; `asleep`: pull only when the test says (a phone whose pull has not run yet).
     */
    private mode: PhoneMode,
  ) {}

  async connect(): Promise<void> {
    const registered = await appCall(this.base, this.device.token, 'POST', '/device', {
      name: 'Google/panther',
      simCards: [],
    });
    expect(registered.status).toBe(201);
    this.stream = openAppEvents(this.base, this.device.token);
    // The app pulls when its stream opens and whenever it is told messages wait.
    this.stream.addEventListener('open', () => this.wake('open'));
    this.stream.addEventListener('MessageEnqueued', () => this.wake('MessageEnqueued'));
    this.stream.addEventListener('MessageCancelled', (event) =>
      this.wakeUps.push(`MessageCancelled ${event.data}`),
    );
  }

  close(): void {
    this.stream?.close();
  }

  heldCount(): number {
    return this.held.length;
  }

  async release(): Promise<void> {
    this.mode = 'auto';
    const held = this.held.splice(0);
    await Promise.all(held.map((id) => this.finish(id)));
  }

  async report(id: string, state: AppState): Promise<void> {
    const response = await appCall(this.base, this.device.token, 'PATCH', '/message', [
      {
        id,
        state,
        recipients: [{ phoneNumber: '+14155550100', state }],
        states: { Processed: gsonNow(), [state]: gsonNow() },
      },
    ]);
    expect(response.status).toBe(204);
    this.reported.push({ id, state });
  }

  /** Pulls now, whatever the mode; the ids pulled. */
  async pullNow(): Promise<string[]> {
    const before = this.pulled.length;
    await this.pull();
    return this.pulled.slice(before);
  }

  private wake(reason: string): void {
    this.wakeUps.push(reason);
    if (this.mode === 'asleep') return;
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = this.pull().finally(() => {
      this.pulling = undefined;
      if (this.again) {
        this.again = false;
        this.wake('again');
      }
    });
  }

  private async pull(): Promise<void> {
    const response = await appCall(this.base, this.device.token, 'GET', '/message?order=fifo');
    expect(response.status).toBe(200);
    const messages = await jsonOf<Array<{ id: string }>>(response);
    expect(schemaErrors(messageListSchema, messages)).toEqual([]);
    for (const { id } of messages) {
      this.pulled.push(id);
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (this.mode === 'hold') this.held.push(id);
      else if (this.mode === 'auto') void this.finish(id);
    }
  }

  private async finish(id: string): Promise<void> {
    await this.report(id, 'Processed');
    await this.report(id, 'Sent');
    await this.report(id, 'Delivered');
  }
}

/**
 * App phones (SSE) and a WebSocket phone are one kind of device: least-loaded picks across both
 * transports and two API instances, ack and result deadlines, re-routing and cancellation work
 * the same (docs/device-protocol.md#transports).
 */
describe('SMS Gateway app phones in the device route', () => {
  let apiA: NestExpressApplication;
  let apiB: NestExpressApplication;
  let worker: ChildProcess;
  const appPhones: AppPhone[] = [];
  const socketPhones: SimulatedPhone[] = [];

  const http = (app: NestExpressApplication) => request(app.getHttpServer());
  const appPhone = (app: NestExpressApplication, device: CreatedDevice, mode: PhoneMode) => {
    const phone = new AppPhone(urlOf(app), device, mode);
    appPhones.push(phone);
    return phone;
  };
  const online = (headers: Record<string, string>, ids: string[]) =>
    eventually(
      async () => (await http(apiA).get('/api/v1/devices?limit=100').set(headers)).body.data,
      (views: Array<{ id: string; online: boolean }>) =>
        ids.every((id) => views.some((view) => view.id === id && view.online)),
    );
  const statusesOf = async (ids: string[]) => {
    const rows: Array<{ status: string; n: number }> = await apiA
      .get(DataSource)
      .query('SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY status', [
        ids,
      ]);
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  };
  const messageOf = async (headers: Record<string, string>, id: string) =>
    (await http(apiA).get(`/api/v1/messages/${id}`).set(headers)).body;

  beforeAll(async () => {
    apiA = await createTestApp(ENV);
    apiB = await createTestApp(ENV);
    worker = await spawnWorkerProcess({ ...ENV, WORKER_CONCURRENCY: '50' });
  });
  afterAll(async () => {
    for (const phone of appPhones) phone.close();
    await Promise.all(socketPhones.map((phone) => phone.close()));
    await stopProcess(worker);
    await apiB.close();
    await apiA.close();
  });

  it('spreads 300 messages least-loaded over 2 app phones and 1 socket phone on two instances; each sent once, then delivered', async () => {
    const { headers } = await createAccount(apiA);
    const fast = () => createDevice(apiA, headers, { sendRatePerMinute: 1000 });
    const [first, second, third] = [await fast(), await fast(), await fast()];
    const sse = [appPhone(apiA, first, 'hold'), appPhone(apiB, second, 'hold')];
    const socket = phoneFor(apiA, third, { answer: 'hold' });
    socketPhones.push(socket);
    await Promise.all([...sse.map((phone) => phone.connect()), socket.connect()]);
    await online(headers, [first.id, second.id, third.id]);
    const views = (await http(apiA).get('/api/v1/devices').set(headers)).body.data;
    expect(
      Object.fromEntries(
        views.map((view: { id: string; transport: string }) => [view.id, view.transport]),
      ),
    ).toEqual({ [first.id]: 'sse', [second.id]: 'sse', [third.id]: 'websocket' });

    const response = await http(apiB)
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: Array.from({ length: 300 }, (_, i) => ({
          to: `+1415557${String(1000 + i).padStart(4, '0')}`,
          body: `spread ${i}`,
          route: 'device',
        })),
      });
    expect(response.status).toBe(202);
    const ids = (response.body.data as Array<{ id: string }>).map((message) => message.id);

    const startedAt = Date.now();
    const counts = await eventually(
      async () => [...sse.map((phone) => phone.heldCount()), socket.received.length],
      (held) => held.reduce((a, b) => a + b) >= 300,
      60_000,
    );
    process.stdout.write(`300 messages held by 3 phones after ${Date.now() - startedAt} ms\n`);
    expect(counts.reduce((a, b) => a + b)).toBe(300);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

    const releasedAt = Date.now();
    await Promise.all(sse.map((phone) => phone.release()));
    process.stdout.write(`app phones reported in ${Date.now() - releasedAt} ms\n`);
    socket.releaseHeld();
    // The network's delivery reports, after each `sent` (frames are handled in order).
    for (const send of socket.received) socket.result(send.messageId, 'delivered');
    const statuses = await eventually(
      () => statusesOf(ids),
      (byStatus) => byStatus.delivered === 300,
      60_000,
    );
    process.stdout.write(`all delivered ${Date.now() - releasedAt} ms after the release\n`);
    expect(statuses).toEqual({ delivered: 300 });
    // Each went out once, from one phone: sent, then delivered.
    const [{ ordered }] = await apiA
      .get(DataSource)
      .query(
        'SELECT count(*)::int AS ordered FROM messages WHERE id = ANY($1) AND sent_at <= delivered_at',
        [ids],
      );
    expect(ordered).toBe(300);
    const sentBy = [
      ...sse.flatMap((phone) => phone.reported.filter((r) => r.state === 'Sent').map((r) => r.id)),
      ...socket.reported.filter((r) => r.status === 'sent').map((r) => r.messageId),
    ];
    expect(sentBy).toHaveLength(300);
    expect(new Set(sentBy)).toEqual(new Set(ids));
    const carriers = await apiA
      .get(DataSource)
      .query(
        'SELECT device_id, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY device_id',
        [ids],
      );
    expect(carriers).toHaveLength(3);
    expect(await http(apiA).get(`/api/v1/devices/${first.id}`).set(headers)).toMatchObject({
      body: { inFlight: 0, transport: 'sse' },
    });
  }, 180_000);

  it('an app phone that pulls and never reports loses the message after the result timeout', async () => {
    const { headers } = await createAccount(apiA);
    const [muteDevice, goodDevice] = [
      await createDevice(apiA, headers),
      await createDevice(apiA, headers),
    ];
    const mute = appPhone(apiB, muteDevice, 'mute');
    await mute.connect();
    await online(headers, [muteDevice.id]);

    const created = await http(apiA)
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550177', body: 'Pulled, never reported', route: 'device' });
    await eventually(
      async () => mute.pulled,
      (pulled) => pulled.includes(created.body.id),
    );
    const good = appPhone(apiA, goodDevice, 'auto');
    await good.connect();

    const sent = await eventually(
      () => messageOf(headers, created.body.id),
      (message) => message.status === 'delivered',
      60_000,
    );
    expect(sent.deviceId).toBe(goodDevice.id);
    // The phone that kept it is not given it again.
    const again = await appCall(urlOf(apiA), muteDevice.token, 'GET', '/message?order=lifo');
    expect(await jsonOf(again)).toEqual([]);
  });

  it('a message canceled before its app phone pulled it is never given out; a pulled one cannot be canceled', async () => {
    const { headers } = await createAccount(apiA);
    const device = await createDevice(apiA, headers);
    const phone = appPhone(apiB, device, 'asleep');
    await phone.connect();
    await online(headers, [device.id]);
    const post = async (body: string) =>
      (
        await http(apiA)
          .post('/api/v1/messages')
          .set(headers)
          .send({ to: '+14155550178', body, route: 'device' })
      ).body.id as string;
    const deviceView = async () =>
      (await http(apiA).get(`/api/v1/devices/${device.id}`).set(headers)).body;

    const id = await post('Never mind');
    await eventually(
      async () => phone.wakeUps,
      (wakeUps) => wakeUps.includes('MessageEnqueued'),
    );
    expect((await deviceView()).inFlight).toBe(1);
    const canceled = await http(apiA).post(`/api/v1/messages/${id}/cancel`).set(headers);
    expect([canceled.status, canceled.body.status]).toEqual([200, 'canceled']);
    // The app is told, with the payload it parses.
    const told = await eventually(
      async () => phone.wakeUps.filter((wakeUp) => wakeUp.startsWith('MessageCancelled')),
      (events) => events.length === 1,
    );
    const payload = JSON.parse(told[0].slice('MessageCancelled '.length));
    expect(schemaErrors(messageCancelledPayloadSchema, payload)).toEqual([]);
    expect(payload).toEqual({ messageId: id });

    expect(await phone.pullNow()).toEqual([]);
    expect((await deviceView()).inFlight).toBe(0);
    // A report on it (the app never had it) changes nothing.
    await phone.report(id, 'Sent');
    expect((await messageOf(headers, id)).status).toBe('canceled');

    // Once pulled, the phone may be sending it: too late to cancel.
    const pulledId = await post('Too late');
    await eventually(
      async () => (await deviceView()).inFlight,
      (inFlight) => inFlight === 1,
    );
    expect(await phone.pullNow()).toEqual([pulledId]);
    const refused = await http(apiA).post(`/api/v1/messages/${pulledId}/cancel`).set(headers);
    expect([refused.status, refused.body.code]).toEqual([409, 'MESSAGE_NOT_CANCELABLE']);
    await phone.report(pulledId, 'Sent');
    expect((await messageOf(headers, pulledId)).status).toBe('sent');
    expect((await messageOf(headers, id)).status).toBe('canceled');
  });
});
