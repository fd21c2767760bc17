import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AppConfig,
  AppException,
  Clock,
  ConflictAppException,
  NotFoundAppException,
  Page,
  PageRequest,
  isUuid,
  mapPage,
} from '@app/core';
import {
  CreateWebhookDto,
  CreatedWebhookView,
  RotatedSecretView,
  UpdateWebhookDto,
  WebhookEndpointView,
} from './webhook.dto';
import { WebhookEndpoint, WebhookEndpointRepository } from './webhook-endpoint.repository';
import { WebhookSecretCipher, generateSigningSecret } from './webhook-secret-cipher';
import { WebhookSubscriptions } from './webhook-subscriptions';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { WebhookOutbox } from './webhook-outbox';

/** After a rotation the previous secret signs alongside the new one for this long. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

/** Endpoints an account registers: its own only; another account's is a 404 like a missing one. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly urlPolicy: WebhookUrlPolicy,
    private readonly cipher: WebhookSecretCipher,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly outbox: WebhookOutbox,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async create(accountId: string, request: CreateWebhookDto): Promise<CreatedWebhookView> {
    const url = await this.urlPolicy.check(request.url);
    const secret = generateSigningSecret();
    const max = this.config.get('WEBHOOK_MAX_ENDPOINTS_PER_ACCOUNT');
    const endpoint = await this.endpoints.createWithinLimit(
      {
        accountId,
        url,
        description: request.description ?? null,
        events: request.events,
        secretEncrypted: this.cipher.encrypt(secret),
      },
      max,
    );
    if (!endpoint) {
      throw new ConflictAppException(
        'WEBHOOK_LIMIT_REACHED',
        `An account may have at most ${max} webhook endpoints.`,
        { limit: max },
      );
    }
    await this.subscriptions.changed();
    return { ...WebhookEndpointView.from(endpoint, this.clock.now()), secret };
  }

  async list(accountId: string, request: PageRequest): Promise<Page<WebhookEndpointView>> {
    const now = this.clock.now();
    return mapPage(await this.endpoints.listOwned(accountId, request), (endpoint) =>
      WebhookEndpointView.from(endpoint, now),
    );
  }

  async get(accountId: string, id: string): Promise<WebhookEndpointView> {
    return WebhookEndpointView.from(await this.findOwnedOrFail(accountId, id), this.clock.now());
  }

  async update(
    accountId: string,
    id: string,
    request: UpdateWebhookDto,
  ): Promise<WebhookEndpointView> {
    await this.findOwnedOrFail(accountId, id);
    const url = request.url === undefined ? undefined : await this.urlPolicy.check(request.url);
    const updated = await this.endpoints.update(accountId, id, {
      url,
      events: request.events,
      description: request.description,
      enabled: request.enabled,
    });
    if (!updated) throw notFound();
    await this.subscriptions.changed();
    return WebhookEndpointView.from(updated, this.clock.now());
  }

  async delete(accountId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.endpoints.delete(accountId, id))) throw notFound();
    await this.subscriptions.changed();
  }

  async rotateSecret(accountId: string, id: string): Promise<RotatedSecretView> {
    await this.findOwnedOrFail(accountId, id);
    const secret = generateSigningSecret();
    const overlapEndsAt = new Date(this.clock.now().getTime() + SECRET_ROTATION_OVERLAP_MS);
    const rotated = await this.endpoints.rotateSecret(
      accountId,
      id,
      this.cipher.encrypt(secret),
      overlapEndsAt,
    );
    if (!rotated) throw notFound();
    return { secret, previousSecretExpiresAt: overlapEndsAt.toISOString() };
  }

  /** A `webhook.test` event to this endpoint only, delivered like any other. */
  async sendTest(accountId: string, id: string): Promise<{ deliveryId: string }> {
    const endpoint = await this.findOwnedOrFail(accountId, id);
    if (!endpoint.enabled) {
      throw new AppException(
        HttpStatus.CONFLICT,
        'WEBHOOK_DISABLED',
        'The endpoint is disabled; enable it first (PATCH {"enabled": true}).',
      );
    }
    const deliveryIds = await this.dataSource.transaction((manager) =>
      this.outbox.appendEvents(manager, [
        {
          accountId,
          type: 'webhook.test',
          endpointId: endpoint.id,
          data: { endpointId: endpoint.id, message: 'This is a test event from Switchboard.' },
        },
      ]),
    );
    await this.outbox.enqueue(deliveryIds);
    return { deliveryId: deliveryIds[0] };
  }

  async findOwnedOrFail(accountId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = isUuid(id) ? await this.endpoints.findOwned(accountId, id) : null;
    if (!endpoint) throw notFound();
    return endpoint;
  }
}

function notFound(): NotFoundAppException {
  return new NotFoundAppException('WEBHOOK_NOT_FOUND', 'No such webhook endpoint.');
}
