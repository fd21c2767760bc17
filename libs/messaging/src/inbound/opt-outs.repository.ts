import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Phones that texted STOP to an account: nothing of that account may reach them. */
@Injectable()
export class OptOutsRepository {
  async optOut(
    manager: EntityManager,
    accountId: string,
    phone: string,
    keyword: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO opt_outs (account_id, phone, keyword) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, phone) DO NOTHING`,
      [accountId, phone, keyword],
    );
  }

  async optIn(manager: EntityManager, accountId: string, phone: string): Promise<void> {
    await manager.query('DELETE FROM opt_outs WHERE account_id = $1 AND phone = $2', [
      accountId,
      phone,
    ]);
  }
}
