import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { DomainEvent, EventBus } from '@app/core';

interface AccountListeners {
  sockets: Set<WebSocket>;
  stop?: () => void;
}

/**
 * Which sockets of this API instance listen for which account. Events come from every instance
 * and the worker through Redis, on the account's own channel; this instance subscribes to an
 * account's channel only while one of its sockets is connected.
 */
@Injectable()
export class EventSubscribers implements OnModuleDestroy {
  private readonly byAccount = new Map<string, AccountListeners>();

  constructor(private readonly bus: EventBus) {}

  onModuleDestroy(): void {
    for (const listeners of this.byAccount.values()) listeners.stop?.();
    this.byAccount.clear();
  }

  /** Resolves once the account's events flow to this socket. */
  async add(accountId: string, socket: WebSocket): Promise<void> {
    let listeners = this.byAccount.get(accountId);
    if (!listeners) {
      listeners = { sockets: new Set() };
      this.byAccount.set(accountId, listeners);
    }
    listeners.sockets.add(socket);
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
    const frame = JSON.stringify({ type: event.type, data: event.data });
    for (const socket of sockets) {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    }
  }
}
