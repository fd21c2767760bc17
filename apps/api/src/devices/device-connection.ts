import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import {
  DeviceCloseCode,
  DeviceFrame,
  DeviceSession,
  ErrorFrame,
  ReportVerdict,
  ServerFrame,
  parseDeviceFrame,
} from '@app/devices';
import { DeviceTransport, DeviceTransportHost, SendCommand } from './device-transport';
import { TokenBucket } from './token-bucket';

export const AUTH_FRAME_TIMEOUT_MS = 5000;
const MISSED_HEARTBEATS_ALLOWED = 2;
// A phone that floods faster than we can answer is cut off rather than queued without bound:
// counted in bytes, since a frame may be 1 byte or 64 KiB. Sixteen of the largest frames.
export const MAX_PENDING_BYTES = 1024 * 1024;
// What may wait in memory for a phone that does not read its socket.
export const MAX_UNSENT_BYTES = 1024 * 1024;

export interface FrameLimits {
  perSecond: number;
  burst: number;
}

function byteLengthOf(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.length, 0);
  return data.byteLength;
}

/** What a socket needs from the hub that holds every connection of this instance. */
export interface DeviceConnectionHost extends DeviceTransportHost {
  readonly frameLimits: FrameLimits;
}

/**
 * The WebSocket transport: one phone's socket on `/ws/devices`: authentication (header, or a
 * first `auth` frame within 5 s), then each text frame parsed and validated and handed to the
 * devices services, in the order received. Never throws: a frame that fails gets an `error`
 * frame back.
 */
