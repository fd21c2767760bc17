import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { PaginationQueryDto } from '@app/core';
import { MessageView } from '@app/messaging';
import { SessionView, SessionsService } from '@app/sessions';
import { ApiPage } from '../openapi/api-page.decorator';

@ApiTags('sessions')
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'Chat sessions, most recently active first' })
  @ApiPage(SessionView)
  list(@CurrentAccount() caller: AuthenticatedAccount, @Query() query: PaginationQueryDto) {
    return this.sessions.list(caller.accountId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One session' })
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ description: 'SESSION_NOT_FOUND' })
  get(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.sessions.get(caller.accountId, id);
  }

  @Get(':id/messages')
  @ApiOperation({ summary: "A session's messages, both directions, newest first" })
  @ApiPage(MessageView)
  @ApiNotFoundResponse({ description: 'SESSION_NOT_FOUND' })
  messages(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
    @Query() query: PaginationQueryDto,
  ) {
    return this.sessions.messagesOf(caller.accountId, id, query);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a session: it takes no new messages' })
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ description: 'SESSION_NOT_FOUND' })
  close(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.sessions.close(caller.accountId, id);
  }
}
