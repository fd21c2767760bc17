import { Module } from '@nestjs/common';
import {
  AppConfigModule,
  DatabaseModule,
  LoggingModule,
  QueueRootModule,
  RedisModule,
} from '@app/core';

@Module({
  imports: [AppConfigModule.forRoot(), LoggingModule, DatabaseModule, RedisModule, QueueRootModule],
})
export class WorkerModule {}
