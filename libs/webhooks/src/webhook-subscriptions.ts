import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '@app/core';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';

const CHANGED = 'webhook.subscriptions.changed';
// A missed notification (Redis down for a moment) is repaired by this periodic reload.
const RELOAD_EVERY_MS = 30_000;

/**
 * Which accounts have an enabled endpoint, for which events: an in-process copy, so that the hot
 * paths (the worker recording a batch of sends) pay nothing for accounts without webhooks. Every
 * process reloads it when any process changes an endpoint (a system event on Redis pub/sub).
 * It only decides whether to look: the outbox statement itself checks the endpoints table.
 */
@Injectable()
export class WebhookSubscriptions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookSubscriptions.name);
  private byAccount = new Map<string, Set<string>>();
  private anyByEvent = new Set<string>();
  private stopListening?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly bus: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await this.bus.subscribe(null, (event) => {
      if (event.type === CHANGED) void this.reload();
    });
    await this.reload();
    this.timer = setInterval(() => void this.reload(), RELOAD_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stopListening?.();
  }

  /** Whether `accountId` (any account when undefined) may have an endpoint for `eventType`. */
  mayWant(accountId: string | null | undefined, eventType: string): boolean {
    if (accountId === null) return false;
    if (accountId === undefined) return this.anyByEvent.has(eventType);
    return this.byAccount.get(accountId)?.has(eventType) ?? false;
  }

  /** After a change here: this process at once, the others through Redis. */
  async changed(): Promise<void> {
    await this.reload();
    await this.bus.publish({ type: CHANGED, accountId: null, data: {} });
  }

  private async reload(): Promise<void> {
    try {
      const subscriptions = await this.endpoints.subscriptions();
      this.byAccount = new Map(
        subscriptions.map((entry) => [entry.accountId, new Set(entry.events)]),
      );
      this.anyByEvent = new Set(subscriptions.flatMap((entry) => entry.events));
    } catch (error) {
      this.logger.warn(`Could not reload webhook subscriptions: ${(error as Error).message}`);
    }
  }
}
