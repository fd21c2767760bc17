import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, SignedIn } from '@app/auth';
import { AccountDto } from '../accounts/account.dto';

const PHONE_EXAMPLE = '+14155550123';

/** E.164 is checked by the service (422 INVALID_PHONE_NUMBER); here only the shape. */
class PhoneDto {
  @ApiProperty({
    example: PHONE_EXAMPLE,
    description: 'International format; spaces and dashes are accepted.',
  })
  @IsString()
  @MaxLength(32)
  phone: string;
}

export class RequestCodeDto extends PhoneDto {}

export class RegisterDto extends PhoneDto {
  @ApiProperty({ example: 'Ada', minLength: 1, maxLength: 100 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: 'Optional: lets the account sign in with POST /auth/login as well.',
  })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;
}

export class VerifyCodeDto extends PhoneDto {
  @ApiProperty({ example: '123456', description: 'The 6 digits of the SMS.' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits of the SMS' })
  code: string;
}

export class LoginDto extends PhoneDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class RefreshTokenDto {
  @ApiPropertyOptional({
    example: 'sbr_5b7e2c1a-3f4d-4e8a-9c0b-1d2e3f4a5b6c.q3JtZ0p6X1l5b2RfVzR4eXBhUW1kc1hKQ3l6cEc4Rw',
    description:
      'Left out by the web app, whose refresh token is in the switchboard_refresh cookie (then X-Switchboard-Client: web is required).',
  })
  @IsOptional()
  @IsString()
  // Generous on purpose: anything that is not a refresh token gets 401, not a validation error.
  @MaxLength(2048)
  refreshToken?: string;
}

export class CodeSentDto {
  @ApiProperty({ example: 'code_sent' })
  status: 'code_sent';

  @ApiProperty({ example: 600, description: 'Seconds the code is valid for.' })
  expiresIn: number;
}

export class TokensDto {
  @ApiProperty({
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjlm...In0.3q2-7w',
    description: 'Send as `Authorization: Bearer <accessToken>`.',
  })
  accessToken: string;

  @ApiPropertyOptional({
    example: 'sbr_5b7e2c1a-3f4d-4e8a-9c0b-1d2e3f4a5b6c.q3JtZ0p6X1l5b2RfVzR4eXBhUW1kc1hKQ3l6cEc4Rw',
    description:
      'Single use: POST /auth/refresh answers a new pair. Using a refresh token twice ends the session. Left out when the request said X-Switchboard-Client: web: it is then set in the switchboard_refresh cookie.',
  })
  refreshToken?: string;

  @ApiProperty({ example: 900, description: 'Seconds the access token is valid for.' })
  expiresIn: number;

  @ApiProperty({ type: AccountDto })
  account: AccountDto;

  static from(signedIn: SignedIn): TokensDto {
    return {
      accessToken: signedIn.accessToken,
      refreshToken: signedIn.refreshToken,
      expiresIn: signedIn.expiresIn,
      account: AccountDto.from(signedIn.account),
    };
  }
}
