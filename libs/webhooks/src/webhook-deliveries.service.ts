import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  AppException,
  Clock,
  NotFoundAppException,
  Page,
  QueueName,
  isUuid,
  mapPage,
} from '@app/core';
import {
  ListWebhookDeliveriesQuery,
  ReplayWebhookDto,
  WebhookDeliveryView,
  WebhookEventView,
  ListWebhookEventsQuery,
} from './webhook-log.dto';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookEventRepository } from './webhook-event.repository';
import { WebhookOutbox } from './webhook-outbox';

// A replay re-sends at most this many days of events at once.
const MAX_REPLAY_WINDOW_MS = 31 * 86_400_000;

/** The delivery log of an endpoint, and sending again: one delivery, or a window of events. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: WebhookEventRepository,
    private readonly outbox: WebhookOutbox,
    private readonly clock: Clock,
    @InjectQueue(QueueName.WebhookDelivery) private readonly queue: Queue,
  ) {}

  async list(
    accountId: string,
    endpointId: string,
    query: ListWebhookDeliveriesQuery,
  ): Promise<Page<WebhookDeliveryView>> {
    await this.endpoints.findOwnedOrFail(accountId, endpointId);
    const page = await this.deliveries.listForEndpoint(
      endpointId,
      { status: query.status, eventType: query.eventType },
      query,
    );
    return mapPage(page, WebhookDeliveryView.from);
  }

  /** Sends a delivery again now, whatever its status; its `webhook-id` stays the same. */
  async retry(accountId: string, endpointId: string, deliveryId: string): Promise<void> {
    const endpoint = await this.endpoints.findOwnedOrFail(accountId, endpointId);
    if (!endpoint.enabled) throw disabledProblem();
    if (!isUuid(deliveryId) || !(await this.deliveries.reopen(endpointId, deliveryId))) {
      throw new NotFoundAppException('WEBHOOK_DELIVERY_NOT_FOUND', 'No such delivery.');
    }
    // A waiting job is sent sooner by a fresh one; an active one is sending it right now.
    await this.queue.remove(deliveryId).catch(() => 0);
    await this.outbox.enqueue([deliveryId]);
  }

  /** New deliveries to this endpoint of the window's events it subscribes to now or was sent. */
  async replay(
    accountId: string,
    endpointId: string,
    request: ReplayWebhookDto,
  ): Promise<{ deliveries: number }> {
    const endpoint = await this.endpoints.findOwnedOrFail(accountId, endpointId);
    if (!endpoint.enabled) throw disabledProblem();
    const since = new Date(request.since);
    const until = request.until ? new Date(request.until) : this.clock.now();
    if (until <= since || until.getTime() - since.getTime() > MAX_REPLAY_WINDOW_MS) {
      throw new AppException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'WEBHOOK_REPLAY_WINDOW_INVALID',
        'since must be before until, at most 31 days apart.',
      );
    }
    const ids = await this.events.replay(endpointId, since, until);
    await this.outbox.enqueue(ids);
    return { deliveries: ids.length };
  }

  /** The account's events (those that concerned an endpoint, and webhook.disabled records). */
  async listEvents(
    accountId: string,
    query: ListWebhookEventsQuery,
  ): Promise<Page<WebhookEventView>> {
    return mapPage(
      await this.events.listOwned(accountId, query.type, query),
      WebhookEventView.from,
    );
  }
}

function disabledProblem(): AppException {
  return new AppException(
    HttpStatus.CONFLICT,
    'WEBHOOK_DISABLED',
    'The endpoint is disabled; enable it first (PATCH {"enabled": true}).',
  );
}
