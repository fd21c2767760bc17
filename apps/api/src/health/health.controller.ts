import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@app/auth';
import { AppException } from '@app/core';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('ops')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer' })
  @ApiOkResponse({
    schema: {
      example: { status: 'ok', details: { postgres: { status: 'up' }, redis: { status: 'up' } } },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'Problem details naming what is down.' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.postgres.pingCheck('postgres', { timeout: 1500 }),
        () => this.redis.check('redis'),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new AppException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'NOT_READY',
        `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`,
        { extensions: { checks: result.details } },
      );
    }
  }
}
