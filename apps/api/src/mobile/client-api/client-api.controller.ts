import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiConflictResponse,
  ApiExcludeController,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthenticatedAccount, CurrentAccount, Public } from '@app/auth';
import { ExternalRequestsService } from '@app/messaging';
import { ApiSendQuotaResponses } from '../../openapi/send-quota-responses.decorator';
import { CLIENT_API_PREFIX } from '../mobile-paths';
import { ClientApiAuthGuard } from './client-api-auth.guard';
import {
  ClientListMessagesQuery,
  ClientMessageStateDto,
  ClientSendMessageDto,
  ClientSendOptionsQuery,
} from './client-api.dto';
import { asClientApiError, messageStateOf, progressOf, requestInputOf } from './client-api.mapper';

export const CLIENT_API_BASIC_AUTH = 'client-api-basic';
const DEFAULT_LIMIT = 50;

/**
 * The message endpoints of the SMS Gateway for Android server's client API (README, Migrating
 * from SMS Gateway for Android's client API), for the scripts and integrations written against
 * it, at its path `/messages`.
 */
@ApiTags('sms-gateway-client-api')
@ApiBasicAuth(CLIENT_API_BASIC_AUTH)
@ApiSecurity('bearer')
@ApiUnauthorizedResponse({
  description: 'UNAUTHENTICATED: no valid API key as the Basic password (WWW-Authenticate: Basic).',
})
@Public()
@UseGuards(ClientApiAuthGuard)
@Controller(`${CLIENT_API_PREFIX}/messages`)
export class ClientApiController {
  constructor(private readonly requests: ExternalRequestsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send one text to up to 100 numbers',
    description:
      'One Switchboard message per phone number, sharing the request id (`externalId` in /api/v1/messages). The answer means they are stored and queued; Location names the state URL.',
  })
  @ApiAcceptedResponse({
    type: ClientMessageStateDto,
    headers: { Location: { description: 'The URL of the state', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({
    description:
      'VALIDATION_FAILED, MESSAGE_CONTENT_REQUIRED, CONFLICTING_FIELDS (textMessage and message, or ttl and validUntil), INVALID_SCHEDULE, DATA_MESSAGE_NOT_SUPPORTED, ENCRYPTION_NOT_SUPPORTED, INVALID_PHONE_NUMBER, DESTINATION_NOT_ALLOWED, INVALID_MESSAGE, SENDER_NOT_AVAILABLE, and the device checks of POST /api/v1/messages',
  })
  @ApiConflictResponse({
    description:
      'MESSAGE_ID_TAKEN: the id was given to other content, or to messages already stored; NUMBER_POOL_EXHAUSTED',
  })
  @ApiSendQuotaResponses()
  async send(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Body() request: ClientSendMessageDto,
    // Accepted so that the clients' query options are not refused; see the DTO.
    @Query() _options: ClientSendOptionsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ClientMessageStateDto> {
    const sent = await this.requests
      .send(caller.accountId, requestInputOf(request, Date.now()))
      .catch((error: unknown) => {
        throw asClientApiError(error);
      });
    response.location(`/${CLIENT_API_PREFIX}/messages/${encodeURIComponent(sent.id)}`);
    return messageStateOf(sent);
  }

  @Get()
  @ApiOperation({
    summary: 'List requests, newest first',
    description:
      'Every outbound request of the account (one sent through /api/v1 is its own request, its id the message id); X-Total-Count counts all that match.',
  })
  @ApiOkResponse({
    type: [ClientMessageStateDto],
    headers: {
      'X-Total-Count': {
        description: 'Requests matching the filter',
        schema: { type: 'integer' },
      },
    },
  })
  async list(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Query() query: ClientListMessagesQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ClientMessageStateDto[]> {
    const page = await this.requests.list(
      caller.accountId,
      {
        since: query.from ? new Date(query.from) : undefined,
        until: query.to ? new Date(query.to) : undefined,
        deviceId: query.deviceId,
        progress: query.state && progressOf(query.state),
      },
      {
        limit: query.limit ?? DEFAULT_LIMIT,
        offset: query.offset ?? 0,
        oldestFirst: query.sort === 'created_at',
      },
    );
    response.setHeader('X-Total-Count', String(page.total));
    return page.requests.map((found) =>
      messageStateOf(found, { withContent: query.includeContent }),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: "A request's state and each recipient's" })
  @ApiOkResponse({ type: ClientMessageStateDto })
  @ApiNotFoundResponse({ description: "MESSAGE_NOT_FOUND (also for another account's id)" })
  async get(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
  ): Promise<ClientMessageStateDto> {
    return messageStateOf(await this.requests.get(caller.accountId, id));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel what has not started sending',
    description:
      'Cancels every message of the request still scheduled or queued; the others go on.',
  })
  @ApiOkResponse({ type: ClientMessageStateDto })
  @ApiNotFoundResponse({ description: 'MESSAGE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'MESSAGE_NOT_CANCELABLE: every message is sending or done.' })
  async cancel(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
  ): Promise<ClientMessageStateDto> {
    return messageStateOf(await this.requests.cancel(caller.accountId, id));
  }
}

/**
 * The same endpoints at `/message`, the older path that the npm client 3.x still calls; left out
 * of the OpenAPI document, which shows them once.
 */
@ApiExcludeController()
@Controller(`${CLIENT_API_PREFIX}/message`)
export class LegacyClientApiController extends ClientApiController {}
