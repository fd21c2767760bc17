import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS_CLIENT, RedisKeys } from '../redis/redis-keys';

/** Something that happened, for whoever listens on any API instance. */
export interface DomainEvent<T = unknown> {
  type: string;
  /** The account it concerns; null for system events. Real-time clients only see their own. */
  accountId: string | null;
  data: T;
}

export type DomainEventHandler = (event: DomainEvent) => void;

/**
 * Redis pub/sub between processes: the worker publishes status changes, every API instance
 * receives them (to wake `?wait=` requests, to push to WebSocket clients). Fire-and-forget by
 * nature: PostgreSQL stays the source of truth, an event only says "look again".
 */
@Injectable()
export class EventBus implements OnModuleDestroy {
  private readonly logger = new Logger(EventBus.name);
  private readonly channel: string;
  private subscriber?: Redis;
  private readonly handlers = new Set<DomainEventHandler>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    keys: RedisKeys,
  ) {
    this.channel = keys.key('events');
  }

  async publish(event: DomainEvent): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify(event));
    } catch (error) {
      // Losing a notification must never fail the work it reports on.
      this.logger.warn(`Could not publish ${event.type}: ${(error as Error).message}`);
    }
  }

  /** Starts listening on first use; returns a function that stops this handler. */
  async subscribe(handler: DomainEventHandler): Promise<() => void> {
    this.handlers.add(handler);
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (_channel: string, payload: string) => this.deliver(payload));
      await this.subscriber.subscribe(this.channel);
    }
    return () => this.handlers.delete(handler);
  }

  private deliver(payload: string): void {
    let event: DomainEvent;
    try {
      event = JSON.parse(payload) as DomainEvent;
    } catch {
      return;
    }
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (error) {
        this.logger.error({ err: error }, `Event handler failed on ${event.type}`);
      }
    }
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }
}
