import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@Public()
@UseGuards(MetricsTokenGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (process, dispatch queue, unfinished messages)' })
  @ApiProduces('text/plain')
  @ApiUnauthorizedResponse({
    description: 'UNAUTHENTICATED: METRICS_TOKEN is set and the bearer token is not it.',
  })
  @ApiOkResponse({
    content: { 'text/plain': { example: 'switchboard_dispatch_jobs{state="waiting"} 0' } },
  })
  async scrape(@Res() response: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    response.type(contentType).send(body);
  }
}
