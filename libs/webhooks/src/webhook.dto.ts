import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types';
import { WebhookEndpoint } from './webhook-endpoint.repository';

const URL_EXAMPLE = 'https://example.com/switchboard/webhooks';

export class CreateWebhookDto {
  @ApiProperty({
    example: URL_EXAMPLE,
    description:
      'https:// (http:// only with WEBHOOK_ALLOW_HTTP); never a loopback, private, link-local or metadata address.',
  })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['message.received'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: string[];

  @ApiPropertyOptional({ example: 'CRM sync', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: URL_EXAMPLE })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: string[];

  @ApiPropertyOptional({ example: 'CRM sync', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    description: 'true re-enables a disabled endpoint (its failures are forgotten).',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid', example: '3b0f6c1e-8f8a-4d57-9a0e-5c1f2a7d9b42' })
  id: string;

  @ApiProperty({ example: URL_EXAMPLE })
  url: string;

  @ApiProperty({ type: String, nullable: true, example: 'CRM sync' })
  description: string | null;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events: string[];

  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['by_account', 'gone', 'failing'],
    description:
      'Why the endpoint is disabled: by_account (PATCH), gone (it answered 410), failing (every delivery failed for WEBHOOK_DISABLE_AFTER_DAYS).',
  })
  disabledReason: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-21T10:00:00.000Z' })
  disabledAt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Since when every delivery attempt has failed; null while healthy.',
    example: null,
  })
  failingSince: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'After a rotation, until when the previous secret signs alongside the new one.',
    example: '2026-11-22T10:00:00.000Z',
  })
  previousSecretExpiresAt: string | null;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  updatedAt: string;

  static from(endpoint: WebhookEndpoint, now: Date): WebhookEndpointView {
    const overlapping =
      endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      events: endpoint.events,
      enabled: endpoint.enabled,
      disabledReason: endpoint.disabledReason,
      disabledAt: endpoint.disabledAt?.toISOString() ?? null,
      failingSince: endpoint.failingSince?.toISOString() ?? null,
      previousSecretExpiresAt: overlapping ? endpoint.previousSecretExpiresAt!.toISOString() : null,
      createdAt: endpoint.createdAt.toISOString(),
      updatedAt: endpoint.updatedAt.toISOString(),
    };
  }
}

export class CreatedWebhookView extends WebhookEndpointView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret, shown only now (Standard Webhooks). Store it.',
  })
  secret: string;
}

export class RotatedSecretView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Shown only now.',
  })
  secret: string;

  @ApiProperty({
    description: 'Until then the previous secret signs too.',
    example: '2026-11-22T10:00:00.000Z',
  })
  previousSecretExpiresAt: string;
}
