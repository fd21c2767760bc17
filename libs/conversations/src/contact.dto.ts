import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Contact } from './contact.entity';

export class CreateContactDto {
  @ApiProperty({ example: '+14155550123' })
  @IsString()
  @MaxLength(32)
  phone: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name: string;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ example: '+14155550123' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ example: 'Ada King', minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class ContactView {
  @ApiProperty({ example: '1c2b3a4d-0000-4000-8000-000000000001' })
  id: string;

  @ApiProperty({ example: '+14155550123' })
  phone: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  updatedAt: string;

  static from(contact: Contact): ContactView {
    return {
      id: contact.id,
      phone: contact.phone,
      name: contact.name,
      createdAt: contact.createdAt.toISOString(),
      updatedAt: contact.updatedAt.toISOString(),
    };
  }
}
