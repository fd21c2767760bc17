import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message } from '../model/message.entity';
import { MessageDraft, messageFromRow } from '../model/message.repository';

/** Storing inbound texts: once per channel id (`inbound_key`), whatever the replays. */
@Injectable()
export class InboundMessageRepository {
  /** Null when a concurrent copy of the same text was stored first. */
  async insertOnce(
    manager: EntityManager,
    draft: MessageDraft,
    inboundKey: string,
    carried: { route: string; deviceId: string | null; simNumber: number | null },
  ): Promise<Message | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO messages (account_id, direction, from_number, to_number, peer, body, encoding,
         segments, status, route_requested, route, device_id, sim_number, session_id, inbound_key)
       VALUES ($1, 'inbound', $2, $3, $4, $5, $6, $7, 'received', $8, $9, $10, $11, $12, $13)
       ON CONFLICT (inbound_key) WHERE inbound_key IS NOT NULL DO NOTHING
       RETURNING *`,
      [
        draft.accountId,
        draft.fromNumber,
        draft.toNumber,
        draft.peer,
        draft.body,
        draft.encoding,
        draft.segments,
        draft.routeRequested,
        carried.route,
        carried.deviceId,
        carried.simNumber,
        draft.sessionId,
        inboundKey,
      ],
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  async findByInboundKey(
    manager: EntityManager,
    inboundKey: string,
  ): Promise<{ id: string; accountId: string | null } | null> {
    const rows: Array<{ id: string; account_id: string | null }> = await manager.query(
      'SELECT id, account_id FROM messages WHERE inbound_key = $1',
      [inboundKey],
    );
    return rows[0] ? { id: rows[0].id, accountId: rows[0].account_id } : null;
  }
}
