import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Account, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@app/auth';
import type { SendQuotaStatus } from '@app/messaging';

const trimmed = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export class AccountDto {
  @ApiProperty({ example: '0b9f3f0e-4a8e-4d35-9a0e-2f1c3b7d9e10' })
  id: string;

  @ApiProperty({
    example: 'Ada',
    description: 'Empty for an account created by a bare code sign-in until it is named.',
  })
  name: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiPropertyOptional({
    example: '+14155550123',
    description: 'Only on accounts that sign in with a phone number (not on API-only accounts).',
  })
  phone?: string;

  @ApiPropertyOptional({ example: '2026-11-21T10:00:00.000Z', description: 'With `phone`.' })
  phoneVerifiedAt?: string;

  @ApiPropertyOptional({
    example: true,
    description: 'With `phone`: whether POST /auth/login can be used.',
  })
  hasPassword?: boolean;

  static from(account: Account): AccountDto {
    const dto: AccountDto = {
      id: account.id,
      name: account.name,
      createdAt: account.createdAt.toISOString(),
    };
    if (account.phone) {
      dto.phone = account.phone;
      dto.phoneVerifiedAt = account.phoneVerifiedAt?.toISOString();
      dto.hasPassword = account.hasPassword;
    }
    return dto;
  }
}

export class SendLimitsDto {
  @ApiProperty({ type: Number, nullable: true, example: 10, description: 'null = unlimited' })
  perMinute: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 100, description: 'null = unlimited' })
  perDay: number | null;
}

export class SendUsageDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 12,
    description: 'Segments sent this UTC day; null when the account has no limit (not counted).',
  })
  today: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 88, description: 'null = unlimited' })
  remainingToday: number | null;

  @ApiProperty({ example: '2026-11-22T00:00:00.000Z', description: 'The next midnight UTC.' })
  resetsAt: string;
}

/** The caller's account, with its sending limits and what is left of them today. */
export class MeDto extends AccountDto {
  @ApiProperty({
    type: SendLimitsDto,
    description: 'Segments per UTC minute and per UTC calendar day (README, Sending limits).',
  })
  limits: SendLimitsDto;

  @ApiProperty({ type: SendUsageDto })
  usage: SendUsageDto;

  static withQuota(account: Account, quota: SendQuotaStatus): MeDto {
    return { ...AccountDto.from(account), limits: quota.limits, usage: quota.usage };
  }
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace', minLength: 1, maxLength: 100 })
  @IsOptional()
  @trimmed()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description:
      'The new password. Needs `currentPassword`, or a `code` from POST /auth/otp; ends every other session.',
  })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;

  @ApiPropertyOptional({ example: 'Tr0ub4dor&3' })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword?: string;

  @ApiPropertyOptional({ example: '123456', description: 'A code texted by POST /auth/otp.' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits of the SMS' })
  code?: string;
}

export class EndedSessionsDto {
  @ApiProperty({ example: 2, description: 'How many other sessions were signed out.' })
  ended: number;
}
