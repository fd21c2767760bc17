import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { GroupsService, MyGroupView } from '@app/groups';

/** Under /me, not /groups: any word after /groups/ may be a group's name. */
@ApiTags('groups')
@Controller('me/groups')
export class MyGroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @ApiOperation({
    summary: 'The groups you are in, by name, with your number for each',
    description: 'Not paged: one pool number per group, so at most as many as the pool has.',
  })
  @ApiOkResponse({ type: [MyGroupView] })
  list(@CurrentAccount() caller: AuthenticatedAccount): Promise<MyGroupView[]> {
    return this.groups.mine(caller.accountId);
  }
}
