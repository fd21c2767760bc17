import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AuthenticatedDevice, DeviceSession } from '@app/devices';
import { DeviceTransport, DeviceTransportHost, SendCommand } from './device-transport';

/**
 * A burst of messages for one phone wakes it once a second at most: each wake-up makes the app
 * (re)start its pull, and restarting a pull already under way only delays it. The last message of
 * a burst still gets a wake-up of its own, after the pull the first one started.
 */
export const WAKE_COALESCE_MS = 1000;
// What may wait unsent for a phone that does not read its stream: then it is not listening.
const MAX_UNSENT_BYTES = 64 * 1024;

/** The event names the SMS Gateway for Android app knows (its ExternalEventType). */
export const AppEventType = {
  MessageEnqueued: 'MessageEnqueued',
  MessageCancelled: 'MessageCancelled',
  SettingsUpdated: 'SettingsUpdated',
  WebhooksUpdated: 'WebhooksUpdated',
} as const;

/**
 * The SSE transport: the SMS Gateway for Android app's `GET /api/mobile/v1/events` stream
 * (docs/android.md). While it is open the phone is online, like a socket on `/ws/devices`; a
 * message routed to it is not pushed but announced (`MessageEnqueued`), and the app then pulls it
 * with `GET /message` (the ack) and reports it with `PATCH /message` (the result). Keep-alive
 * comments go out with every heartbeat; a stream that cannot be written to is gone.
 */
export class EventStreamConnection implements DeviceTransport {
  private static readonly logger = new Logger('EventStreamConnection');
  readonly id = randomUUID();
  readonly kind = 'sse' as const;
  session?: DeviceSession;
  private closed = false;
  private lastWakeAt = 0;
  private wakeTimer?: NodeJS.Timeout;
  private settle!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    private readonly response: ServerResponse,
    private readonly host: DeviceTransportHost,
  ) {}

  get deviceId(): string | undefined {
    return this.session?.device.id;
  }

  /** Claims the device's presence, then opens the stream; the phone is online once it is open. */
  async start(device: AuthenticatedDevice, appVersion: string | null): Promise<void> {
    this.response.once('close', () => this.onClose());
    const session: DeviceSession = { device, connectionId: this.id, presence: {} };
    let replaced;
    try {
      replaced = await this.host.sessions.open(session);
    } catch (error) {
      EventStreamConnection.logger.warn(
        { err: error, deviceId: device.id },
        'Could not register a device stream',
      );
      this.refuse(503, 'The server could not register the stream; try again later.');
      return;
    }
    this.session = session;
    if (this.closed) return this.release(session);
    // Held here before it is ready in Redis: a send routed to it finds it.
    this.host.adopt(this, replaced);
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies (nginx) would otherwise hold events back.
      'X-Accel-Buffering': 'no',
    });
    // Dead peers (a phone that lost its network) are found by TCP keep-alive probes too.
    this.response.socket?.setKeepAlive(true, this.host.sessions.heartbeatMs);
    this.response.socket?.setTimeout(0);
    this.write(': connected\n\n');
    const outcome = await this.host.sessions
      .streamOpened(session, { transport: 'sse', appVersion })
      .catch((error: unknown) => {
        EventStreamConnection.logger.warn({ err: error, deviceId: device.id }, 'Stream not ready');
        return 'failed' as const;
      });
    if (outcome !== 'online') return this.close(0, outcome);
    // The app reads its settings (the webhook signing key) and webhook list only when told to or
    // when it starts, and its first reads ran before it was registered: it is told on every open.
    this.write(`event: ${AppEventType.SettingsUpdated}\ndata: {}\n\n`);
    this.write(`event: ${AppEventType.WebhooksUpdated}\ndata: {}\n\n`);
  }

  offer(_send: SendCommand): boolean {
    if (!this.writable()) return false;
    this.wake();
    return true;
  }

  /** The app cancels it if it has it, and otherwise ignores the event. */
  withdraw(messageId: string): void {
    if (!this.writable()) return;
    this.write(
      `event: ${AppEventType.MessageCancelled}\ndata: ${JSON.stringify({ messageId })}\n\n`,
    );
  }

  heartbeat(): boolean {
    if (!this.writable() || this.response.writableLength > MAX_UNSENT_BYTES) return false;
    this.write(': keepalive\n\n');
    return true;
  }

  close(_code: number, reason: string): void {
    if (this.response.headersSent) {
      if (this.writable()) this.write(`: closed (${reason.replace(/\s+/g, ' ')})\n\n`);
      this.response.end();
    } else {
      this.response.destroy();
    }
  }

  terminate(): void {
    this.response.destroy();
  }

  private wake(): void {
    if (this.wakeTimer) return;
    const wait = this.lastWakeAt + WAKE_COALESCE_MS - Date.now();
    if (wait <= 0) return this.sendWake();
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.sendWake();
    }, wait);
  }

  private sendWake(): void {
    if (!this.writable()) return;
    this.lastWakeAt = Date.now();
    // A data line is needed for the event to be dispatched at all; the app ignores its content.
    this.write(`event: ${AppEventType.MessageEnqueued}\ndata: {}\n\n`);
  }

  private write(text: string): void {
    this.response.write(text);
  }

  private writable(): boolean {
    return !this.closed && this.response.headersSent && !this.response.writableEnded;
  }

  private refuse(status: number, detail: string): void {
    if (this.response.headersSent || this.closed) return;
    this.response.writeHead(status, { 'Content-Type': 'application/problem+json' });
    this.response.end(
      JSON.stringify({
        type: 'about:blank',
        title: 'Service Unavailable',
        status,
        code: 'DEVICE_STREAM_UNAVAILABLE',
        detail,
      }),
    );
  }

  private onClose(): void {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    const session = this.session;
    if (!session) return this.settle();
    this.release(session);
  }

  private release(session: DeviceSession): void {
    this.host.forget(this);
    void this.host.sessions
      .suspend(session)
      .then(() => this.host.sessions.close(session))
      .catch((error: unknown) =>
        EventStreamConnection.logger.warn(
          { err: error, deviceId: session.device.id },
          'Could not take a device stream offline',
        ),
      )
      .finally(() => this.settle());
  }
}
