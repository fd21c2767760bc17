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
    extra: {
      // Bounded pool; a statement that hangs must not hold a connection forever.
      max: poolSize,
      connectionTimeoutMillis: 5000,
      statement_timeout: 30000,
      // statement_timeout is PostgreSQL's own: a server that stopped answering (frozen, or a
      // network that drops packets) would hold a request forever without a timeout of our own.
      query_timeout: 35000,
      keepAlive: true,
      // Connections once opened stay open: by default an idle one closes after 10 s, and the next
      // burst paid for new ones (a PostgreSQL backend to fork, its caches to fill) in the middle
      // of answering requests, the benchmark's worst latencies at a steady 500 requests a second.
      min: poolSize,
    },
  };
}
