import { EventEmitter } from 'node:events';
import WebSocket from 'ws';

/**
 * Simulated Android phones speaking the `/ws/devices` protocol (docs/device-protocol.md), for
 * tests, the benchmark and `npm run device:sim`. It knows nothing of the server's code: it only
 * sends and reads frames, as a real phone app would.
 */

export interface PhoneDescription {
  model: string;
  androidVersion: string;
  appVersion: string;
  phoneNumber?: string;
}

/** A SIM card as the phone reports it in hello (simNumber is 1-based, as Android numbers slots). */
export interface PhoneSimCard {
  slotIndex: number;
  simNumber: number;
  phoneNumber?: string;
  carrierName?: string;
}

export interface PhoneStatus {
  battery: number;
  charging: boolean;
  signal: number;
}

/**
 * How a phone answers a `send`: `auto` acks at once and reports the result after `delayMs`;
 * `hold` acks and keeps the result until `releaseHeld()`; `ack-only` acks and never reports;
 * `silent` does not even ack (the server's ack timeout fires).
 */
export type AnswerMode = 'auto' | 'hold' | 'ack-only' | 'silent';

export interface SimulatedPhoneOptions {
  /** ws://host:port or the full ws://host:port/ws/devices. */
  url: string;
  token: string;
  /** `header` (default): Authorization: Bearer at upgrade. `frame`: a first `auth` frame. */
  authBy?: 'header' | 'frame';
  label?: string;
  answer?: AnswerMode;
  /** Milliseconds between a send and its result (`auto`). */
  delayMs?: number;
  /** Share of sends reported `failed` (0–1). */
  failRate?: number;
  /** Share of sends on which the phone drops its connection without answering (0–1). */
  dropRate?: number;
  /** Also report `delivered` after `sent`. */
  reportDelivered?: boolean;
  /** false: do not answer the server's pings (a phone whose network silently died). */
  autoPong?: boolean;
  device?: Partial<PhoneDescription>;
  status?: Partial<PhoneStatus>;
  /** Reported in hello; absent: the phone says nothing of its SIMs. */
  simCards?: PhoneSimCard[];
  /** Randomness for fail/drop decisions (tests pass a seeded one). */
  random?: () => number;
}

export interface ReceivedSend {
  messageId: string;
  to: string;
  body: string;
  /** The SIM the server named; undefined: the phone's default. */
  simNumber?: number;
  receivedAt: number;
}

export interface ServerFrame {
  type: string;
  [field: string]: unknown;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

/** The server closed the socket before the phone was welcomed. */
export class PhoneClosedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`closed with ${code} ${reason}`);
  }
}

let phoneSequence = 0;

/** One simulated phone: one device token, one connection at a time. */
export class SimulatedPhone extends EventEmitter {
  readonly label: string;
  /** Every `send` received, in order. */
  readonly received: ReceivedSend[] = [];
  /** Every frame received, in order. */
  readonly frames: ServerFrame[] = [];
  /** Results reported, in order. */
  readonly reported: Array<{ messageId: string; status: string }> = [];
  readonly closes: CloseEvent[] = [];
  /** Pings received from the server (heartbeats). */
  pings = 0;
  welcome?: ServerFrame;
  private socket?: WebSocket;
  private readonly held: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private dropOnNextSend = false;
  private status: PhoneStatus;
  private readonly description: PhoneDescription;

  constructor(private readonly options: SimulatedPhoneOptions) {
    super();
    this.setMaxListeners(0);
    this.label = options.label ?? `phone-${++phoneSequence}`;
    this.status = { battery: 80, charging: false, signal: 3, ...options.status };
    this.description = {
      model: 'Simulated Pixel',
      androidVersion: '14',
      appVersion: 'sim-1.0.0',
      ...options.device,
    };
  }

