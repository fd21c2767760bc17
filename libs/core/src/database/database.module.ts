import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { PreparedStatements } from './prepared-statement';
import { buildPostgresOptions } from './typeorm-options';

/** PostgreSQL for every module: TypeORM's DataSource and the runner of prepared statements. */
@Global()
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
  providers: [PreparedStatements],
  exports: [PreparedStatements],
})
export class DatabaseModule {}
