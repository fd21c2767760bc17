import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  AccountSettingsService,
  AccountsService,
  AuthenticatedAccount,
  ClientContext,
  CurrentAccount,
} from '@app/auth';
import { SendQuota } from '@app/messaging';
import { PASSWORD_TOO_COMMON, SERVER_BUSY } from '../auth/auth-responses';
import { Client } from '../auth/client-context.decorator';
import { AccountDto, EndedSessionsDto, MeDto, UpdateAccountDto } from './account.dto';

@ApiTags('account')
@Controller('me')
export class MeController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly settings: AccountSettingsService,
    private readonly quota: SendQuota,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The account of the caller, with its sending limits',
    description:
      'Limits count SMS segments per UTC minute and per UTC calendar day; `usage` says what was sent today and what is left until `resetsAt` (midnight UTC).',
  })
  @ApiOkResponse({ type: MeDto })
  @ApiUnauthorizedResponse({ description: 'No or invalid credential (problem details).' })
  async me(@CurrentAccount() caller: AuthenticatedAccount): Promise<MeDto> {
    const [account, quota] = await Promise.all([
      this.accounts.getById(caller.accountId),
      this.quota.status(caller.accountId),
    ]);
    return MeDto.withQuota(account, quota);
  }

  @Patch()
  @ApiOperation({
    summary: 'Change the name or the password of the caller',
    description:
      'A new password needs a fresh proof besides the credential of the request: `currentPassword`, or a `code` requested with POST /auth/otp. It ends every other session of the account (the calling one stays).',
  })
  @ApiBody({
    type: UpdateAccountDto,
    examples: {
      rename: { value: { name: 'Ada Lovelace' } },
      changePassword: {
        value: { password: 'correct horse battery staple', currentPassword: 'Tr0ub4dor&3' },
      },
      setPasswordWithCode: { value: { password: 'correct horse battery staple', code: '123456' } },
    },
  })
  @ApiOkResponse({ type: AccountDto })
  @ApiBadRequestResponse({
    description: 'VALIDATION_FAILED (also for unknown fields such as `phone`)',
  })
  @ApiForbiddenResponse({
    description: 'REAUTHENTICATION_REQUIRED, INVALID_CREDENTIALS (currentPassword), INVALID_CODE',
  })
  @ApiUnprocessableEntityResponse({
    description: `PHONE_REQUIRED (API-only accounts have no password), ${PASSWORD_TOO_COMMON.description}`,
  })
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED, with Retry-After' })
  @ApiServiceUnavailableResponse(SERVER_BUSY)
  async update(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Body() changes: UpdateAccountDto,
    @Client() client: ClientContext,
  ): Promise<AccountDto> {
    return AccountDto.from(await this.settings.update(caller, changes, client));
  }

  @Post('sessions/end-others')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Sign out every other session of the account',
    description:
      'Ends every sign-in of the account but the calling one: their refresh tokens and access tokens stop working, and their `/ws/events` sockets close (4003). API keys are not sessions and keep working (revoke them with DELETE /api-keys/:id).',
  })
  @ApiOkResponse({ type: EndedSessionsDto })
  @ApiForbiddenResponse({
    description: 'SESSION_REQUIRED: the caller used an API key, not a signed-in session',
  })
  async endOtherSessions(
    @CurrentAccount() caller: AuthenticatedAccount,
  ): Promise<EndedSessionsDto> {
    return { ended: await this.settings.endOtherSessions(caller) };
  }
}
