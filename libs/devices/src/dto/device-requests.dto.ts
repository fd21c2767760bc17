import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

/**
 * A phone sends at most about one SMS a second, and Android stops an app at 30 a minute unless the
 * phone allows more; the ceiling is there for simulated phones and SIM banks (the benchmark).
 */
export const MAX_SEND_RATE_PER_MINUTE = 60_000;

const trimmed = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

export class CreateDeviceDto {
  @ApiProperty({ example: 'Pixel 7 in the office', minLength: 1, maxLength: 100 })
  @Transform(trimmed)
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({
    example: 20,
    minimum: 1,
    maximum: MAX_SEND_RATE_PER_MINUTE,
    description:
      'Most SMS it is given in any 60 s. Default: the server setting (20). Android itself stops an app at 30 per minute unless the phone allows more.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SEND_RATE_PER_MINUTE)
  sendRatePerMinute?: number;
}

export class UpdateDeviceDto {
  @ApiPropertyOptional({ example: 'Pixel 7 (spare)', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({
    example: false,
    description: 'false: stays connected but is given nothing to send.',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    example: 25,
    minimum: 1,
    maximum: MAX_SEND_RATE_PER_MINUTE,
    nullable: true,
    type: Number,
    description: 'Most SMS it is given in any 60 s; null returns to the server default.',
  })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SEND_RATE_PER_MINUTE)
  sendRatePerMinute?: number | null;
}
