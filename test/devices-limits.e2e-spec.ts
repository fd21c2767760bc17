import { NestExpressApplication } from '@nestjs/platform-express';
import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { DeviceSocketHub } from '../apps/api/src/devices/device-socket-hub';
import { SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { createDevice, phoneFor } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';

const FRAMES_PER_SECOND = 20;
const FRAME_BURST = 40;

/** What one phone may cost the API: frames a second, bytes waiting, CPU per inbound SMS. */
describe('/ws/devices limits per socket', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let headers: Record<string, string>;
  const phones: SimulatedPhone[] = [];

  const connectedPhone = async () => {
    const phone = phoneFor(app, await createDevice(app, headers));
    phones.push(phone);
    await phone.connect();
    return phone;
  };

  beforeAll(async () => {
    app = await createTestApp({
      DEVICE_FRAMES_PER_SECOND: String(FRAMES_PER_SECOND),
      DEVICE_FRAME_BURST: String(FRAME_BURST),
    });
    worker = await startTestWorker();
    headers = (await createAccount(app)).headers;
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  it('closes with 1008 a phone sending more frames than its burst at once', async () => {
    const flooder = await connectedPhone();
    for (let index = 0; index < FRAME_BURST * 3; index++) flooder.sendStatus({ battery: 50 });
    expect(await flooder.waitForClose()).toEqual({
      code: 1008,
      reason: 'too many frames per second',
    });

    // Within its burst, then at its rate, a phone is never cut off.
    const steady = await connectedPhone();
    for (let index = 0; index < FRAME_BURST - 5; index++) steady.sendStatus({ battery: 60 });
    const paceMs = (1000 / FRAMES_PER_SECOND) * 2;
    for (let index = 0; index < 10; index++) {
      await new Promise((resolve) => setTimeout(resolve, paceMs));
      steady.sendStatus({ battery: 61 });
    }
    const ack = steady.waitForFrame('inbound.ack');
    steady.sendInbound({ id: `sms-${randomUUID()}`, from: '+14155550190', body: 'Still here' });
    expect(await ack).toMatchObject({ type: 'inbound.ack' });
    expect(steady.connected).toBe(true);
  });

  it('closes with 4008 a phone whose frames waiting to be handled pass 1 MiB, however few', async () => {
    const hoarder = await connectedPhone();
    // Inbound SMS first (each one is stored before the next frame is read), then large frames
    // that queue behind them: 27 frames in all, under the burst; 24 of ~60 KiB.
    for (let index = 0; index < 3; index++) {
      hoarder.sendInbound({ id: `sms-${randomUUID()}`, from: '+14155550191', body: 'First' });
    }
    for (let index = 0; index < 24; index++) {
      hoarder.sendFrame({ type: 'status', battery: 50, padding: 'x'.repeat(60 * 1024) });
    }
    expect(await hoarder.waitForClose()).toEqual({ code: 4008, reason: 'too many frames waiting' });
  });

  // CPU time of this process, which runs the API (wall time would measure the machine's load):
  // the same number of inbound SMS of the same length, ordinary and shaped against the opt-out
  // keyword check. The former regex spent ~0.1 s on each shaped one; now they cost alike.
  it('spends no more CPU on inbound SMS shaped against the keyword check than on ordinary ones', async () => {
    const receiveAll = async (phone: SimulatedPhone, body: string, count: number) => {
      const before = process.cpuUsage();
      for (let index = 0; index < count; index++) {
        const id = `sms-${randomUUID()}`;
        const ack = phone.waitForFrame('inbound.ack');
        phone.sendInbound({ id, from: '+14155550192', body });
        expect(await ack).toEqual({ type: 'inbound.ack', id });
      }
      const spent = process.cpuUsage(before);
      return (spent.user + spent.system) / 1000;
    };
    const ordinary = `${'a'.repeat(9_999)}x`;
    const shaped = `${'.'.repeat(9_999)}x`;
    await receiveAll(await connectedPhone(), ordinary, 3);
    const ordinaryMs = await receiveAll(await connectedPhone(), ordinary, 15);
    const shapedMs = await receiveAll(await connectedPhone(), shaped, 15);
    expect(shapedMs).toBeLessThan(ordinaryMs * 2 + 200);
  });
});

describe('/ws/devices and a phone that does not read its socket', () => {
  let app: NestExpressApplication;
  let phone: SimulatedPhone;

  beforeAll(async () => {
    // No frame rate limit here: only the bytes left unread are under test.
    app = await createTestApp({
      DEVICE_FRAMES_PER_SECOND: '1000000',
      DEVICE_FRAME_BURST: '1000000',
    });
    const { headers } = await createAccount(app);
    phone = phoneFor(app, await createDevice(app, headers));
  });
  afterAll(async () => {
    await phone.close();
    await app.close();
  });

  it('closes it with 1008 once over 1 MiB of answers wait for it, instead of keeping them all', async () => {
    await phone.connect();
    const transport = (phone as unknown as { socket: { _socket: Socket } }).socket._socket;
    transport.pause();
    // Each of these small frames earns an error frame listing the fields it lacks: ~20 times its
    // size, ~10 MB in all, more than the kernel's socket buffers hold.
    for (let index = 0; index < 30_000; index++) phone.sendRaw('{"type":"inbound"}');
    // The server side of the socket starts closing while the phone still reads nothing (seen from
    // the API in this process); reading again, the phone gets what was buffered, then the close.
    const serverSockets = () =>
      [...(app.get(DeviceSocketHub) as unknown as { connections: Set<unknown> }).connections].map(
        (connection) => (connection as { socket: WebSocket }).socket,
      );
    const closing = await eventually(
      async () => serverSockets().some((socket) => socket.readyState === WebSocket.CLOSING),
      (seen) => seen,
      20_000,
    );
    expect(closing).toBe(true);
    transport.resume();
    expect(await phone.waitForClose(30_000)).toEqual({
      code: 1008,
      reason: 'not reading its frames',
    });
  });
});
