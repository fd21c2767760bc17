import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';

/** The app's ProcessingState, by name (Gson writes enum names). */
export const APP_PROCESSING_STATES = [
  'Pending',
  'Cancelling',
  'Cancelled',
  'Processed',
  'Sent',
  'Delivered',
  'Failed',
] as const;
export type AppProcessingState = (typeof APP_PROCESSING_STATES)[number];

export const APP_PROCESSING_ORDERS = ['lifo', 'fifo'] as const;
export type AppProcessingOrder = (typeof APP_PROCESSING_ORDERS)[number];

export class AppMessagesQuery {
  @ApiPropertyOptional({ enum: APP_PROCESSING_ORDERS, default: 'fifo' })
  @IsOptional()
  @IsIn(APP_PROCESSING_ORDERS)
  order?: AppProcessingOrder;
}

export class AppRecipientState {
  @ApiProperty({ example: '+14155550123' })
  @IsString()
  @Length(1, 64)
  phoneNumber: string;

  @ApiProperty({ enum: APP_PROCESSING_STATES, example: 'Sent' })
  @IsIn(APP_PROCESSING_STATES)
  state: AppProcessingState;

  @ApiPropertyOptional({ nullable: true, type: String, example: null })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  error?: string | null;
}

/** One element of `PATCH /api/mobile/v1/message` (the app's MessagePatchRequest). */
export class AppMessageStatePatch {
  @ApiProperty({ example: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11' })
  @IsString()
  @Length(1, 64)
  id: string;

  @ApiProperty({ enum: APP_PROCESSING_STATES, example: 'Sent' })
  @IsIn(APP_PROCESSING_STATES)
  state: AppProcessingState;

  @ApiProperty({ type: [AppRecipientState] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AppRecipientState)
  recipients: AppRecipientState[];

  @ApiPropertyOptional({
    example: { Processed: '2026-12-05T13:49:52.000+00:00', Sent: '2026-12-05T13:49:53.120+00:00' },
    description: 'When the phone reached each state, by its own clock (kept for reference only).',
  })
  @IsOptional()
  @IsObject()
  states?: Record<string, string>;
}

export class AppTextContent {
  @ApiProperty({ example: 'Your table is ready.' })
  text: string;
}

/**
 * A message as the app pulls it (its GatewayApi.Message). Dates are written as Gson reads them
 * (`yyyy-MM-dd'T'HH:mm:ss.SSS` and a zone: always `Z` here); a field without a value is left out.
 */
export class AppMessageView {
  @ApiProperty({ example: '6f1c1a8e-3b7e-4c1e-9a55-2f6f5b0f6a11' })
  id: string;

  @ApiProperty({ type: AppTextContent })
  textMessage: AppTextContent;

  @ApiProperty({ example: ['+14155550123'], type: [String] })
  phoneNumbers: string[];

  @ApiPropertyOptional({ example: 1, description: 'The SIM to send from (1-based), when chosen.' })
  simNumber?: number;

  @ApiProperty({ example: true })
  withDeliveryReport: boolean;

  @ApiProperty({ example: false })
  isEncrypted: boolean;

  @ApiPropertyOptional({
    example: '2026-12-05T14:49:52.000Z',
    description: 'The message expires then; the app fails it after that.',
  })
  validUntil?: string;

  @ApiProperty({ enum: ['Pending'], example: 'Pending' })
  state: 'Pending';

  @ApiProperty({ example: '2026-12-05T13:49:52.000Z' })
  createdAt: string;
}
