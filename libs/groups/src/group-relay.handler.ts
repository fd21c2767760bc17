import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  InboundTargetHandler,
  InboundTargets,
  Message,
  NumberBinding,
  OutboundReaction,
  RequestedRoute,
} from '@app/messaging';
import { GroupRow, removeMember } from './group-membership';

const LEAVE_KEYWORD = 'LEAVE';

/**
 * A member's text to their group number: LEAVE leaves the group; anything else is relayed as
 * "{name}: {body}" to every other member, each from their own number. Runs inside the inbound
 * transaction, so the text and its relays are stored together or not at all.
 */
@Injectable()
export class GroupRelayHandler implements InboundTargetHandler, OnModuleInit {
  constructor(private readonly targets: InboundTargets) {}

  onModuleInit(): void {
    this.targets.register('group_member', this);
  }

  async handle(
    manager: EntityManager,
    binding: NumberBinding,
    inbound: Message,
  ): Promise<OutboundReaction[]> {
    const groups: Array<GroupRow & { sender: string }> = await manager.query(
      `SELECT g.id, g.name, a.name AS sender FROM group_members m
       JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.account_id
       WHERE m.id = $1 FOR UPDATE OF g`,
      [binding.targetId],
    );
    const group = groups[0];
    if (!group) return []; // left meanwhile: nothing to relay to
    await manager.query('UPDATE messages SET group_id = $1 WHERE id = $2', [group.id, inbound.id]);

    if (inbound.body.trim().toUpperCase() === LEAVE_KEYWORD) {
      const { goodbye } = await removeMember(manager, group, binding.targetId!);
      return goodbye ? [goodbye] : [];
    }
    const others: Array<{ account_id: string; external_phone: string; pool_number: string }> =
      await manager.query(
        `SELECT m.account_id, b.external_phone, b.pool_number FROM group_members m
         JOIN number_bindings b ON b.target_type = 'group_member' AND b.target_id = m.id
         WHERE m.group_id = $1 AND m.id <> $2`,
        [group.id, binding.targetId],
      );
    return others.map((other) => ({
      accountId: other.account_id,
      to: other.external_phone,
      from: other.pool_number,
      body: `${group.sender}: ${inbound.body}`,
      route: RequestedRoute.Twilio,
      groupId: group.id,
    }));
  }
}
