import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import {
  ListMessagesQuery,
  MessageView,
  MessagesService,
  SendBatchDto,
  SendMessageDto,
  SendOptionsQuery,
} from '@app/messaging';
import { ApiPage } from '../openapi/api-page.decorator';
import { IDEMPOTENCY_HEADER, idempotentAnswer } from './idempotent-answer';

@ApiTags('messages')
@Controller('messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send an SMS',
    description:
      'Stores the message (the answer means it is committed) and queues it. With `?wait=N` the answer waits up to N seconds for the message to be sent or to fail (200), else it is 202 as it stands.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiAcceptedResponse({ type: MessageView, description: 'Queued (or scheduled).' })
  @ApiOkResponse({ type: MessageView, description: 'With ?wait: sent, delivered or failed.' })
  @ApiUnprocessableEntityResponse({
    description: 'INVALID_PHONE_NUMBER, INVALID_MESSAGE, IDEMPOTENCY_KEY_REUSED',
  })
  @ApiConflictResponse({ description: 'SESSION_CLOSED, NUMBER_POOL_EXHAUSTED' })
  async send(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Body() request: SendMessageDto,
    @Query() options: SendOptionsQuery,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const result = await this.messages.send(caller.accountId, request, {
      idempotencyKey,
      waitSeconds: options.wait,
    });
    return idempotentAnswer(response, result);
  }

  @Post('batch')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send up to 1,000 SMS at once',
    description: 'All or nothing: one invalid message rejects the batch, naming each bad field.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiAcceptedResponse({
    description: 'Every message, queued.',
    schema: {
      type: 'object',
      properties: { data: { type: 'array', items: { $ref: '#/components/schemas/MessageView' } } },
    },
  })
  @ApiUnprocessableEntityResponse({
    description: 'INVALID_PHONE_NUMBER, INVALID_MESSAGE, IDEMPOTENCY_KEY_REUSED',
  })
  async sendBatch(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Body() request: SendBatchDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    return idempotentAnswer(
      response,
      await this.messages.sendBatch(caller.accountId, request, { idempotencyKey }),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List messages, newest first' })
  @ApiPage(MessageView)
  list(@CurrentAccount() caller: AuthenticatedAccount, @Query() query: ListMessagesQuery) {
    return this.messages.list(caller.accountId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One message' })
  @ApiOkResponse({ type: MessageView })
  @ApiNotFoundResponse({ description: "MESSAGE_NOT_FOUND (also for another account's message)" })
  get(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
  ): Promise<MessageView> {
    return this.messages.get(caller.accountId, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or scheduled message' })
  @ApiOkResponse({ type: MessageView })
  @ApiConflictResponse({
    description: 'MESSAGE_NOT_CANCELABLE: it is already sending or finished.',
  })
  @ApiNotFoundResponse({ description: 'MESSAGE_NOT_FOUND' })
  cancel(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
  ): Promise<MessageView> {
    return this.messages.cancel(caller.accountId, id);
  }
}
