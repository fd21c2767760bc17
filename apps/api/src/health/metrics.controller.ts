import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (process, dispatch queue, unfinished messages)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    content: { 'text/plain': { example: 'switchboard_dispatch_jobs{state="waiting"} 0' } },
  })
  async scrape(@Res() response: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    response.type(contentType).send(body);
  }
}
