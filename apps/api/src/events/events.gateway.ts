import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { AuthenticatedAccount, CredentialsService } from '@app/auth';
import { AppConfig, Clock } from '@app/core';
import {
  CLOSE_AUTH_TIMEOUT,
  CLOSE_CREDENTIAL_REVOKED,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNAUTHENTICATED,
} from './close-codes';
import { EventSubscribers } from './event-subscribers';

const AUTH_FRAME_TIMEOUT_MS = 5000;
// setTimeout's ceiling (about 24.8 days); an access token lives far less.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_FRAME_BYTES = 64 * 1024;

interface EventsSocket extends WebSocket {
  account?: AuthenticatedAccount;
}

/**
 * `/ws/events`: a client's own real-time events (message.created, message.updated,
 * device.updated). Authenticated at upgrade (`Authorization: Bearer …` or `X-API-Key`) or by a
 * first frame `{ "type": "auth", "token": "…" }` within 5 s. Server pings; a client that misses
 * two is dropped. A socket lives no longer than its credential: it closes when its access token
 * expires (4001) and when its session or API key is revoked, on any instance (4003).
 */
@WebSocketGateway({ path: '/ws/events', maxPayload: MAX_FRAME_BYTES })
export class EventsGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(EventsGateway.name);
  private readonly heartbeatMs: number;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly subscribers: EventSubscribers,
    private readonly clock: Clock,
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
      await this.accept(socket, account, credential, asApiKey);
    } catch (error) {
      this.logger.warn(`Could not sign in a /ws/events client: ${(error as Error).message}`);
      // handleDisconnect forgets the socket if accept() had registered it.
      socket.close(CLOSE_TRY_AGAIN_LATER, 'try again later');
    }
  }

  private async accept(
    socket: EventsSocket,
    account: AuthenticatedAccount,
    credential: string,
    asApiKey: boolean,
  ): Promise<void> {
    if (socket.readyState !== socket.OPEN) return;
    socket.account = account;
    await this.subscribers.add(account, socket);
    // Closed while subscribing: handleDisconnect ran before the socket was registered.
    if (socket.readyState !== socket.OPEN) {
      this.subscribers.remove(account.accountId, socket);
      return;
    }
    // A revocation announced before the subscription was confirmed went unheard: ask the
    // database once more, past this instance's caches, now that any later one will be heard.
    const stillValid = await this.credentials.authenticate(credential, asApiKey, { fresh: true });
    if (!stillValid) {
      socket.close(CLOSE_CREDENTIAL_REVOKED, 'credential revoked');
      return;
    }
    // Closed meanwhile: its 'close' has fired, so timers set now would never be cleared.
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify({ type: 'ready', data: { accountId: account.accountId } }));
    this.closeAtExpiry(socket, account);
    this.keepAlive(socket);
  }

  /** An access token's socket ends with the token; the client refreshes and reconnects. */
  private closeAtExpiry(socket: EventsSocket, account: AuthenticatedAccount): void {
    if (!account.expiresAt) return;
    const remainingMs = account.expiresAt.getTime() - this.clock.now().getTime();
    const timer = setTimeout(
      () => socket.close(CLOSE_UNAUTHENTICATED, 'token expired'),
      Math.min(Math.max(remainingMs, 0), MAX_TIMER_MS),
    );
    socket.once('close', () => clearTimeout(timer));
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
