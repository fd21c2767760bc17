import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { DomainEvent, EventBus } from '@app/core';

/**
 * Which sockets of this API instance listen for which account. Events come from every instance
 * and the worker through Redis; each goes only to the sockets of the account it concerns.
 */
@Injectable()
export class EventSubscribers implements OnModuleInit, OnModuleDestroy {
  private readonly byAccount = new Map<string, Set<WebSocket>>();
  private unsubscribe?: () => void;

  constructor(private readonly bus: EventBus) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe((event) => this.deliver(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  add(accountId: string, socket: WebSocket): void {
    const sockets = this.byAccount.get(accountId) ?? new Set<WebSocket>();
    sockets.add(socket);
    this.byAccount.set(accountId, sockets);
  }

  remove(accountId: string, socket: WebSocket): void {
    const sockets = this.byAccount.get(accountId);
    if (!sockets) return;
    sockets.delete(socket);
    if (sockets.size === 0) this.byAccount.delete(accountId);
  }

  private deliver(event: DomainEvent): void {
    if (!event.accountId) return;
    const sockets = this.byAccount.get(event.accountId);
    if (!sockets) return;
    const frame = JSON.stringify({ type: event.type, data: event.data });
    for (const socket of sockets) {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    }
  }
}
