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
import { ApiSendQuotaResponses } from '../openapi/send-quota-responses.decorator';
import { IDEMPOTENCY_HEADER, idempotentAnswer } from './idempotent-answer';

/** Aborts when the connection closes before the answer went out: nobody is left to wait for. */
function abortedWhenClientLeaves(response: Response): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

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
    description:
      'INVALID_PHONE_NUMBER, DESTINATION_NOT_ALLOWED (premium-rate, shared-cost or toll-free number, or a country not in ALLOWED_DESTINATION_COUNTRIES; nothing stored), INVALID_MESSAGE, IDEMPOTENCY_KEY_REUSED, SENDER_NOT_IN_POOL, SENDER_NOT_AVAILABLE (`from` serves another conversation or group with that phone), ROUTE_CONFLICT (`deviceId` or `simNumber` with route twilio), DEVICE_NOT_FOUND (`deviceId` not of this account), SIM_NOT_AVAILABLE (`simNumber` is no SIM the named device, or any device of the account, reports)',
  })
  @ApiConflictResponse({
    description:
      'SESSION_CLOSED, NUMBER_POOL_EXHAUSTED (every pool number serves another conversation or group with that phone)',
  })
  @ApiSendQuotaResponses(
    'TOO_MANY_WAITING_REQUESTS: with ?wait, the account already holds MESSAGE_WAIT_MAX_PER_ACCOUNT waiting requests (nothing stored; Retry-After).',
  )
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
      signal: options.wait ? abortedWhenClientLeaves(response) : undefined,
    });
    return idempotentAnswer(response, result);
  }

  @Post('batch')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send up to 1,000 SMS at once',
    description:
      "All or nothing: one invalid message rejects the batch, naming each bad field, and a batch whose segments pass what is left of the account's quota is refused whole.",
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
    description:
      'INVALID_PHONE_NUMBER, DESTINATION_NOT_ALLOWED (one refused number refuses the batch), INVALID_MESSAGE (several kinds of mistake), IDEMPOTENCY_KEY_REUSED, SENDER_NOT_IN_POOL, SENDER_NOT_AVAILABLE (`from` serves another conversation or group with that phone), ROUTE_CONFLICT (`deviceId` or `simNumber` with route twilio), DEVICE_NOT_FOUND (`deviceId` not of this account), SIM_NOT_AVAILABLE (`simNumber` is no SIM the named device, or any device of the account, reports)',
  })
  @ApiConflictResponse({ description: 'NUMBER_POOL_EXHAUSTED' })
  @ApiSendQuotaResponses()
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
  @ApiOperation({
    summary: 'Cancel a queued or scheduled message',
    description:
      'Also a message routed to an SMS Gateway app phone that has not pulled it yet (the phone is told with `MessageCancelled`).',
  })
  @ApiOkResponse({ type: MessageView })
  @ApiConflictResponse({
    description: 'MESSAGE_NOT_CANCELABLE: it is already sending (taken by a phone) or finished.',
  })
  @ApiNotFoundResponse({ description: 'MESSAGE_NOT_FOUND' })
  cancel(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
  ): Promise<MessageView> {
    return this.messages.cancel(caller.accountId, id);
  }
}
