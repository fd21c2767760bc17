import { ApiProperty } from '@nestjs/swagger';
import { Account } from '@app/auth';

export class AccountDto {
  @ApiProperty({ example: '0b9f3f0e-4a8e-4d35-9a0e-2f1c3b7d9e10' })
  id: string;

  @ApiProperty({ example: 'Acme' })
  name: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  static from(account: Account): AccountDto {
    return { id: account.id, name: account.name, createdAt: account.createdAt.toISOString() };
  }
}