export class DeviceConnection implements DeviceTransport {
  private static readonly logger = new Logger('DeviceConnection');
  readonly id = randomUUID();
  readonly kind = 'websocket' as const;
  session?: DeviceSession;
  /** Pings since the phone was last heard from; two unanswered and it is dropped. */
  missedHeartbeats = 0;
  private greeted = false;
  private closed = false;
  private authTimer?: NodeJS.Timeout;
  private pendingBytes = 0;
  private readonly frameBudget: TokenBucket;
  /** Set once this side decided to close: frames still arriving are not handled. */
  private refusing = false;
  private work: Promise<void> = Promise.resolve();
  private settle!: () => void;
  /** Resolves once the connection closed and its device was taken offline. */
  readonly finished = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    private readonly socket: WebSocket,
    private readonly host: DeviceConnectionHost,
  ) {
    this.frameBudget = new TokenBucket(host.frameLimits.perSecond, host.frameLimits.burst);
  }

  get deviceId(): string | undefined {
    return this.session?.device.id;
  }

  start(request: IncomingMessage): void {
    // The adapter logs every socket error as an error with a stack; for phones on mobile
    // networks (resets, an oversized frame) one warning line is the right weight.
    this.socket.removeAllListeners('error');
    this.socket.on('error', (error: Error & { code?: string }) =>
      DeviceConnection.logger.warn(
        { deviceId: this.deviceId, code: error.code },
        `Device socket error: ${error.message}`,
      ),
    );
    this.socket.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    this.socket.on('pong', () => (this.missedHeartbeats = 0));
    this.socket.once('close', () => this.onClose());
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const token = authorization.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
      this.enqueue(() => this.authenticate(token));
    } else {
      this.authTimer = setTimeout(
        () => this.refuse('no auth frame within 5 s'),
        AUTH_FRAME_TIMEOUT_MS,
      );
    }
  }

  /** False when the socket is not open (the frame is dropped). */
  send(frame: ServerFrame): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    if (this.socket.bufferedAmount > MAX_UNSENT_BYTES) {
      this.close(DeviceCloseCode.PolicyViolation, 'not reading its frames');
      return false;
    }
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  offer(command: SendCommand): boolean {
    return this.send({
      type: 'send',
      messageId: command.messageId,
      to: command.to,
      body: command.body,
      ...(command.simNumber !== undefined ? { simNumber: command.simNumber } : {}),
    });
  }

  /** Never called for a socket: a phone that was pushed a message keeps it (WITHDRAW). */
  withdraw(_messageId: string): void {}

  /** A ping; a phone that left two unanswered (no pong, no frame) is gone. */
  heartbeat(): boolean {
    if (this.missedHeartbeats >= MISSED_HEARTBEATS_ALLOWED) return false;
    this.missedHeartbeats++;
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
    return true;
  }

  close(code: number, reason: string): void {
    this.refusing = true;
    this.socket.close(code, reason);
  }

  /** Without the closing handshake: for a peer that no longer answers. */
  terminate(): void {
    this.socket.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.refusing) return;
    this.missedHeartbeats = 0;
    if (!this.frameBudget.take()) {
      this.close(DeviceCloseCode.PolicyViolation, 'too many frames per second');
      return;
    }
    const bytes = byteLengthOf(data);
    if (this.pendingBytes + bytes > MAX_PENDING_BYTES) {
      this.close(DeviceCloseCode.TooManyFrames, 'too many frames waiting');
      return;
    }
    this.pendingBytes += bytes;
    const text = isBinary ? null : data.toString();
    this.enqueue(async () => {
      this.pendingBytes -= bytes;
      await this.handle(text);
    });
  }

  /** One frame at a time, in order: a hello is done before the status that follows it. */
  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error: unknown) => {
      DeviceConnection.logger.error({ err: error, deviceId: this.deviceId }, 'Device frame failed');
      this.send({
        type: 'error',
        code: 'INTERNAL_ERROR',
        message: 'The frame could not be handled.',
      });
    });
  }

  private async handle(text: string | null): Promise<void> {
    if (!this.session) {
      if (this.closed) return;
      // Without a header, the first frame must be the credential.
      clearTimeout(this.authTimer);
      const parsed = text === null ? null : parseDeviceFrame(text);
      if (!parsed?.ok || parsed.frame.type !== 'auth') {
        return this.refuse('the first frame must be {"type":"auth","token":"…"}');
      }
      return this.authenticate(parsed.frame.token);
    }
    if (text === null) {
      return this.fail({
        code: 'MALFORMED_FRAME',
        message: 'Binary frames are not accepted; send JSON text.',
      });
    }
    const parsed = parseDeviceFrame(text);
    if (!parsed.ok) {
      const { frameType: _type, ...problem } = parsed.problem;
      return this.fail(problem);
    }
    await this.dispatch(this.session, parsed.frame);
  }

  private async dispatch(session: DeviceSession, frame: DeviceFrame): Promise<void> {
    if (frame.type === 'auth') {
      return this.fail({
        code: 'ALREADY_AUTHENTICATED',
        message: 'This connection is authenticated.',
      });
    }
    if (frame.type === 'hello') {
      const outcome = await this.host.sessions.hello(session, frame);
      if ('refused' in outcome) {
        if (outcome.refused === 'deleted') this.close(DeviceCloseCode.Revoked, 'device deleted');
        return;
      }
      this.greeted = true;
      this.send(outcome.welcome);
      return;
    }
    if (!this.greeted) {
      return this.fail({ code: 'HELLO_REQUIRED', message: 'Send a hello frame first.' });
    }
    switch (frame.type) {
      case 'status':
        await this.host.sessions.status(session, frame);
        return;
      case 'ack':
        return this.answer(
          await this.host.reports.acknowledge(session.device, frame),
          frame.messageId,
        );
      case 'result':
        return this.answer(
          await this.host.reports.report(
            session.device,
            frame,
            session.presence.phoneNumber ?? null,
          ),
          frame.messageId,
        );
      case 'inbound':
        await this.host.reports.receive(
          session.device,
          frame,
          session.presence.phoneNumber ?? null,
        );
        this.send({ type: 'inbound.ack', id: frame.id });
        return;
    }
  }

  private answer(verdict: ReportVerdict, messageId: string): void {
    if (verdict !== 'not-assigned') return;
    this.fail({
      code: 'MESSAGE_NOT_ASSIGNED',
      message: 'This message was not given to this device.',
      ref: messageId,
    });
  }

  private fail(error: Omit<ErrorFrame, 'type'>): void {
    this.send({ type: 'error', ...error });
  }

  private async authenticate(token: string): Promise<void> {
    const device = token ? await this.host.sessions.authenticate(token) : null;
    if (!device) return this.refuse('invalid device token');
    if (this.closed) return;
    this.session = { device, connectionId: this.id, presence: {} };
    let replaced;
    try {
      replaced = await this.host.sessions.open(this.session);
    } catch (error) {
      // Without its presence nobody could reach the phone: better it reconnects.
      DeviceConnection.logger.warn(
        { err: error, deviceId: device.id },
        'Could not register a device',
      );
      this.close(DeviceCloseCode.InternalError, 'try again later');
      return;
    }
    if (this.closed) return;
    this.host.adopt(this, replaced);
  }

  private refuse(reason: string): void {
    clearTimeout(this.authTimer);
    this.close(DeviceCloseCode.Unauthenticated, reason);
  }

  private onClose(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    const session = this.session;
    if (!session) return this.settle();
    this.host.forget(this);
    void this.host.sessions
      .suspend(session)
      .catch((error: unknown) =>
        DeviceConnection.logger.warn(
          { err: error, deviceId: session.device.id },
          'Could not suspend a device',
        ),
      );
    // After the frames received before the close: a last ack or result still counts.
    this.enqueue(() => this.host.sessions.close(session));
    void this.work.then(() => this.settle());
  }
}
