import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDateString,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { RequestedRoute } from '../model/message-status';

export const MAX_BODY_LENGTH = 1600;
export const MAX_BATCH_SIZE = 1000;
/** Android numbers SIMs by slot, from 1; no phone has more than a few slots. */
export const MAX_REQUESTED_SIM_NUMBER = 8;

export class SendMessageDto {
  @ApiProperty({
    example: '+14155550123',
    description: 'Recipient, E.164 (a leading + and country code).',
  })
  @IsString()
  @MaxLength(32)
  to: string;

  @ApiProperty({ example: 'Your order has shipped.', minLength: 1, maxLength: MAX_BODY_LENGTH })
  @IsString()
  @Length(1, MAX_BODY_LENGTH)
  body: string;

  @ApiPropertyOptional({
    example: '+12015550100',
    description:
      'A number of the Twilio pool to send from; by default the sticky pool number for this recipient.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  from?: string;

  @ApiPropertyOptional({
    enum: RequestedRoute,
    default: RequestedRoute.Auto,
    description: 'An unknown route is 422 INVALID_ROUTE.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  route?: RequestedRoute;

  @ApiPropertyOptional({
    description: 'Send through this phone (route "device").',
    format: 'uuid',
    example: '0b9f3c2e-5d4a-4f7e-8c1b-2a6d9e7f1c30',
  })
  @IsOptional()
  @IsUUID()
  deviceId?: string;

  @ApiPropertyOptional({
    example: 2,
    minimum: 1,
    maximum: MAX_REQUESTED_SIM_NUMBER,
    description:
      'Send from this SIM of the phone (1-based, a `simNumber` of its `simCards`; route "device"). ' +
      'Only phones that report this SIM take it; with `deviceId`, a device without it is 422 SIM_NOT_AVAILABLE, ' +
      'and so is an account none of whose phones reports it. Default: the least-loaded SIM.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REQUESTED_SIM_NUMBER)
  simNumber?: number;

  @ApiPropertyOptional({
    example: 'chat-session-123',
    description: 'Client-chosen session id; the first message naming it creates the session.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  sessionId?: string;

  @ApiPropertyOptional({
    example: '2026-11-21T18:00:00Z',
    description: 'Send at this time, not before.',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  scheduledAt?: string;

  @ApiPropertyOptional({
    example: '2026-11-22T00:00:00Z',
    description: 'Give up (status expired) if not sent by then.',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  expiresAt?: string;
}

export class SendBatchDto {
  @ApiProperty({
    type: [SendMessageDto],
    minItems: 1,
    maxItems: MAX_BATCH_SIZE,
    example: [
      { to: '+14155550123', body: 'Your order has shipped.' },
      { to: '+14155550124', body: 'Your table is ready.', sessionId: 'chat-session-123' },
    ],
  })
  @ValidateNested({ each: true })
  @Type(() => SendMessageDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SIZE)
  messages: SendMessageDto[];
}
