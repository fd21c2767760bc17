import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import request from 'supertest';
import { Clock, QueueName } from '@app/core';
import { ServerFrame, SimulatedPhone } from './fakes/device-simulator';
import { createAccount } from './helpers/account.factory';
import { createDevice, phoneFor } from './helpers/device.factory';
import { startWorkerWith } from './helpers/device-worker';
import { eventually } from './helpers/eventually';
import { createTestApp } from './helpers/test-app';
import { TestClock } from './helpers/test-clock';

const WINDOW_MS = 60_000;

/**
 * No phone is given more than its sendRatePerMinute in any 60 s. The worker runs on a clock the
 * test moves, and the test wakes the delayed jobs itself: a minute passes without waiting one.
 */
describe('device send rate', () => {
  const clock = new TestClock(new Date('2026-11-21T10:00:50Z'));
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let queue: Queue;
  let headers: Record<string, string>;
  const phones: SimulatedPhone[] = [];
  /** Per phone, the worker-clock time of each send it received. */
  const sendTimes = new Map<SimulatedPhone, number[]>();

  const http = () => request(app.getHttpServer());
  const received = () => phones.reduce((total, phone) => total + phone.received.length, 0);
  /** Waits until every message has been tried since the last promotion. */
  const settle = (expectedReceived: number, expectedWaiting: number) =>
    eventually(
      async () => ({ received: received(), delayed: await queue.getDelayedCount() }),
      (state) => state.received === expectedReceived && state.delayed === expectedWaiting,
      20_000,
    );
  const aMinuteLater = async (ms = WINDOW_MS + 1) => {
    clock.advance(ms);
    await queue.promoteJobs();
  };

  beforeAll(async () => {
    app = await createTestApp();
    worker = await startWorkerWith({}, [{ provide: Clock, useValue: clock }]);
    queue = app.get<Queue>(getQueueToken(QueueName.MessageDispatch));
    headers = (await createAccount(app)).headers;
    const fast = await createDevice(app, headers, { sendRatePerMinute: 3 });
    const slow = await createDevice(app, headers, { sendRatePerMinute: 2 });
    for (const device of [fast, slow]) {
      const phone = phoneFor(app, device);
      sendTimes.set(phone, []);
      phone.on('frame', (frame: ServerFrame) => {
        if (frame.type === 'send') sendTimes.get(phone)!.push(clock.now().getTime());
      });
      phones.push(phone);
      await phone.connect();
    }
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await worker.close();
    await app.close();
  });

  it('holds each phone to its cap in every sliding 60 s window, and sends the rest later', async () => {
    const [fast, slow] = phones;
    const response = await http()
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: Array.from({ length: 12 }, (_, i) => ({
          to: `+1415555${String(3000 + i)}`,
          body: `capped ${i}`,
          route: 'device',
        })),
      });
    expect(response.status).toBe(202);

    // Minute one: 3 + 2 go out; the 7 others were each tried and put off.
    await settle(5, 7);
    expect([fast.received.length, slow.received.length]).toEqual([3, 2]);

    // Half a minute later the window still holds every send (a calendar minute would have
    // turned at 10:01:00): each is tried again, none goes.
    await aMinuteLater(WINDOW_MS / 2);
    await settle(5, 7);

    // Just past the minute the first sends leave the window.
    await aMinuteLater(WINDOW_MS / 2 + 1);
    await settle(10, 2);
    expect([fast.received.length, slow.received.length]).toEqual([6, 4]);

    await aMinuteLater();
    await settle(12, 0);

    const ids = new Set(phones.flatMap((phone) => phone.received.map((send) => send.messageId)));
    expect(ids.size).toBe(12);
    const statuses = await eventually(
      async () =>
        Promise.all(
          [...ids].map(
            async (id) => (await http().get(`/api/v1/messages/${id}`).set(headers)).body.status,
          ),
        ),
      (list) => list.every((status) => status === 'sent'),
    );
    expect(new Set(statuses)).toEqual(new Set(['sent']));

    // The rule itself: in any window of 60 s, at most `rate` sends per phone.
    for (const [phone, rate] of [
      [fast, 3],
      [slow, 2],
    ] as const) {
      const times = sendTimes.get(phone)!;
      for (let i = 0; i + rate < times.length; i++) {
        expect(times[i + rate] - times[i]).toBeGreaterThan(WINDOW_MS);
      }
    }
  });
});
