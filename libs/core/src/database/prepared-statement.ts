import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AppConfig } from '../config/app-config';

/** A statement whose text never changes, run under one name. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs the hot statements as named (prepared) statements on the application's pool: each
 * connection has PostgreSQL parse and plan one once, then only bind and execute it: much of what
 * a message costs PostgreSQL when requests come one at a time
 * (docs/performance.md#what-made-the-difference).
 *
 * A prepared statement must list the columns it returns: a prepared `RETURNING *` fails
 * ("cached plan must not change result type") as soon as a migration adds a column while this
 * process still runs. With DATABASE_PREPARED_STATEMENTS=false (a pooler that cannot keep them),
 * the same text runs unnamed.
 */
@Injectable()
export class PreparedStatements {
  private readonly enabled: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.enabled = config.get('DATABASE_PREPARED_STATEMENTS');
  }

  async query(
    statement: PreparedStatement,
    values: unknown[],
  ): Promise<Array<Record<string, unknown>>> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const result = await pool.query<Record<string, unknown>>(
      this.enabled
        ? { name: statement.name, text: statement.text, values }
        : { text: statement.text, values },
    );
    return result.rows;
  }
}
