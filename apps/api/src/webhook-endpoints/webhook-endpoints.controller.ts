import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { PaginationQueryDto } from '@app/core';
import {
  CreateWebhookDto,
  CreatedWebhookView,
  ListWebhookDeliveriesQuery,
  ListWebhookEventsQuery,
  ReplayWebhookDto,
  RotatedSecretView,
  UpdateWebhookDto,
  WebhookDeliveriesService,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEndpointsService,
  WebhookEventView,
  WEBHOOK_EVENT_SCHEMAS,
} from '@app/webhooks';
import { ApiPage } from '../openapi/api-page.decorator';

const URL_PROBLEMS =
  'WEBHOOK_URL_INVALID, WEBHOOK_URL_FORBIDDEN (loopback, private, link-local or metadata address), WEBHOOK_URL_UNRESOLVABLE, VALIDATION_FAILED';

@ApiTags('webhooks')
@ApiExtraModels(...WEBHOOK_EVENT_SCHEMAS)
@Controller('webhooks')
export class WebhookEndpointsController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register an endpoint',
    description:
      'Switchboard POSTs the events you subscribe to, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature headers). The signing secret is shown only in this answer. Each event body is documented as a schema named after it: message.received → MessageReceivedWebhookEvent, device.low_battery → DeviceLowBatteryWebhookEvent, and so on.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookView })
  @ApiConflictResponse({ description: 'WEBHOOK_LIMIT_REACHED' })
  @ApiUnprocessableEntityResponse({ description: URL_PROBLEMS })
  create(@CurrentAccount() caller: AuthenticatedAccount, @Body() request: CreateWebhookDto) {
    return this.endpoints.create(caller.accountId, request);
  }

  @Get()
  @ApiOperation({ summary: 'Your endpoints, newest first' })
  @ApiPage(WebhookEndpointView)
  list(@CurrentAccount() caller: AuthenticatedAccount, @Query() query: PaginationQueryDto) {
    return this.endpoints.list(caller.accountId, query);
  }

  @Get('events')
  @ApiOperation({
    summary: 'Your webhook events, newest first',
    description:
      'Events that concerned one of your endpoints, and webhook.disabled records (an endpoint Switchboard disabled, and why).',
  })
  @ApiPage(WebhookEventView)
  listEvents(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Query() query: ListWebhookEventsQuery,
  ) {
    return this.deliveries.listEvents(caller.accountId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One endpoint' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  get(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.endpoints.get(caller.accountId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the url, the events, the description; disable or re-enable' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: URL_PROBLEMS })
  update(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
    @Body() request: UpdateWebhookDto,
  ) {
    return this.endpoints.update(caller.accountId, id, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint and its delivery log' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  delete(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.endpoints.delete(caller.accountId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description: 'The previous secret goes on signing alongside the new one for 24 hours.',
  })
  @ApiOkResponse({ type: RotatedSecretView })
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  rotateSecret(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.endpoints.rotateSecret(caller.accountId, id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test event to this endpoint' })
  @ApiAcceptedResponse({
    schema: {
      properties: {
        deliveryId: {
          type: 'string',
          format: 'uuid',
          example: '9d2c4b7a-1e3f-4a6b-8c5d-0f1e2d3c4b5a',
        },
      },
    },
  })
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  @ApiConflictResponse({ description: 'WEBHOOK_DISABLED' })
  sendTest(@CurrentAccount() caller: AuthenticatedAccount, @Param('id') id: string) {
    return this.endpoints.sendTest(caller.accountId, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The delivery log of an endpoint, newest first, with every attempt' })
  @ApiPage(WebhookDeliveryView)
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  listDeliveries(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
    @Query() query: ListWebhookDeliveriesQuery,
  ) {
    return this.deliveries.list(caller.accountId, id, query);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again now (same webhook-id)' })
  @ApiAcceptedResponse()
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND' })
  @ApiConflictResponse({ description: 'WEBHOOK_DISABLED' })
  async retry(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<void> {
    await this.deliveries.retry(caller.accountId, id, deliveryId);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send again every event of a time window',
    description:
      'New deliveries of the events this endpoint subscribes to; each keeps its event id.',
  })
  @ApiAcceptedResponse({
    schema: { properties: { deliveries: { type: 'integer', example: 12 } } },
  })
  @ApiNotFoundResponse({ description: 'WEBHOOK_NOT_FOUND' })
  @ApiConflictResponse({ description: 'WEBHOOK_DISABLED' })
  @ApiUnprocessableEntityResponse({ description: 'WEBHOOK_REPLAY_WINDOW_INVALID' })
  replay(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id') id: string,
    @Body() request: ReplayWebhookDto,
  ) {
    return this.deliveries.replay(caller.accountId, id, request);
  }
}
