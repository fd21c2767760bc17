import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ClientContext, Public, SignInService } from '@app/auth';
import {
  CodeSentDto,
  LoginDto,
  RefreshTokenDto,
  RegisterDto,
  RequestCodeDto,
  TokensDto,
  VerifyCodeDto,
} from './auth.dto';
import { FAILED_SIGN_IN_LIMITS, PASSWORD_TOO_COMMON, SERVER_BUSY } from './auth-responses';
import { Client } from './client-context.decorator';

const RATE_LIMITED = {
  description:
    'RATE_LIMITED, with a Retry-After header (seconds): per phone, per caller, per day, per destination country per day. No SMS is sent.',
};
const INVALID_PHONE = {
  description:
    'INVALID_PHONE_NUMBER; DESTINATION_NOT_ALLOWED: no code is texted to premium-rate, shared-cost or toll-free numbers, nor outside ALLOWED_DESTINATION_COUNTRIES',
};
const SIGNUP_DISABLED = {
  description:
    'SIGNUP_DISABLED: the server does not create accounts by sign-up (SIGNUP_ENABLED=false) and this phone has none. No SMS is sent.',
};
// These routes are how a caller gets a credential: they take none.
const NO_CREDENTIAL = { security: [] };

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(private readonly signIn: SignInService) {}

  @Post('register')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    ...NO_CREDENTIAL,
    summary: 'Text a code that creates an account for a phone',
    description:
      'Sends a 6-digit code, valid 10 minutes. Verifying it creates the account with this name and password; for a phone that already has an account it signs that account in and leaves its name and password as they are. The answer is the same either way. At most 3 codes per phone per 15 minutes and 10 per caller per hour.',
  })
  @ApiAcceptedResponse({ type: CodeSentDto, description: 'A code is on its way (or would be).' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiUnprocessableEntityResponse({
    description: `${INVALID_PHONE.description}, ${PASSWORD_TOO_COMMON.description}`,
  })
  @ApiForbiddenResponse(SIGNUP_DISABLED)
  @ApiTooManyRequestsResponse(RATE_LIMITED)
  @ApiServiceUnavailableResponse(SERVER_BUSY)
  async register(@Body() body: RegisterDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return codeSent(await this.signIn.register(body, client));
  }

  @Post('otp')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    ...NO_CREDENTIAL,
    summary: 'Text a sign-in code',
    description:
      'Sends a 6-digit code, valid 10 minutes; a new code replaces the previous one. The answer is the same whether or not the phone has an account (a new phone gets an unnamed account when it verifies). Also the proof for changing a password with PATCH /me.',
  })
  @ApiAcceptedResponse({ type: CodeSentDto, description: 'A code is on its way (or would be).' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiUnprocessableEntityResponse(INVALID_PHONE)
  @ApiForbiddenResponse(SIGNUP_DISABLED)
  @ApiTooManyRequestsResponse(RATE_LIMITED)
  async requestCode(
    @Body() body: RequestCodeDto,
    @Client() client: ClientContext,
  ): Promise<CodeSentDto> {
    return codeSent(await this.signIn.requestCode(body, client));
  }

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    ...NO_CREDENTIAL,
    summary: 'Exchange a code for tokens',
    description:
      'A code works once. After 5 wrong guesses it is dead, even for the right digits; request a new one.',
  })
  @ApiOkResponse({
    type: TokensDto,
    description: 'Signed in (the account is created on first use).',
  })
  @ApiUnauthorizedResponse({ description: 'INVALID_CODE: wrong, expired or used (one answer)' })
  @ApiForbiddenResponse({
    description: 'SIGNUP_DISABLED: a code sent before sign-up was turned off creates no account',
  })
  @ApiTooManyRequestsResponse(FAILED_SIGN_IN_LIMITS)
  async verify(@Body() body: VerifyCodeDto, @Client() client: ClientContext): Promise<TokensDto> {
    return TokensDto.from(await this.signIn.verifyCode(body, client));
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ ...NO_CREDENTIAL, summary: 'Sign in with phone number and password' })
  @ApiOkResponse({ type: TokensDto, description: 'Signed in.' })
  @ApiUnauthorizedResponse({
    description: 'INVALID_CREDENTIALS: one answer for an unknown phone and a wrong password',
  })
  @ApiTooManyRequestsResponse(FAILED_SIGN_IN_LIMITS)
  @ApiServiceUnavailableResponse(SERVER_BUSY)
  async login(@Body() body: LoginDto, @Client() client: ClientContext): Promise<TokensDto> {
    return TokensDto.from(await this.signIn.login(body, client));
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    ...NO_CREDENTIAL,
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The refresh token is used up. Presenting a used one again ends its whole session (it was probably copied).',
  })
  @ApiOkResponse({ type: TokensDto, description: 'A new access token and refresh token.' })
  @ApiUnauthorizedResponse({ description: 'INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED' })
  async refresh(@Body() body: RefreshTokenDto): Promise<TokensDto> {
    return TokensDto.from(await this.signIn.refresh(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    ...NO_CREDENTIAL,
    summary: 'End the session of a refresh token',
    description:
      'Its refresh token and access tokens stop working. Ending an ended session is fine.',
  })
  @ApiNoContentResponse({ description: 'The session is over.' })
  @ApiUnauthorizedResponse({ description: 'INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED' })
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    await this.signIn.logout(body.refreshToken);
  }
}

function codeSent(sent: { expiresIn: number }): CodeSentDto {
  return { status: 'code_sent', expiresIn: sent.expiresIn };
}
