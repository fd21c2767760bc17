import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Message } from './message.entity';
import { MessageDirection, MessageStatus, RequestedRoute } from './message-status';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A message as the API shows it. */
export class MessageView {
  @ApiProperty({ example: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11' })
  id: string;

  @ApiProperty({ enum: ['outbound', 'inbound'], example: 'outbound' })
  direction: MessageDirection;

  @ApiPropertyOptional({ type: String, example: '+12015550100', nullable: true })
  from: string | null;

  @ApiProperty({ example: '+14155550123' })
  to: string;

  @ApiProperty({ example: 'Your order has shipped.' })
  body: string;

  @ApiProperty({ enum: ['GSM-7', 'UCS-2'], example: 'GSM-7' })
  encoding: string;

  @ApiProperty({ example: 1 })
  segments: number;

  @ApiProperty({ enum: MessageStatus, example: MessageStatus.Queued })
  status: MessageStatus;

  @ApiProperty({ enum: RequestedRoute, example: RequestedRoute.Auto })
  routeRequested: RequestedRoute;

  @ApiPropertyOptional({
    type: String,
    example: 'twilio',
    nullable: true,
    description: 'twilio, console or device',
  })
  route: string | null;

  @ApiPropertyOptional({
    type: String,
    example: '0b9f3c2e-5d4a-4f7e-8c1b-2a6d9e7f1c30',
    nullable: true,
    description: 'The phone that sent it (route "device").',
  })
  deviceId: string | null;

  @ApiPropertyOptional({
    example: 2,
    nullable: true,
    type: Number,
    description:
      'The SIM of the phone it goes out from (route "device"): the one the phone was told to use, or until then the one requested. For a text a phone received: the SIM it arrived on, when the phone said.',
  })
  simNumber: number | null;

  @ApiPropertyOptional({
    type: String,
    example: 'SM0123456789abcdef0123456789abcdef',
    nullable: true,
  })
  providerMessageId: string | null;

  @ApiPropertyOptional({ type: String, example: '21211', nullable: true })
  errorCode: string | null;

  @ApiPropertyOptional({
    type: String,
    example: "The 'To' number +1415555 is not a valid phone number.",
    nullable: true,
  })
  errorMessage: string | null;

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiPropertyOptional({ type: String, example: 'chat-session-123', nullable: true })
  sessionId: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'order-1234-reminder',
    nullable: true,
    description:
      'The id shared by the messages of one request to several recipients (the SMS Gateway for Android client API, /3rdparty/v1).',
  })
  externalId: string | null;

  @ApiPropertyOptional({ type: String, example: '2026-11-21T18:00:00.000Z', nullable: true })
  scheduledAt: string | null;

  @ApiPropertyOptional({ type: String, example: '2026-11-22T00:00:00.000Z', nullable: true })
  expiresAt: string | null;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-21T10:00:01.000Z' })
  updatedAt: string;

  @ApiPropertyOptional({
    type: String,
    example: '2026-11-21T10:00:00.500Z',
    nullable: true,
    description: 'When it was last handed to Twilio or to a phone (status `sending`).',
  })
  sendingAt: string | null;

  @ApiPropertyOptional({ type: String, example: '2026-11-21T10:00:01.000Z', nullable: true })
  sentAt: string | null;

  @ApiPropertyOptional({ type: String, example: '2026-11-21T10:00:04.000Z', nullable: true })
  deliveredAt: string | null;

  @ApiPropertyOptional({ type: String, example: '2026-11-21T10:00:02.000Z', nullable: true })
  failedAt: string | null;

  @ApiPropertyOptional({ type: String, example: null, nullable: true })
  canceledAt: string | null;

  @ApiPropertyOptional({
    type: String,
    example: null,
    nullable: true,
    description: 'When it expired unsent (its `expiresAt` passed first).',
  })
  expiredAt: string | null;

  static from(message: Message): MessageView {
    return {
      id: message.id,
      direction: message.direction,
      from: message.fromNumber,
      to: message.toNumber,
      body: message.body,
      encoding: message.encoding,
      segments: message.segments,
      status: message.status,
      routeRequested: message.routeRequested,
      route: message.route,
      deviceId: message.deviceId,
      simNumber: message.simNumber ?? message.requestedSimNumber,
      providerMessageId: message.providerMessageId,
      errorCode: message.errorCode,
      errorMessage: message.errorMessage,
      attempts: message.attempts,
      sessionId: message.sessionId,
      externalId: message.externalId ?? null,
      scheduledAt: iso(message.scheduledAt),
      expiresAt: iso(message.expiresAt),
      createdAt: message.createdAt.toISOString(),
      updatedAt: message.updatedAt.toISOString(),
      sendingAt: iso(message.sendingAt),
      sentAt: iso(message.sentAt),
      deliveredAt: iso(message.deliveredAt),
      failedAt: iso(message.failedAt),
      canceledAt: iso(message.canceledAt),
      expiredAt: iso(message.expiredAt),
    };
  }
}
