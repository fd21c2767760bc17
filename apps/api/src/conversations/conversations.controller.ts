import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiConflictResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { PaginationQueryDto } from '@app/core';
import {
  ConversationMessageView,
  ConversationView,
  ConversationsService,
} from '@app/conversations';
import { IDEMPOTENCY_HEADER, idempotentAnswer } from '../messages/idempotent-answer';
import { ApiPage } from '../openapi/api-page.decorator';
import { ApiSendQuotaResponses } from '../openapi/send-quota-responses.decorator';
import { ConversationMessageDto } from './conversation-message.dto';

const PHONE_PARAM = {
  name: 'phone',
  example: '+14155550123',
  description: 'The other party, E.164.',
};

@ApiTags('conversations')
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({ summary: 'Threads, one per peer phone, most recently active first' })
  @ApiPage(ConversationView)
  list(@CurrentAccount() caller: AuthenticatedAccount, @Query() query: PaginationQueryDto) {
    return this.conversations.list(caller.accountId, query);
  }

  @Get(':phone/messages')
  @ApiOperation({
    summary: 'Messages with one peer, both directions (sent/received), newest first',
  })
  @ApiParam(PHONE_PARAM)
  @ApiPage(ConversationMessageView)
  @ApiUnprocessableEntityResponse({ description: 'INVALID_PHONE_NUMBER' })
  messages(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('phone') phone: string,
    @Query() query: PaginationQueryDto,
  ) {
    return this.conversations.messagesWith(caller.accountId, phone, query);
  }

  @Post(':phone/messages')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send to this peer (the same path as POST /messages)' })
  @ApiParam(PHONE_PARAM)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiAcceptedResponse({ type: ConversationMessageView })
  @ApiUnprocessableEntityResponse({
    description:
      'INVALID_PHONE_NUMBER, DESTINATION_NOT_ALLOWED (premium-rate, shared-cost or toll-free number, or a country not allowed), SENDER_NOT_AVAILABLE, IDEMPOTENCY_KEY_REUSED',
  })
  @ApiSendQuotaResponses()
  @ApiConflictResponse({ description: 'NUMBER_POOL_EXHAUSTED' })
  async send(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('phone') phone: string,
    @Body() request: ConversationMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.conversations.send(
      caller.accountId,
      phone,
      request.body,
      idempotencyKey,
    );
    return idempotentAnswer(response, result);
  }

  @Post(':phone/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark the conversation read (its unread count drops to 0)' })
  @ApiParam(PHONE_PARAM)
  @ApiNoContentResponse()
  markRead(@CurrentAccount() caller: AuthenticatedAccount, @Param('phone') phone: string) {
    return this.conversations.markRead(caller.accountId, phone);
  }
}
