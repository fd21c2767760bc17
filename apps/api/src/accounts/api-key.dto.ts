import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { ApiKey, IssuedApiKey } from '@app/auth';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing service', minLength: 1, maxLength: 100 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  name: string;
}

/** A key as listed: enough to tell keys apart, never the key itself. */
export class ApiKeyDto {
  @ApiProperty({ example: '6f1c2a9e-0d7b-4c3e-8a51-2b9d4e6f7a80' })
  id: string;

  @ApiProperty({ example: 'billing service' })
  name: string;

  @ApiProperty({ example: 'sb_Xq3JtZ0p', description: 'The first characters of the key.' })
  prefix: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({
    example: '2026-11-21T10:05:00.000Z',
    nullable: true,
    type: String,
    description: 'To the minute; null until first used.',
  })
  lastUsedAt: string | null;

  static from(apiKey: ApiKey): ApiKeyDto {
    return {
      id: apiKey.id,
      name: apiKey.name,
      prefix: apiKey.prefix,
      createdAt: apiKey.createdAt.toISOString(),
      lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'sb_Xq3JtZ0p6X1l5b2RfVzR4eXBhUW1kc1hKQ3l6cEc4Rw',
    description: 'The key. Shown this once: only its hash is stored.',
  })
  key: string;

  static fromIssued(issued: IssuedApiKey): CreatedApiKeyDto {
    return { ...ApiKeyDto.from(issued.apiKey), key: issued.key };
  }
}
