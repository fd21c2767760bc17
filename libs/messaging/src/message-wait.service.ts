import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainEvent, EventBus } from '@app/core';
import { MESSAGE_UPDATED } from './events/message-events';
import { MessageStatus } from './message-status';

type Waiter = () => void;

/** Statuses that end a `?wait=`: the message was handed over for good, or will never be. */
export const WAIT_SATISFYING_STATUSES: readonly MessageStatus[] = [
  MessageStatus.Sent,
  MessageStatus.Delivered,
  MessageStatus.Undelivered,
  MessageStatus.Failed,
  MessageStatus.Expired,
  MessageStatus.Canceled,
];

/**
 * Wakes `POST /messages?wait=N` requests when their message reaches a final-enough status. One
 * Redis subscription per API instance; no polling of the database per request.
 */
@Injectable()
export class MessageWaitService implements OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private unsubscribe?: () => void;

  constructor(private readonly bus: EventBus) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe((event) => this.onEvent(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Registers interest before the message can change (call before enqueueing); the returned
   * promise resolves on the status change or after `timeoutMs`, whichever comes first.
   */
  register(messageId: string, timeoutMs: number): { done: Promise<void>; cancel: () => void } {
    let waiter!: Waiter;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      waiter = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    const set = this.waiters.get(messageId) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiters.set(messageId, set);
    const cancel = () => {
      clearTimeout(timer);
      set.delete(waiter);
      if (set.size === 0) this.waiters.delete(messageId);
      waiter();
    };
    void done.then(cancel);
    return { done, cancel };
  }

  private onEvent(event: DomainEvent): void {
    if (event.type !== MESSAGE_UPDATED) return;
    const data = event.data as { id: string; status: MessageStatus };
    if (!WAIT_SATISFYING_STATUSES.includes(data.status)) return;
    const set = this.waiters.get(data.id);
    if (!set) return;
    for (const waiter of [...set]) waiter();
  }
}
