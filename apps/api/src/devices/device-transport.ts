import {
  DeviceCommand,
  DeviceReportsService,
  DeviceSession,
  DeviceSessionsService,
  DeviceTransportKind,
} from '@app/devices';

/** A message routed to the phone, as the channel carries it. */
export type SendCommand = Extract<DeviceCommand, { kind: 'send' }>;

/**
 * One phone's connection to this API instance, whatever carries it: the hub, the registry and the
 * routing see only this. `websocket` (DeviceConnection, /ws/devices) pushes each message to the
 * phone; `sse` (EventStreamConnection, the SMS Gateway app's /events) wakes the phone, which then
 * pulls its messages over HTTP. Ack, result, deadlines and re-routing are the same for both
 * (docs/device-protocol.md#transports).
 */
export interface DeviceTransport {
  /** The connection id the registry names. */
  readonly id: string;
  readonly kind: DeviceTransportKind;
  /** Set once the phone proved who it is. */
  readonly session?: DeviceSession;
  readonly deviceId?: string;
  /** Resolves once the connection closed and its device was taken offline. */
  readonly finished: Promise<void>;
  /** A message was routed to the phone. False when it cannot be reached through this connection. */
  offer(send: SendCommand): boolean;
  /** A message it was offered and had not taken was canceled (see DeviceWithdrawals). */
  withdraw(messageId: string): void;
  /** One heartbeat: false when the phone is considered gone (the hub then terminates it). */
  heartbeat(): boolean;
  close(code: number, reason: string): void;
  /** Without any goodbye: for a peer that no longer answers. */
  terminate(): void;
}

/** What a connection needs from the hub that holds every connection of this instance. */
export interface DeviceTransportHost {
  readonly sessions: DeviceSessionsService;
  readonly reports: DeviceReportsService;
  /** The connection authenticated as its device: from now on it receives that device's sends. */
  adopt(
    connection: DeviceTransport,
    replaced: { instanceId: string; connectionId: string } | null,
  ): void;
  /** The connection closed. */
  forget(connection: DeviceTransport): void;
}
