import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MessagingModule } from '@app/messaging';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MessagingModule],
  controllers: [HealthController, MetricsController],
  providers: [RedisHealthIndicator, MetricsService],
})
export class HealthModule {}
