import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { WebSocket } from 'ws';
import {
  API_KEY_REVOKED_EVENT,
  ApiKeyRevoked,
  AuthenticatedAccount,
  SESSIONS_REVOKED_EVENT,
  SessionsRevoked,
} from '@app/auth';
import { DomainEvent, EventBus } from '@app/core';
import { CLOSE_CREDENTIAL_REVOKED } from './close-codes';

interface AccountListeners {
  /** Each socket with the credential it signed in with. */
  sockets: Map<WebSocket, AuthenticatedAccount>;
  stop?: () => void;
}

/**
 * Which sockets of this API instance listen for which account. Events come from every instance
 * and the worker through Redis, on the account's own channel; this instance subscribes to an
 * account's channel only while one of its sockets is connected. The same channel says when a
 * session or an API key is revoked, wherever that happened: the sockets opened with it close.
 */
@Injectable()
export class EventSubscribers implements OnModuleDestroy {
  private readonly byAccount = new Map<string, AccountListeners>();

  constructor(private readonly bus: EventBus) {}

  onModuleDestroy(): void {
    for (const listeners of this.byAccount.values()) listeners.stop?.();
    this.byAccount.clear();
  }

  /** Resolves once the account's events (and revocations) flow to this socket. */
  async add(caller: AuthenticatedAccount, socket: WebSocket): Promise<void> {
    const accountId = caller.accountId;
    let listeners = this.byAccount.get(accountId);
    if (!listeners) {
      listeners = { sockets: new Map() };
      this.byAccount.set(accountId, listeners);
    }
    listeners.sockets.set(socket, caller);
    // Every socket waits for the subscription, so none reports "ready" too early.
    const stop = await this.bus.subscribe(accountId, (event) => this.deliver(accountId, event));
    if (listeners.stop || this.byAccount.get(accountId) !== listeners) stop();
    else listeners.stop = stop;
  }

  remove(accountId: string, socket: WebSocket): void {
    const listeners = this.byAccount.get(accountId);
    if (!listeners) return;
    listeners.sockets.delete(socket);
    if (listeners.sockets.size > 0) return;
    this.byAccount.delete(accountId);
    listeners.stop?.();
  }

  private deliver(accountId: string, event: DomainEvent): void {
    const sockets = this.byAccount.get(accountId)?.sockets;
    if (!sockets) return;
    if (event.type === SESSIONS_REVOKED_EVENT || event.type === API_KEY_REVOKED_EVENT) {
      this.closeRevoked(sockets, event);
      return;
    }
    const frame = JSON.stringify({ type: event.type, data: event.data });
    for (const socket of sockets.keys()) {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    }
  }

  private closeRevoked(sockets: Map<WebSocket, AuthenticatedAccount>, event: DomainEvent): void {
    const revoked =
      event.type === SESSIONS_REVOKED_EVENT
        ? (caller: AuthenticatedAccount) =>
            caller.sessionId !== undefined &&
            (event.data as SessionsRevoked).sessionIds.includes(caller.sessionId)
        : (caller: AuthenticatedAccount) =>
            caller.apiKeyId === (event.data as ApiKeyRevoked).apiKeyId;
    for (const [socket, caller] of sockets) {
      if (revoked(caller)) socket.close(CLOSE_CREDENTIAL_REVOKED, 'credential revoked');
    }
  }
}
