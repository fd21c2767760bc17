import { Injectable } from '@nestjs/common';
import { DomainEvent, EventBus } from '@app/core';
import { MESSAGE_UPDATED } from '../model/message-events';
import { MessageStatus } from '../model/message-status';

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

export interface MessageWait {
  /** Resolves on a final-enough status of the message, when the time is up, or on abort. */
  done: Promise<void>;
}

/**
 * Wakes `POST /messages?wait=N` requests when their message reaches a final-enough status,
 * listening to the account's events only while someone waits; no polling of the database.
 */
@Injectable()
export class MessageWaitService {
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(private readonly bus: EventBus) {}

  /**
   * Starts listening before the message exists (so no status change can be missed); `watch`
   * then names the message once it is stored. Everything is released when the wait ends, which
   * `signal` can bring forward (the client went away).
   */
  async prepare(
    accountId: string | null,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ watch(messageId: string): MessageWait; release(): void }> {
    const stop = await this.bus.subscribe(accountId, (event) => this.onEvent(event));
    return {
      watch: (messageId) => ({ done: this.waitFor(messageId, timeoutMs, signal).finally(stop) }),
      release: stop,
    };
  }

  private waitFor(messageId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(messageId) ?? new Set<Waiter>();
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        set.delete(finish);
        if (set.size === 0) this.waiters.delete(messageId);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      set.add(finish);
      this.waiters.set(messageId, set);
      if (signal?.aborted) finish();
      else signal?.addEventListener('abort', finish, { once: true });
    });
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
