import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MicroBatcher } from '@app/core';

/** A number binding: (external phone, pool number) → exactly one target. */
export interface NumberBinding {
  id: string;
  externalPhone: string;
  poolNumber: string;
  accountId: string;
  /** `conversation` (messaging's own), or the kind a lib registered a handler for. */
  targetType: string;
  targetId: string | null;
}

/** The target kind of a 1:1 conversation: replies simply land in the account's messages. */
export const CONVERSATION_TARGET = 'conversation';

const BINDING_COLUMNS = `id, external_phone AS "externalPhone", pool_number AS "poolNumber",
  account_id AS "accountId", target_type AS "targetType", target_id AS "targetId"`;

/**
 * Every query on number_bindings. Unique constraints on (external phone, pool number) and on an
 * account's conversation with a phone decide every race; inserts never fail, they say whether
 * they won.
 */
@Injectable()
export class NumberBindingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findByPair(
    externalPhone: string,
    poolNumber: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<NumberBinding | null> {
    const rows: NumberBinding[] = await manager.query(
      `SELECT ${BINDING_COLUMNS} FROM number_bindings WHERE external_phone = $1 AND pool_number = $2`,
      [externalPhone, poolNumber],
    );
    return rows[0] ?? null;
  }

  async findConversationNumber(accountId: string, externalPhone: string): Promise<string | null> {
    const rows: Array<{ pool_number: string }> = await this.dataSource.query(
      `SELECT pool_number FROM number_bindings
       WHERE account_id = $1 AND external_phone = $2 AND target_type = $3`,
      [accountId, externalPhone, CONVERSATION_TARGET],
    );
    return rows[0]?.pool_number ?? null;
  }

  /** Every binding of these phones, whatever for: a few per phone, at most the pool's size. */
  findBoundTo(externalPhones: readonly string[]): Promise<NumberBinding[]> {
    return this.boundTo.submit(externalPhones);
  }

  // Every accept to a recipient whose conversation this process does not know yet asks this:
  // the requests of the same moment share one statement (docs/architecture.md#outbound).
  private readonly boundTo = new MicroBatcher<readonly string[], NumberBinding[]>(
    async (requests) => {
      const phones = [...new Set(requests.flat())];
      const rows: NumberBinding[] = await this.dataSource.query(
        `SELECT ${BINDING_COLUMNS} FROM number_bindings WHERE external_phone = ANY($1::text[])`,
        [phones],
      );
      return requests.map((wanted) => {
        const asked = new Set(wanted);
        return rows.filter((row) => asked.has(row.externalPhone));
      });
    },
    { weight: (phones) => phones.length, maxWeight: 1000 },
  );

  /** The pool numbers already bound to a phone, whatever for. */
  async findNumbersBoundTo(
    externalPhone: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Set<string>> {
    const rows: Array<{ pool_number: string }> = await manager.query(
      'SELECT pool_number FROM number_bindings WHERE external_phone = $1',
      [externalPhone],
    );
    return new Set(rows.map((row) => row.pool_number));
  }

  /** False when a unique constraint says the number, or the conversation, is bound already. */
  async insertOnce(
    binding: Omit<NumberBinding, 'id'>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO number_bindings (external_phone, pool_number, account_id, target_type, target_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
      [
        binding.externalPhone,
        binding.poolNumber,
        binding.accountId,
        binding.targetType,
        binding.targetId,
      ],
    );
    return inserted.length > 0;
  }

  async deleteOfTarget(
    manager: EntityManager,
    targetType: string,
    targetId: string,
  ): Promise<NumberBinding | null> {
    // A DELETE through TypeORM answers [rows, affected count].
    const [rows]: [NumberBinding[], number] = await manager.query(
      `DELETE FROM number_bindings WHERE target_type = $1 AND target_id = $2
       RETURNING ${BINDING_COLUMNS}`,
      [targetType, targetId],
    );
    return rows[0] ?? null;
  }

  async findOfTargets(
    manager: EntityManager,
    targetType: string,
    targetIds: readonly string[],
  ): Promise<NumberBinding[]> {
    return manager.query(
      `SELECT ${BINDING_COLUMNS} FROM number_bindings
       WHERE target_type = $1 AND target_id = ANY($2::uuid[])`,
      [targetType, targetIds],
    );
  }
}
