import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { MicroBatcher } from '../batching/micro-batcher';
import { REDIS_CLIENT, RedisKeys } from '../redis/redis-keys';
import type { Publication } from '../queue/add-jobs-and-publish';

/** Something that happened, for whoever listens on any API instance. */
export interface DomainEvent<T = unknown> {
  type: string;
  /** The account it concerns; null for system events. Real-time clients only see their own. */
  accountId: string | null;
  data: T;
}

export type DomainEventHandler = (event: DomainEvent) => void;

const SYSTEM_CHANNEL = 'system';

/**
 * Redis pub/sub between processes: the worker publishes status changes, API instances receive
 * them (to wake `?wait=` requests, to push to WebSocket clients). One channel per account, and an
 * instance subscribes only to the accounts it has listeners for: it never parses the traffic of
 * everybody else. Fire-and-forget by nature: PostgreSQL stays the source of truth.
 */
@Injectable()
export class EventBus implements OnModuleDestroy {
  private readonly logger = new Logger(EventBus.name);
  private subscriber?: Redis;
  private readonly handlers = new Map<string, Set<DomainEventHandler>>();
  /**
   * The events of the moment, one PUBLISH per channel: an API accepting a thousand messages a
   * second, or a worker finishing a batch of jobs, would otherwise pay a socket write and a Redis
   * command for each. A message on a channel is therefore a JSON array of events.
   */
  private readonly publishes = new MicroBatcher<DomainEvent[], void>(
    async (groups) => {
      await Promise.all(
        this.publications(groups.flat()).map(({ channel, message }) =>
          this.redis.publish(channel, message),
        ),
      );
      return groups.map(() => undefined);
    },
    { weight: (events) => events.length },
  );

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  publish(event: DomainEvent): Promise<void> {
    return this.publishAll([event]);
  }

  /** Several events of one moment, handed over at once (a batch of a thousand messages). */
  async publishAll(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.publishes.submit(events);
    } catch (error) {
      // Losing a notification must never fail the work it reports on.
      const types = [...new Set(events.map((event) => event.type))].join(', ');
      this.logger.warn(`Could not publish ${types}: ${(error as Error).message}`);
    }
  }

  /**
   * The PUBLISHes that carry these events (one per channel, a JSON array each), for a caller that
   * sends them itself (after the jobs they announce: `addJobsAndPublish`).
   */
  publications(events: DomainEvent[]): Publication[] {
    // By account first: a batch's thousand events are usually one account's, one channel name.
    const byAccount = new Map<string | null, DomainEvent[]>();
    for (const event of events) {
      const list = byAccount.get(event.accountId);
      if (list) list.push(event);
      else byAccount.set(event.accountId, [event]);
    }
    return [...byAccount].map(([accountId, list]) => ({
      channel: this.channelOf(accountId),
      message: JSON.stringify(list),
    }));
  }

  /**
   * Listens to one account's events (null: system events). Resolves once Redis confirmed the
   * subscription, so that nothing published afterwards is missed; the returned function stops
   * this handler.
   */
  async subscribe(accountId: string | null, handler: DomainEventHandler): Promise<() => void> {
    const channel = this.channelOf(accountId);
    let handlers = this.handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
    }
    handlers.add(handler);
    // Subscribing an already subscribed channel is a cheap no-op for Redis and, unlike a flag,
    // cannot race with an UNSUBSCRIBE still in flight.
    await this.connection().subscribe(channel);
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.handlers.get(channel) !== handlers) return;
      this.handlers.delete(channel);
      void this.subscriber?.unsubscribe(channel).catch(() => undefined);
    };
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }

  private channelOf(accountId: string | null): string {
    return this.keys.key('events', accountId ?? SYSTEM_CHANNEL);
  }

  private connection(): Redis {
    if (!this.subscriber) {
      // Without the ready check: ioredis 5 may send its INFO probe after a SUBSCRIBE issued while
      // connecting, which Redis refuses in subscriber mode, failing the first subscriptions
      // (redis/ioredis#2037). A subscriber needs no INFO.
      this.subscriber = this.redis.duplicate({ enableReadyCheck: false });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (channel: string, payload: string) =>
        this.deliver(channel, payload),
      );
    }
    return this.subscriber;
  }

  private deliver(channel: string, payload: string): void {
    const handlers = this.handlers.get(channel);
    if (!handlers || handlers.size === 0) return;
    let events: DomainEvent[];
    try {
      events = JSON.parse(payload) as DomainEvent[];
    } catch {
      return;
    }
    if (!Array.isArray(events)) return;
    for (const event of events) {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (error) {
          this.logger.error({ err: error }, `Event handler failed on ${event.type}`);
        }
      }
    }
  }
}
