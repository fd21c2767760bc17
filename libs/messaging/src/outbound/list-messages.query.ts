import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { MessageStatus } from '../model/message-status';

export const MAX_WAIT_SECONDS = 30;

export class ListMessagesQuery extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: MessageStatus })
  @IsOptional()
  @IsEnum(MessageStatus)
  status?: MessageStatus;

  @ApiPropertyOptional({ enum: ['outbound', 'inbound'] })
  @IsOptional()
  @IsIn(['outbound', 'inbound'])
  direction?: 'outbound' | 'inbound';

  @ApiPropertyOptional({ example: '+14155550123', description: 'The other party, E.164.' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  peer?: string;

  @ApiPropertyOptional({ example: 'chat-session-123' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  sessionId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  deviceId?: string;

  @ApiPropertyOptional({ example: '2026-11-21T00:00:00Z', description: 'Created at or after.' })
  @IsOptional()
  @IsDateString({ strict: true })
  since?: string;

  @ApiPropertyOptional({ example: '2026-11-22T00:00:00Z', description: 'Created before.' })
  @IsOptional()
  @IsDateString({ strict: true })
  until?: string;
}

export class SendOptionsQuery {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description:
      'Wait up to this many seconds for the message to be sent or to fail (200), else answer 202.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  wait?: number;
}
