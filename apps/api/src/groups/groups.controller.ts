import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { PaginationQueryDto } from '@app/core';
import {
  CreateGroupDto,
  GroupDetailView,
  GroupMessageView,
  GroupPostDto,
  GroupListingView,
  GroupsService,
  InviteCodeView,
  JoinGroupDto,
  MembershipView,
  SearchGroupsQuery,
} from '@app/groups';
import { ApiPage } from '../openapi/api-page.decorator';
import { ApiSendQuotaResponses } from '../openapi/send-quota-responses.decorator';

const NAME_PROBES_LIMITED = {
  description:
    'RATE_LIMITED, with Retry-After (seconds): 10 joins answered GROUP_NOT_FOUND and creations answered GROUP_NAME_TAKEN per account per 15 minutes (guesses at names and invite codes)',
};

const NAME_PARAM = {
  name: 'name',
  example: 'book-club',
  description: 'Group name (case-insensitive).',
};

@ApiTags('groups')
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a group; you become its first member',
    description:
      'Texts you a welcome from your number for this group. Needs a verified phone. A private group gets an invite code (GET /groups/{name}/invite).',
  })
  @ApiCreatedResponse({ type: MembershipView })
  @ApiConflictResponse({ description: 'GROUP_NAME_TAKEN, NUMBER_POOL_EXHAUSTED' })
  @ApiUnprocessableEntityResponse({ description: 'PHONE_REQUIRED' })
  @ApiSendQuotaResponses(NAME_PROBES_LIMITED.description)
  create(@CurrentAccount() caller: AuthenticatedAccount, @Body() request: CreateGroupDto) {
    return this.groups.create(caller.accountId, request.name, request.visibility);
  }

  @Get()
  @ApiOperation({
    summary: 'Find groups by part of their name',
    description: 'Lists the names of public groups only: no members, sizes or private groups.',
  })
  @ApiPage(GroupListingView)
  search(@Query() query: SearchGroupsQuery) {
    return this.groups.search(query);
  }

  @Get(':name')
  @ApiOperation({
    summary: 'A group: its name and size; to its members, also who is in it (names only)',
  })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: GroupDetailView })
  @ApiNotFoundResponse({ description: 'GROUP_NOT_FOUND' })
  get(@CurrentAccount() caller: AuthenticatedAccount, @Param('name') name: string) {
    return this.groups.get(caller.accountId, name);
  }

  @Post(':name/members')
  @ApiOperation({
    summary: 'Join a group',
    description:
      'Assigns you a pool number not yet bound to your phone and texts you a welcome from it. A private group needs its `inviteCode`.',
  })
  @ApiParam(NAME_PARAM)
  @ApiCreatedResponse({ type: MembershipView })
  @ApiNotFoundResponse({
    description:
      'GROUP_NOT_FOUND: no such group, or a private one and the invite code is missing or wrong (the same answer, so that names cannot be probed)',
  })
  @ApiConflictResponse({ description: 'ALREADY_MEMBER, NUMBER_POOL_EXHAUSTED' })
  @ApiUnprocessableEntityResponse({ description: 'PHONE_REQUIRED' })
  @ApiSendQuotaResponses(NAME_PROBES_LIMITED.description)
  join(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('name') name: string,
    @Body() request: JoinGroupDto,
  ) {
    return this.groups.join(caller.accountId, name, request.inviteCode);
  }

  @Delete(':name/members/me')
  @HttpCode(204)
  @ApiOperation({ summary: 'Leave a group (the last member out deletes it)' })
  @ApiParam(NAME_PARAM)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'GROUP_NOT_FOUND, NOT_A_MEMBER' })
  leave(@CurrentAccount() caller: AuthenticatedAccount, @Param('name') name: string) {
    return this.groups.leave(caller.accountId, name);
  }

  @Get(':name/messages')
  @ApiOperation({
    summary: "The group's messages, newest first (members only)",
    description:
      'Only what was said since you joined (your latest join, if you left and came back).',
  })
  @ApiParam(NAME_PARAM)
  @ApiPage(GroupMessageView)
  @ApiNotFoundResponse({ description: 'GROUP_NOT_FOUND, NOT_A_MEMBER' })
  messages(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('name') name: string,
    @Query() query: PaginationQueryDto,
  ) {
    return this.groups.messages(caller.accountId, name, query);
  }

  @Post(':name/messages')
  @ApiOperation({
    summary: 'Post to the group from the app',
    description:
      'Relayed by SMS to every other member exactly like a text from you. The relays count against your sending quota: (members − 1) × segments.',
  })
  @ApiParam(NAME_PARAM)
  @ApiCreatedResponse({ type: GroupMessageView })
  @ApiNotFoundResponse({ description: 'GROUP_NOT_FOUND, NOT_A_MEMBER' })
  @ApiSendQuotaResponses()
  post(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('name') name: string,
    @Body() request: GroupPostDto,
  ): Promise<GroupMessageView> {
    return this.groups.post(caller.accountId, name, request.body);
  }

  @Get(':name/invite')
  @ApiOperation({ summary: "A private group's invite code (members only)" })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: InviteCodeView })
  @ApiNotFoundResponse({ description: 'GROUP_NOT_FOUND, NOT_A_MEMBER' })
  @ApiConflictResponse({ description: 'GROUP_IS_PUBLIC: a public group needs no invite code' })
  invite(@CurrentAccount() caller: AuthenticatedAccount, @Param('name') name: string) {
    return this.groups.inviteCode(caller.accountId, name);
  }

  @Post(':name/invite/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: "Replace a private group's invite code (members only)",
    description: 'The old code stops working at once; members who joined with it stay.',
  })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: InviteCodeView })
  @ApiNotFoundResponse({ description: 'GROUP_NOT_FOUND, NOT_A_MEMBER' })
  @ApiConflictResponse({ description: 'GROUP_IS_PUBLIC: a public group needs no invite code' })
  rotateInvite(@CurrentAccount() caller: AuthenticatedAccount, @Param('name') name: string) {
    return this.groups.rotateInviteCode(caller.accountId, name);
  }
}
