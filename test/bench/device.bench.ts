// The device phase of `npm run bench`: 10 simulated phones answering at once (no delay, no send
// cap that binds), the API and the worker as the runner started them.
//  - drain: a backlog of messages with route "device", the worker started once it is stored;
//    messages per second from the first send a phone receives to the last.
//  - latency: single POSTs at a fixed rate with the worker running; from each request's due
//    time to the moment a phone receives the send (enqueue→device), p50/p99.
//  - the same drain through 10 phones running the SMS Gateway for Android app (its simulator):
//    woken by the event stream, pulling GET /message, reporting each state with PATCH /message.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { SimulatedPhone } from '../fakes/device-simulator';
import { SmsGateAppSimulator } from '../fakes/smsgate-app-simulator';
import { BenchContext, BenchFigure } from './bench-context';
import { runScheduledLoad, summarise } from './load-generators';

const PHONES = 10;
const DRAIN = { messages: 5000, batch: 1000, timeoutMs: 120_000 };
const LATENCY = { rate: 200, seconds: 10, connections: 16, settleMs: 15_000 };
// High enough never to bind: the phase measures Switchboard, not the phones' cap.
const UNCAPPED_RATE_PER_MINUTE = 60_000;

export interface DeviceBenchResult {
  messagesPerSecond: number;
  enqueueToDeviceP99Ms: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function api<T>(
  context: BenchContext,
  method: 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await request(`${context.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': context.apiKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) {
    throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

async function waitUntil(
  what: string,
  done: () => boolean,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (signal.aborted) throw new Error('interrupted');
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Runs the device phases; the runner prints the figures with its own. */
export async function runDeviceBench(context: BenchContext): Promise<BenchFigure[]> {
  const result = await measureDeviceRoute(context);
  const app = await measureAppDrain(context);
  return [
    {
      key: 'device.drain',
      label: `device route drain, ${PHONES} phones`,
      value: result.messagesPerSecond,
      unit: 'msg/s',
      note: `${DRAIN.messages} messages, phones answering at once, no binding send cap`,
    },
    {
      key: 'device.app.drain',
      label: `  the same, ${PHONES} SMS Gateway app phones`,
      value: app.messagesPerSecond,
      unit: 'msg/s',
      note: app.note,
    },
    {
      key: 'device.enqueueToDevice.p99',
      label: `enqueue→device at ${LATENCY.rate} msg/s, p99`,
      value: result.enqueueToDeviceP99Ms,
      unit: 'ms',
      note: result.note,
    },
  ];
}

export async function measureDeviceRoute(
  context: BenchContext,
): Promise<DeviceBenchResult & { note: string }> {
  await context.resetMessages();
  const devices = await createUncappedDevices(context, PHONES, 'bench phone');
  const wsUrl = `${context.apiUrl.replace(/^http/, 'ws')}/ws/devices`;
  const phones = devices.map(
    (device, index) =>
      new SimulatedPhone({ url: wsUrl, token: device.token, label: `bench-${index + 1}` }),
  );
  try {
    await Promise.all(phones.map((phone) => phone.connect()));
    const received = () => phones.reduce((total, phone) => total + phone.received.length, 0);

    // ---- drain: the backlog is stored first, then the worker starts ----
    await storeDeviceBacklog(context, 'device drain');
    context.progress(`[device] ${DRAIN.messages} messages stored; starting the worker`);
    await context.startWorker();
    await waitUntil(
      'every drain message at a phone',
      () => received() >= DRAIN.messages,
      DRAIN.timeoutMs,
      context.signal,
    );
    const arrivals = phones.flatMap((phone) => phone.received.map((send) => send.receivedAt));
    const seconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const messagesPerSecond = DRAIN.messages / Math.max(seconds, 0.001);
    const perPhone = phones.map((phone) => phone.received.length);
    context.progress(
      `[device drain] ${Math.round(messagesPerSecond).toLocaleString('en-US')} msg/s ` +
        `(${DRAIN.messages} sends in ${round(seconds)} s; per phone ${Math.min(...perPhone)}–${Math.max(...perPhone)})`,
    );

    // ---- latency: a fixed rate, worker running ----
    const before = received();
    const prefix = `device e2e ${Date.now().toString(36)} #`;
    const load = await runScheduledLoad({
      origin: context.apiUrl,
      path: '/api/v1/messages',
      headers: { 'x-api-key': context.apiKey },
      rate: LATENCY.rate,
      durationSeconds: LATENCY.seconds,
      connections: LATENCY.connections,
      body: (index) =>
        JSON.stringify({
          to: `+1415556${String(index % 10_000).padStart(4, '0')}`,
          body: `${prefix}${index}`,
          route: 'device',
        }),
      timeoutMs: 10_000,
      signal: context.signal,
    });
    await waitUntil(
      'every latency message at a phone',
      () => received() - before >= load.ok,
      LATENCY.settleMs,
      context.signal,
    ).catch(() => undefined);
    // Phones record wall-clock receipt; due times are on the performance clock of this process.
    const wallClockOffset = Date.now() - (performance.timeOrigin + performance.now());
    const latencies: number[] = [];
    for (const phone of phones) {
      for (const send of phone.received) {
        if (!send.body.startsWith(prefix)) continue;
        const index = Number(send.body.slice(prefix.length));
        latencies.push(send.receivedAt - (load.dueAt(index) + wallClockOffset));
      }
    }
    const latency = summarise(latencies);
    const note =
      `p50 ${round(latency.p50)} ms, max ${round(latency.max)} ms; ${latency.count}/${load.scheduled} reached a phone; ` +
      `accept p99 ${round(load.latency.p99, 2)} ms`;
    context.progress(
      `[device ${LATENCY.rate} msg/s] enqueue→device ${note.replace('p50', `p99 ${round(latency.p99)} ms, p50`)}`,
    );
    return { messagesPerSecond, enqueueToDeviceP99Ms: latency.p99, note };
  } finally {
    await Promise.all(phones.map((phone) => phone.close()));
    for (const device of devices) {
      await api(context, 'DELETE', `/api/v1/devices/${device.id}`).catch(() => undefined);
    }
  }
}

/** Registers `count` devices able to take every message at once. */
async function createUncappedDevices(
  context: BenchContext,
  count: number,
  name: string,
): Promise<Array<{ id: string; token: string }>> {
  const devices: Array<{ id: string; token: string }> = [];
  for (let index = 0; index < count; index++) {
    devices.push(
      await api(context, 'POST', '/api/v1/devices', {
        name: `${name} ${index + 1}`,
        sendRatePerMinute: UNCAPPED_RATE_PER_MINUTE,
      }),
    );
  }
  return devices;
}

/** Stores `messages` with route "device" in batches (the worker is stopped meanwhile). */
async function storeDeviceBacklog(context: BenchContext, label: string): Promise<void> {
  for (let offset = 0; offset < DRAIN.messages; offset += DRAIN.batch) {
    await api(context, 'POST', '/api/v1/messages/batch', {
      messages: Array.from({ length: DRAIN.batch }, (_, i) => ({
        to: `+1415555${String((offset + i) % 10_000).padStart(4, '0')}`,
        body: `${label} ${offset + i}`,
        route: 'device',
      })),
    });
  }
}

/**
 * The drain through phones running the SMS Gateway for Android app: from the first message a
 * phone pulls to the last (as the WebSocket drain counts from the first send a phone receives),
 * and, in the note, until every phone has sent and reported each one.
 */
export async function measureAppDrain(
  context: BenchContext,
): Promise<{ messagesPerSecond: number; note: string }> {
  await context.resetMessages();
  const devices = await createUncappedDevices(context, PHONES, 'bench app phone');
  const pulledAt: number[] = [];
  const apps = devices.map((device, index) => {
    const app = new SmsGateAppSimulator({
      baseUrl: `${context.apiUrl}/api/mobile/v1`,
      privateToken: device.token,
      name: `Bench/app-${index + 1}`,
      // Sent and delivered at once: the phase measures Switchboard, not a radio.
      outcome: () => ({ result: 'delivered', sentAfterMs: 0, deliveredAfterMs: 0 }),
      recordLimit: 100,
    });
    app.on('message', () => pulledAt.push(Date.now()));
    return app;
  });
  try {
    await Promise.all(apps.map((app) => app.start()));
    await waitUntil(
      'every app phone on its event stream',
      () => apps.every((app) => app.sseConnected),
      10_000,
      context.signal,
    );
    await storeDeviceBacklog(context, 'app drain');
    context.progress(`[device, app] ${DRAIN.messages} messages stored; starting the worker`);
    const started = performance.now();
    await context.startWorker();
    await waitUntil(
      'every drain message pulled by an app phone',
      () => pulledAt.length >= DRAIN.messages,
      DRAIN.timeoutMs,
      context.signal,
    );
    const reported = () =>
      apps.reduce(
        (total, app) =>
          total +
          [...app.messages.values()].filter((message) => message.state === 'Delivered').length,
        0,
      );
    await waitUntil(
      'every drain message delivered and reported',
      () => reported() >= DRAIN.messages,
      DRAIN.timeoutMs,
      context.signal,
    );
    const allReportedSeconds = (performance.now() - started) / 1000;
    const seconds = (Math.max(...pulledAt) - Math.min(...pulledAt)) / 1000;
    const messagesPerSecond = DRAIN.messages / Math.max(seconds, 0.001);
    const perPhone = apps.map((app) => app.messages.size);
    const note =
      `${DRAIN.messages} messages pulled in ${round(seconds)} s (per phone ` +
      `${Math.min(...perPhone)}–${Math.max(...perPhone)}); all sent, delivered and reported ` +
      `${round(allReportedSeconds)} s after the worker started`;
    context.progress(
      `[device drain, app] ${Math.round(messagesPerSecond).toLocaleString('en-US')} msg/s (${note})`,
    );
    return { messagesPerSecond, note };
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    for (const device of devices) {
      await api(context, 'DELETE', `/api/v1/devices/${device.id}`).catch(() => undefined);
    }
  }
}
