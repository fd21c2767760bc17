import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildPostgresOptions } from './typeorm-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildPostgresOptions(config.get('DATABASE_URL'), config.get('DATABASE_POOL_SIZE')),
        autoLoadEntities: true,
        // Start even when PostgreSQL is briefly down; readiness reports it until it is back.
        retryAttempts: 10,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DatabaseModule {}
