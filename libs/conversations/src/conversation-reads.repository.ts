import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** When an account last read each conversation (POST …/read). */
@Injectable()
export class ConversationReadsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async markRead(accountId: string, peer: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO conversation_reads (account_id, peer, last_read_at) VALUES ($1, $2, now())
       ON CONFLICT (account_id, peer) DO UPDATE SET last_read_at = now()`,
      [accountId, peer],
    );
  }

  /**
   * The moment each conversation was last read, as PostgreSQL's text of it (a JS Date would lose
   * its microseconds, and a message of the same millisecond would count as unread or not by luck).
   */
  async findLastReadOf(accountId: string, peers: readonly string[]): Promise<Map<string, string>> {
    const rows: Array<{ peer: string; last_read_at: string }> = await this.dataSource.query(
      `SELECT peer, last_read_at::text AS last_read_at FROM conversation_reads
       WHERE account_id = $1 AND peer = ANY($2::text[])`,
      [accountId, peers],
    );
    return new Map(rows.map((row) => [row.peer, row.last_read_at]));
  }
}
