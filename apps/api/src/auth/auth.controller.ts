import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
import {
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  WEB_CLIENT,
  WEB_CLIENT_HEADER,
  deliverTokens,
  presentedRefreshToken,
  settleRefreshCookie,
} from './web-session-cookie';

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
// …but a refresh or logout may present the web app's cookie instead of a body.
const NO_CREDENTIAL_OR_COOKIE = {
  security: [{}, { [REFRESH_COOKIE]: [] }] as Array<Record<string, string[]>>,
};

const WebClient = ApiHeader({
  name: WEB_CLIENT_HEADER,
  required: false,
  enum: [WEB_CLIENT],
  description: `The web app's sign-in: the refresh token is set in the HttpOnly cookie ${REFRESH_COOKIE} (SameSite=Strict, Path=${REFRESH_COOKIE_PATH}, Secure over HTTPS) and left out of the body. Required to refresh or log out by that cookie (CSRF: a cross-site form cannot send it).`,
});
const SETS_REFRESH_COOKIE = {
  'Set-Cookie': {
    description: `With ${WEB_CLIENT_HEADER}: ${WEB_CLIENT}: ${REFRESH_COOKIE}=<refresh token>; Max-Age=<30 days>; Path=${REFRESH_COOKIE_PATH}; HttpOnly; SameSite=Strict (and Secure over HTTPS).`,
    schema: { type: 'string' },
  },
};
const CLEARS_REFRESH_COOKIE = {
  'Set-Cookie': {
    description: `When the web app's cookie was in play: ${REFRESH_COOKIE}=; Max-Age=0 (cleared).`,
    schema: { type: 'string' },
  },
};
const CSRF_HEADER_REQUIRED = {
  description: `CSRF_HEADER_REQUIRED: the body has no refreshToken and the ${REFRESH_COOKIE} cookie came without ${WEB_CLIENT_HEADER}: ${WEB_CLIENT}`,
};
const REFRESH_TOKEN_REFUSED = {
  description: `INVALID_REFRESH_TOKEN (also: neither a body token nor the cookie), REFRESH_TOKEN_REUSED. A cookie that is refused is cleared.`,
};

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
  @WebClient
  @ApiOkResponse({
    type: TokensDto,
    description: 'Signed in (the account is created on first use).',
    headers: SETS_REFRESH_COOKIE,
  })
  @ApiUnauthorizedResponse({ description: 'INVALID_CODE: wrong, expired or used (one answer)' })
  @ApiForbiddenResponse({
    description: 'SIGNUP_DISABLED: a code sent before sign-up was turned off creates no account',
  })
  @ApiTooManyRequestsResponse(FAILED_SIGN_IN_LIMITS)
  async verify(
    @Body() body: VerifyCodeDto,
    @Client() client: ClientContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensDto> {
    const signedIn = await this.signIn.verifyCode(body, client);
    return deliverTokens(request, response, TokensDto.from(signedIn));
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ ...NO_CREDENTIAL, summary: 'Sign in with phone number and password' })
  @WebClient
  @ApiOkResponse({ type: TokensDto, description: 'Signed in.', headers: SETS_REFRESH_COOKIE })
  @ApiUnauthorizedResponse({
    description: 'INVALID_CREDENTIALS: one answer for an unknown phone and a wrong password',
  })
  @ApiTooManyRequestsResponse(FAILED_SIGN_IN_LIMITS)
  @ApiServiceUnavailableResponse(SERVER_BUSY)
  async login(
    @Body() body: LoginDto,
    @Client() client: ClientContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensDto> {
    const signedIn = await this.signIn.login(body, client);
    return deliverTokens(request, response, TokensDto.from(signedIn));
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    ...NO_CREDENTIAL_OR_COOKIE,
    summary: 'Exchange a refresh token for a new pair',
    description: `The refresh token is used up. Presenting a used one again ends its whole session (it was probably copied). The token is the body's, else the web app's ${REFRESH_COOKIE} cookie's, which is then replaced.`,
  })
  @WebClient
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiOkResponse({
    type: TokensDto,
    description: 'A new access token and refresh token.',
    headers: SETS_REFRESH_COOKIE,
  })
  @ApiUnauthorizedResponse(REFRESH_TOKEN_REFUSED)
  @ApiForbiddenResponse(CSRF_HEADER_REQUIRED)
  async refresh(
    @Body() body: RefreshTokenDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensDto> {
    const presented = presentedRefreshToken(request, body?.refreshToken);
    const signedIn = await settleRefreshCookie(
      request,
      response,
      presented,
      () => this.signIn.refresh(presented.token),
      { endsSession: false },
    );
    return deliverTokens(request, response, TokensDto.from(signedIn));
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    ...NO_CREDENTIAL_OR_COOKIE,
    summary: 'End the session of a refresh token',
    description: `Its refresh token and access tokens stop working. Ending an ended session is fine. The token is the body's, else the web app's ${REFRESH_COOKIE} cookie's, which is then cleared.`,
  })
  @WebClient
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiNoContentResponse({ description: 'The session is over.', headers: CLEARS_REFRESH_COOKIE })
  @ApiUnauthorizedResponse(REFRESH_TOKEN_REFUSED)
  @ApiForbiddenResponse(CSRF_HEADER_REQUIRED)
  async logout(
    @Body() body: RefreshTokenDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const presented = presentedRefreshToken(request, body?.refreshToken);
    await settleRefreshCookie(
      request,
      response,
      presented,
      () => this.signIn.logout(presented.token),
      { endsSession: true },
    );
  }
}

function codeSent(sent: { expiresIn: number }): CodeSentDto {
  return { status: 'code_sent', expiresIn: sent.expiresIn };
}
