import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeysService, AuthenticatedAccount, CurrentAccount } from '@app/auth';
import { NotFoundAppException, Page, PaginationQueryDto } from '@app/core';
import { ApiPage } from '../openapi/api-page.decorator';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';

const KEY_ID_PARAM = { name: 'id', example: '6f1c2a9e-0d7b-4c3e-8a51-2b9d4e6f7a80' };
// An id that is not even a UUID names no key: the same 404 as any other unknown id.
const keyIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new NotFoundAppException('API_KEY_NOT_FOUND', 'No such API key.'),
});

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The answer is the only time the key is shown. At most 100 keys per account. Needs the access token of a sign-in (code or password) made, or proved again with PATCH /me, within the last 5 minutes; an API key cannot create keys.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiConflictResponse({ description: 'API_KEY_LIMIT_REACHED' })
  @ApiForbiddenResponse({
    description:
      'REAUTHENTICATION_REQUIRED: the last sign-in of this session is older than 5 minutes, or the caller used an API key',
  })
  async create(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return CreatedApiKeyDto.fromIssued(await this.apiKeys.create(caller, body.name));
  }

  @Get()
  @ApiOperation({ summary: "The caller's API keys, newest first (never the keys themselves)" })
  @ApiPage(ApiKeyDto)
  async list(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<ApiKeyDto>> {
    const page = await this.apiKeys.listPage(caller.accountId, query);
    return { data: page.data.map(ApiKeyDto.from), nextCursor: page.nextCursor };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'It stops working at once (within 10 seconds on other API instances for HTTP requests); `/ws/events` sockets opened with it close at once, on every instance (code 4003).',
  })
  @ApiParam(KEY_ID_PARAM)
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ description: "API_KEY_NOT_FOUND (also for another account's key)" })
  async revoke(
    @CurrentAccount() caller: AuthenticatedAccount,
    @Param('id', keyIdPipe) id: string,
  ): Promise<void> {
    await this.apiKeys.revoke(caller.accountId, id);
  }
}
