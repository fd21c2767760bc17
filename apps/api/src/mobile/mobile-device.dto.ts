import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/**
 * A SIM card as the app reports it (phone number, carrier and ICCID arrive redacted but for their
 * last 4 characters). Checked here; stored by the devices lib's SIM support.
 */
export class AppSimCard {
  @ApiProperty({ example: 0 })
  @IsInt()
  @Min(0)
  @Max(16)
  slotIndex: number;

  @ApiProperty({ example: 1, description: '1-based, as the app numbers SIMs.' })
  @IsInt()
  @Min(1)
  @Max(16)
  simNumber: number;

  @ApiPropertyOptional({ example: '*******0123', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  phoneNumber?: string | null;

  @ApiPropertyOptional({ example: '****ile', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  carrierName?: string | null;

  @ApiPropertyOptional({ example: '****************1234', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  iccid?: string | null;
}

/** `POST /api/mobile/v1/device`: the app registering (its DeviceRegisterRequest). */
export class AppRegisterDeviceBody {
  @ApiProperty({ example: 'Google/panther', description: 'The app sends "manufacturer/product".' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: null,
    description: 'A Firebase token; unused (Switchboard wakes phones over SSE only).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  pushToken?: string | null;

  @ApiPropertyOptional({ type: [AppSimCard] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @ValidateNested({ each: true })
  @Type(() => AppSimCard)
  simCards?: AppSimCard[];
}

/** `PATCH /api/mobile/v1/device` (its DevicePatchRequest). */
export class AppPatchDeviceBody {
  @ApiProperty({ example: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4', description: "The caller's id." })
  @IsString()
  @Length(1, 64)
  id: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: null, description: 'Unused.' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  pushToken?: string | null;

  @ApiPropertyOptional({ type: [AppSimCard], nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @ValidateNested({ each: true })
  @Type(() => AppSimCard)
  simCards?: AppSimCard[] | null;
}

/** The answer to a registration (the app's DeviceRegisterResponse; `login` must not be null). */
export class AppRegisteredDeviceView {
  @ApiProperty({ example: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4' })
  id: string;

  @ApiProperty({
    example: 'sbd_Q3x9Zt1kP0mYc2n8R4vW6bL1sJ5hT7gF9dA3eK0uQ2w',
    description: 'The device token the app sent: it keeps using it for every call.',
  })
  token: string;

  @ApiProperty({
    example: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4',
    description:
      'What the app shows as its login: the device id (Switchboard has no per-phone user login).',
  })
  login: string;
  // No `password`: a phone has none (the app reads a missing one as none).
}

/** `GET /api/mobile/v1/device` (the app's DeviceGetResponse). */
export class AppDeviceInfoView {
  @ApiProperty({ example: '203.0.113.7', description: 'The address the call came from.' })
  externalIp: string;
}
