import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard, AuthModule } from '@app/auth';
import {
  AppConfigModule,
  DatabaseModule,
  LoggingModule,
  ProblemDetailsFilter,
  RedisModule,
} from '@app/core';
import { MeController } from './accounts/me.controller';
import { HealthModule } from './health/health.module';

@Module({
  imports: [
    AppConfigModule.forRoot(),
    LoggingModule,
    DatabaseModule,
    RedisModule,
    AuthModule,
    HealthModule,
  ],
  controllers: [MeController],
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
})
export class AppModule {}
