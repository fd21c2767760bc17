import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types';
import { WebhookDelivery } from './webhook-delivery.repository';
import { WebhookEvent } from './webhook-event.repository';

export class ListWebhookDeliveriesQuery extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'])
  status?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES)
  eventType?: string;
}

export class ReplayWebhookDto {
  @ApiProperty({
    example: '2026-11-21T10:00:00.000Z',
    description: 'Re-send every event since then.',
  })
  @IsISO8601({ strict: true })
  since: string;

  @ApiPropertyOptional({
    example: '2026-11-21T11:00:00.000Z',
    description: 'Up to then (default: now).',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class ListWebhookEventsQuery extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, example: 'webhook.disabled' })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES)
  type?: string;
}

export class WebhookAttemptView {
  @ApiProperty({ example: '2026-11-21T10:00:05.000Z' })
  attemptedAt: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 503,
    description: 'null: no answer (see error).',
  })
  statusCode: number | null;

  @ApiProperty({ example: 84 })
  latencyMs: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The first 2 KB of the response body.',
    example: 'Service Unavailable',
  })
  responseBody: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'UND_ERR_CONNECT_TIMEOUT: Connect Timeout Error',
  })
  error: string | null;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid', example: '9d2c4b7a-1e3f-4a6b-8c5d-0f1e2d3c4b5a' })
  id: string;

  @ApiProperty({
    format: 'uuid',
    example: '5e8a1f2b-7c4d-4e9f-a1b2-c3d4e5f60718',
    description: 'The event id: the `webhook-id` header of every attempt.',
  })
  eventId: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  eventType: string;

  @ApiProperty({
    example: 42,
    description: "The event's sequence number (increasing per account).",
  })
  sequence: number;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] })
  status: string;

  @ApiProperty({ type: [WebhookAttemptView] })
  attempts: WebhookAttemptView[];

  @ApiProperty({ type: String, nullable: true, example: '2026-11-21T10:05:00.000Z' })
  nextAttemptAt: string | null;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  static from(delivery: WebhookDelivery): WebhookDeliveryView {
    return {
      id: delivery.id,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      sequence: Number(delivery.sequence),
      status: delivery.status,
      attempts: delivery.attempts.map((attempt) => ({
        attemptedAt: attempt.attemptedAt.toISOString(),
        statusCode: attempt.statusCode,
        latencyMs: attempt.latencyMs,
        responseBody: attempt.responseBody,
        error: attempt.error,
      })),
      nextAttemptAt:
        delivery.status === 'pending' ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
      createdAt: delivery.createdAt.toISOString(),
    };
  }
}

export class WebhookEventView {
  @ApiProperty({ format: 'uuid', example: '5e8a1f2b-7c4d-4e9f-a1b2-c3d4e5f60718' })
  id: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  type: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'uuid', example: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11' })
  accountId: string;

  @ApiProperty({ example: 42 })
  sequence: number;

  @ApiProperty({
    type: Object,
    description: 'As delivered (see the webhook event schemas).',
    example: { reason: 'gone', endpoint: { id: '3b0f6c1e-8f8a-4d57-9a0e-5c1f2a7d9b42' } },
  })
  data: unknown;

  static from(event: WebhookEvent): WebhookEventView {
    return {
      id: event.id,
      type: event.type,
      createdAt: event.createdAt.toISOString(),
      accountId: event.accountId,
      sequence: Number(event.sequence),
      data: event.data,
    };
  }
}
