import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ALL_MIGRATIONS } from './migrations';

/** The one set of connection options shared by the apps, the migration runner and the TypeORM CLI. */
export function buildPostgresOptions(
  databaseUrl: string,
  poolSize = 10,
): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    namingStrategy: new SnakeNamingStrategy(),
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    // Bounded pool; a statement that hangs must not hold a connection forever.
    extra: { max: poolSize, connectionTimeoutMillis: 5000, statement_timeout: 30000 },
  };
}
