import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AccountsService, AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { AccountDto } from './account.dto';

@ApiTags('account')
@Controller('me')
export class MeController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'The account of the caller' })
  @ApiOkResponse({ type: AccountDto })
  @ApiUnauthorizedResponse({ description: 'No or invalid credential (problem details).' })
  async me(@CurrentAccount() caller: AuthenticatedAccount): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.getById(caller.accountId));
  }
}
