import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_BODY_LENGTH } from '@app/messaging';

/** As many recipients as the app's own server takes in one request. */
export const MAX_PHONE_NUMBERS = 100;
/** Characters that need no escaping in a URL path: the id comes back in `GET /messages/{id}`. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._~:@!$&'()*+,;=-]{1,36}$/;

/** The processing states of the client API: the app's view of one message. */
export enum ProcessState {
  Pending = 'Pending',
  Processed = 'Processed',
  Sent = 'Sent',
  Delivered = 'Delivered',
  Failed = 'Failed',
}

/** `true`/`false` in a query string, as the clients write them. */
const queryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

export class ClientTextMessageDto {
  @ApiProperty({ example: 'Your code is 123456', minLength: 1, maxLength: MAX_BODY_LENGTH })
  @IsString()
  @Length(1, MAX_BODY_LENGTH)
  text: string;
}

export class ClientSendMessageDto {
  @ApiPropertyOptional({
    example: 'order-1234-reminder',
    maxLength: 36,
    description:
      'Your id for the request (made up when absent). A retry with the same id and body replays the answer; the same id with another body, or once used, is 409 MESSAGE_ID_TAKEN.',
  })
  @IsOptional()
  @IsString()
  @Matches(REQUEST_ID_PATTERN, {
    message:
      "id must be 1 to 36 characters among A-Z a-z 0-9 and . _ ~ : @ ! $ & ' ( ) * + , ; = -",
  })
  id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '0b9f3c2e-5d4a-4f7e-8c1b-2a6d9e7f1c30',
    description: 'Send through this Switchboard phone (route "device").',
  })
  @IsOptional()
  @IsUUID()
  deviceId?: string;

  @ApiPropertyOptional({
    example: 'Your code is 123456',
    description: 'The text (the older spelling of textMessage.text).',
    maxLength: MAX_BODY_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Length(1, MAX_BODY_LENGTH)
  message?: string;

  @ApiPropertyOptional({ type: ClientTextMessageDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ClientTextMessageDto)
  textMessage?: ClientTextMessageDto;

  @ApiPropertyOptional({
    description: 'Binary SMS: not supported (400 DATA_MESSAGE_NOT_SUPPORTED).',
    type: Object,
    example: { data: 'SGVsbG8=', port: 53739 },
  })
  @IsOptional()
  @IsObject()
  dataMessage?: object;

  @ApiProperty({
    type: [String],
    example: ['+14155550123', '+14155550124'],
    minItems: 1,
    maxItems: MAX_PHONE_NUMBERS,
    description: 'Recipients, E.164; one Switchboard message each.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PHONE_NUMBERS)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  phoneNumbers: string[];

  @ApiPropertyOptional({
    example: false,
    description: 'End-to-end encrypted content: not supported (400 ENCRYPTION_NOT_SUPPORTED).',
  })
  @IsOptional()
  @IsBoolean()
  isEncrypted?: boolean;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 3,
    example: 1,
    description: "The phone's SIM to send from (1-based); only phones reporting that SIM send it.",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3)
  simNumber?: number;

  @ApiPropertyOptional({
    example: true,
    description: 'Accepted; Switchboard always records delivery reports.',
  })
  @IsOptional()
  @IsBoolean()
  withDeliveryReport?: boolean;

  @ApiPropertyOptional({
    minimum: -128,
    maximum: 127,
    example: 0,
    description: 'Accepted, not used.',
  })
  @IsOptional()
  @IsInt()
  @Min(-128)
  @Max(127)
  priority?: number;

  @ApiPropertyOptional({
    minimum: 5,
    example: 3600,
    description: 'Seconds the message may wait to be sent (then it fails as expired).',
  })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(365 * 24 * 3600)
  ttl?: number;

  @ApiPropertyOptional({
    example: '2026-11-22T00:00:00Z',
    description: 'Not sent after this time (instead of ttl).',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  validUntil?: string;

  @ApiPropertyOptional({ example: '2026-11-21T18:00:00Z', description: 'Send at this time.' })
  @IsOptional()
  @IsDateString({ strict: true })
  scheduleAt?: string;
}

export class ClientSendOptionsQuery {
  @ApiPropertyOptional({
    description: 'Accepted; numbers are always read as E.164 (a leading + and country code).',
  })
  @IsOptional()
  @queryBoolean()
  @IsBoolean()
  skipPhoneValidation?: boolean;

  @ApiPropertyOptional({ minimum: 0, description: 'Accepted, not used.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  deviceActiveWithin?: number;
}

export class ClientListMessagesQuery {
  @ApiPropertyOptional({ example: '2026-11-21T00:00:00Z', description: 'Made at or after.' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-22T00:00:00Z', description: 'Made before.' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ProcessState })
  @IsOptional()
  @IsIn(Object.values(ProcessState))
  state?: ProcessState;

  @ApiPropertyOptional({ format: 'uuid', description: 'Sent through this phone.' })
  @IsOptional()
  @IsUUID()
  deviceId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ default: false, description: 'Include textMessage.' })
  @IsOptional()
  @queryBoolean()
  @IsBoolean()
  includeContent?: boolean;

  @ApiPropertyOptional({ enum: ['created_at', '-created_at'], default: '-created_at' })
  @IsOptional()
  @IsIn(['created_at', '-created_at'])
  sort?: 'created_at' | '-created_at';
}

export class ClientRecipientStateDto {
  @ApiProperty({ example: '+14155550123' })
  phoneNumber: string;

  @ApiProperty({ enum: ProcessState, example: ProcessState.Sent })
  state: ProcessState;

  @ApiPropertyOptional({
    example: 'canceled',
    description: 'Why it failed (Failed only; absent otherwise).',
  })
  error?: string;
}

export class ClientMessageStateDto {
  @ApiProperty({ example: 'order-1234-reminder' })
  id: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    example: null,
    description: 'The phone that sent it, if a phone did.',
  })
  deviceId: string | null;

  @ApiProperty({
    enum: ProcessState,
    description:
      'Pending while any recipient waits, Processed while any is being sent, Failed or Delivered when all are, else Sent.',
  })
  state: ProcessState;

  @ApiProperty({ example: false })
  isHashed: boolean;

  @ApiProperty({ example: false })
  isEncrypted: boolean;

  @ApiProperty({ type: [ClientRecipientStateDto] })
  recipients: ClientRecipientStateDto[];

  @ApiProperty({
    description: 'When the request reached each state it has reached.',
    example: { Pending: '2026-11-21T10:00:00.000Z', Sent: '2026-11-21T10:00:01.000Z' },
    type: 'object',
    additionalProperties: { type: 'string', format: 'date-time' },
  })
  states: Partial<Record<ProcessState, string>>;

  @ApiPropertyOptional({ type: ClientTextMessageDto, description: 'With ?includeContent=true.' })
  textMessage?: ClientTextMessageDto;
}
