import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { AuthenticatedAccount, CredentialsService } from '@app/auth';
import { AppConfig } from '@app/core';
import { EventSubscribers } from './event-subscribers';

/** Close codes (RFC 6455 private range), documented with the endpoint. */
export const CLOSE_UNAUTHENTICATED = 4001;
const CLOSE_AUTH_TIMEOUT = 4008;
/** RFC 6455's registry: the server cannot serve the client now, but may soon. */
const CLOSE_TRY_AGAIN_LATER = 1013;
const AUTH_FRAME_TIMEOUT_MS = 5000;
const MAX_FRAME_BYTES = 64 * 1024;

interface EventsSocket extends WebSocket {
  account?: AuthenticatedAccount;
}

/**
 * `/ws/events`: a client's own real-time events (message.created, message.updated,
 * device.updated). Authenticated at upgrade (`Authorization: Bearer …` or `X-API-Key`) or by a
 * first frame `{ "type": "auth", "token": "…" }` within 5 s. Server pings; a client that misses
 * two is dropped.
 */
@WebSocketGateway({ path: '/ws/events', maxPayload: MAX_FRAME_BYTES })
export class EventsGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(EventsGateway.name);
  private readonly heartbeatMs: number;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly subscribers: EventSubscribers,
    config: AppConfig,
  ) {
    this.heartbeatMs = config.get('EVENTS_HEARTBEAT_MS');
  }

  async handleConnection(socket: EventsSocket, request: IncomingMessage): Promise<void> {
    const apiKey = request.headers['x-api-key'];
    const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (typeof apiKey === 'string' || bearer) {
      return this.signIn(
        socket,
        typeof apiKey === 'string' ? apiKey : bearer!,
        typeof apiKey === 'string',
      );
    }
    this.awaitAuthFrame(socket);
  }

  handleDisconnect(socket: EventsSocket): void {
    if (socket.account) this.subscribers.remove(socket.account.accountId, socket);
  }

  /** For clients that cannot set headers (browsers): the first frame carries the credential. */
  private awaitAuthFrame(socket: EventsSocket): void {
    const timer = setTimeout(
      () => socket.close(CLOSE_AUTH_TIMEOUT, 'authentication timeout'),
      AUTH_FRAME_TIMEOUT_MS,
    );
    socket.once('message', (data: RawData) => {
      clearTimeout(timer);
      let frame: { type?: unknown; token?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return this.refuse(socket);
      }
      if (frame?.type !== 'auth' || typeof frame.token !== 'string') return this.refuse(socket);
      return this.signIn(socket, frame.token);
    });
  }

  /**
   * Never rejects: nobody awaits it (a socket event, Nest's connection hook), and a rejection left
   * unhandled ends the process. When PostgreSQL or Redis cannot answer, the client is told to
   * come back later.
   */
  private async signIn(socket: EventsSocket, credential: string, asApiKey = false): Promise<void> {
    try {
      const account = await this.credentials.authenticate(credential, asApiKey);
      if (!account) return this.refuse(socket);
      await this.accept(socket, account);
    } catch (error) {
      this.logger.warn(`Could not sign in a /ws/events client: ${(error as Error).message}`);
      // handleDisconnect forgets the socket if accept() had registered it.
      socket.close(CLOSE_TRY_AGAIN_LATER, 'try again later');
    }
  }

  private async accept(socket: EventsSocket, account: AuthenticatedAccount): Promise<void> {
    if (socket.readyState !== socket.OPEN) return;
    socket.account = account;
    await this.subscribers.add(account.accountId, socket);
    // Closed while subscribing: handleDisconnect ran before the socket was registered.
    if (socket.readyState !== socket.OPEN) {
      this.subscribers.remove(account.accountId, socket);
      return;
    }
    socket.send(JSON.stringify({ type: 'ready', data: { accountId: account.accountId } }));
    this.keepAlive(socket);
  }

  private refuse(socket: EventsSocket): void {
    socket.close(CLOSE_UNAUTHENTICATED, 'unauthenticated');
  }

  /** Two missed pongs in a row and the client is gone; its slot is freed. */
  private keepAlive(socket: EventsSocket): void {
    let missed = 0;
    socket.on('pong', () => (missed = 0));
    const timer = setInterval(() => {
      if (missed >= 2) {
        this.logger.debug('Dropping a silent /ws/events client');
        socket.terminate();
        return;
      }
      missed++;
      socket.ping();
    }, this.heartbeatMs);
    socket.once('close', () => clearInterval(timer));
  }
}