  get url(): string {
    const url = new URL(this.options.url);
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws/devices';
    return url.toString();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get deviceId(): string | undefined {
    return this.welcome?.deviceId as string | undefined;
  }

  /** Opens the socket (no frame sent yet); resolves once it is open. */
  async open(headers: Record<string, string> = this.authHeaders()): Promise<void> {
    const socket = new WebSocket(this.url, {
      headers,
      autoPong: this.options.autoPong ?? true,
    });
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      // Frames still buffered after a drop never reach a real app.
      if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
      if (!isBinary) this.onFrame(JSON.parse(data.toString()) as ServerFrame);
    });
    socket.on('ping', () => {
      this.pings++;
      this.emit('change');
    });
    socket.on('close', (code, reason) => {
      this.closes.push({ code, reason: reason.toString() });
      this.emit('change');
      this.emit('closed', code, reason.toString());
    });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('close', (code, reason) => reject(new PhoneClosedError(code, reason.toString())));
    });
  }

  /** Connects, authenticates and says hello; resolves with the welcome frame. */
  async connect(): Promise<ServerFrame> {
    await this.open();
    if (this.options.authBy === 'frame')
      this.sendFrame({ type: 'auth', token: this.options.token });
    this.welcome = undefined;
    const welcomed = this.waitForFrame('welcome');
    this.sendFrame({
      type: 'hello',
      device: this.description,
      status: this.status,
      ...(this.options.simCards ? { simCards: this.options.simCards } : {}),
    });
    return welcomed;
  }

  /** Resolves with the next frame of this type; rejects if the socket closes first. */
  waitForFrame(type: string, timeoutMs = 10_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.label}: no ${type} frame`)), timeoutMs);
      const onFrame = (frame: ServerFrame) => {
        if (frame.type === type) done(undefined, frame);
      };
      const onClosed = (code: number, reason: string) => done(new PhoneClosedError(code, reason));
      const done = (error?: Error, frame?: ServerFrame) => {
        clearTimeout(timer);
        this.off('frame', onFrame);
        this.off('closed', onClosed);
        if (error) reject(error);
        else resolve(frame!);
      };
      this.on('frame', onFrame);
      this.on('closed', onClosed);
    });
  }

  /** Resolves with the close event (now, if already closed). */
  waitForClose(timeoutMs = 15_000): Promise<CloseEvent> {
    if (this.socket && this.socket.readyState === WebSocket.CLOSED && this.closes.length > 0) {
      return Promise.resolve(this.closes[this.closes.length - 1]);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: still open`)), timeoutMs);
      this.once('closed', (code: number, reason: string) => {
        clearTimeout(timer);
        resolve({ code, reason });
      });
    });
  }

  sendFrame(frame: object): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    if (!this.connected) return;
    this.socket!.send(data, { binary: options.binary ?? false });
  }

  sendStatus(status: Partial<PhoneStatus>): void {
    this.status = { ...this.status, ...status };
    this.sendFrame({ type: 'status', ...this.status });
  }

  sendInbound(sms: {
    id: string;
    from: string;
    body: string;
    receivedAt?: string;
    simNumber?: number;
  }): void {
    this.sendFrame({
      type: 'inbound',
      id: sms.id,
      from: sms.from,
      body: sms.body,
      receivedAt: sms.receivedAt ?? new Date().toISOString(),
      ...(sms.simNumber !== undefined ? { simNumber: sms.simNumber } : {}),
    });
  }

  ack(messageId: string): void {
    this.sendFrame({ type: 'ack', messageId });
  }

  /** Reports a result; only what actually left the phone is recorded in `reported`. */
  result(messageId: string, status: 'sent' | 'delivered' | 'failed', error?: string): void {
    if (!this.connected) return;
    this.sendFrame({ type: 'result', messageId, status, ...(error ? { error } : {}) });
    this.reported.push({ messageId, status });
    this.emit('change');
  }

  /** The next `send` makes the phone drop its connection without a word (mid-send). */
  dropNextSend(): void {
    this.dropOnNextSend = true;
  }

  setAnswer(mode: AnswerMode): void {
    this.options.answer = mode;
  }

  /** Reports `sent` for every message held (answer mode `hold`). */
  releaseHeld(): number {
    const held = this.held.splice(0);
    for (const messageId of held) this.result(messageId, 'sent');
    return held.length;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Resolves once `predicate` holds (checked on every frame and close); rejects on timeout. */
  until(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('change', check);
        reject(new Error(`${this.label}: ${what} not reached within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.off('change', check);
        resolve();
      };
      this.on('change', check);
    });
  }

  /** A clean close (1000). */
  async close(): Promise<void> {
    this.clearTimers();
    if (!this.socket || this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.socket!.once('close', () => resolve()));
    this.socket.close(1000, 'bye');
    await closed;
  }

  /** An abrupt end, like a phone losing its network. */
  terminate(): void {
    this.clearTimers();
    this.socket?.terminate();
  }

  private authHeaders(): Record<string, string> {
    return this.options.authBy === 'frame' ? {} : { Authorization: `Bearer ${this.options.token}` };
  }

  private onFrame(frame: ServerFrame): void {
    this.frames.push(frame);
    if (frame.type === 'welcome') this.welcome = frame;
    if (frame.type === 'send') this.onSend(frame);
    this.emit('frame', frame);
    this.emit('change');
  }

  private onSend(frame: ServerFrame): void {
    const send: ReceivedSend = {
      messageId: frame.messageId as string,
      to: frame.to as string,
      body: frame.body as string,
      simNumber: frame.simNumber as number | undefined,
      receivedAt: Date.now(),
    };
    this.received.push(send);
    const random = this.options.random ?? Math.random;
    if (this.dropOnNextSend || random() < (this.options.dropRate ?? 0)) {
      this.dropOnNextSend = false;
      this.terminate();
      return;
    }
    const mode = this.options.answer ?? 'auto';
    if (mode === 'silent') return;
    this.ack(send.messageId);
    if (mode === 'ack-only') return;
    if (mode === 'hold') {
      this.held.push(send.messageId);
      return;
    }
    const failed = random() < (this.options.failRate ?? 0);
    this.later(this.options.delayMs ?? 0, () => {
      if (failed) return this.result(send.messageId, 'failed', 'RESULT_ERROR_GENERIC_FAILURE');
      this.result(send.messageId, 'sent');
      if (this.options.reportDelivered) {
        this.later(this.options.delayMs ?? 0, () => this.result(send.messageId, 'delivered'));
      }
    });
  }

  private later(delayMs: number, task: () => void): void {
    if (delayMs <= 0) return task();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, delayMs);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Several simulated phones, one per token, sharing the same behaviour. */
export class DeviceSimulator {
  private constructor(readonly phones: SimulatedPhone[]) {}

  /** Connects a phone per token (each says hello); resolves once every phone is welcomed. */
  static async start(
    options: Omit<SimulatedPhoneOptions, 'token' | 'label'> & { tokens: string[] },
  ): Promise<DeviceSimulator> {
    const { tokens, ...common } = options;
    const phones = tokens.map(
      (token, index) => new SimulatedPhone({ ...common, token, label: `phone-${index + 1}` }),
    );
    const simulator = new DeviceSimulator(phones);
    try {
      await Promise.all(phones.map((phone) => phone.connect()));
    } catch (error) {
      await simulator.stop();
      throw error;
    }
    return simulator;
  }

  /** Every send received, by every phone. */
  get received(): ReceivedSend[] {
    return this.phones.flatMap((phone) => phone.received);
  }

  async stop(): Promise<void> {
    await Promise.all(this.phones.map((phone) => phone.close()));
  }
}
