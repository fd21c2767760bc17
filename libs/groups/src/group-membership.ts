import { ConflictAppException, UnprocessableAppException } from '@app/core';
import { OutboundReaction, RequestedRoute } from '@app/messaging';
import { EntityManager } from 'typeorm';

export interface GroupRow {
  id: string;
  name: string;
}

export interface Member {
  accountId: string;
  phone: string;
}

export const welcomeText = (group: string) =>
  `You joined '${group}'. Reply to this number to message the group. Text LEAVE to leave.`;
export const goodbyeText = (group: string) => `You left '${group}'.`;

/** The caller's verified phone: group chat happens by SMS, so a member needs one. */
export async function memberOf(manager: EntityManager, accountId: string): Promise<Member> {
  const rows: Array<{ phone: string | null; phone_verified_at: Date | null }> = await manager.query(
    'SELECT phone, phone_verified_at FROM accounts WHERE id = $1',
    [accountId],
  );
  const row = rows[0];
  if (!row?.phone || !row.phone_verified_at) {
    throw new UnprocessableAppException(
      'PHONE_REQUIRED',
      'Group chat works by SMS: sign in with a verified phone number to create or join a group.',
    );
  }
  return { accountId, phone: row.phone };
}

/**
 * Adds the member and binds them a pool number not yet bound to their phone, in the caller's
 * transaction. Unique constraints decide every race: (group, account) for double joins, (phone,
 * pool number) for two groups of one person grabbing the same number at once.
 */
export async function addMember(
  manager: EntityManager,
  group: GroupRow,
  member: Member,
  pool: readonly string[],
): Promise<{ memberId: string; number: string; welcome: OutboundReaction }> {
  const inserted: Array<{ id: string }> = await manager.query(
    `INSERT INTO group_members (group_id, account_id) VALUES ($1, $2)
     ON CONFLICT (group_id, account_id) DO NOTHING RETURNING id`,
    [group.id, member.accountId],
  );
  if (!inserted[0]) {
    throw new ConflictAppException(
      'ALREADY_MEMBER',
      `You are already a member of '${group.name}'.`,
    );
  }
  const memberId = inserted[0].id;
  const taken: Array<{ pool_number: string }> = await manager.query(
    'SELECT pool_number FROM number_bindings WHERE external_phone = $1',
    [member.phone],
  );
  const takenNumbers = new Set(taken.map((row) => row.pool_number));
  for (const number of pool.filter((candidate) => !takenNumbers.has(candidate))) {
    const bound: unknown[] = await manager.query(
      `INSERT INTO number_bindings (external_phone, pool_number, account_id, target_type, target_id)
       VALUES ($1, $2, $3, 'group_member', $4) ON CONFLICT DO NOTHING RETURNING id`,
      [member.phone, number, member.accountId, memberId],
    );
    if (bound.length > 0) {
      return {
        memberId,
        number,
        welcome: {
          accountId: member.accountId,
          to: member.phone,
          from: number,
          body: welcomeText(group.name),
          route: RequestedRoute.Twilio,
          groupId: group.id,
        },
      };
    }
  }
  throw new ConflictAppException(
    'NUMBER_POOL_EXHAUSTED',
    `Every number of the pool already serves one of your groups or conversations (${pool.length} in all); leave a group first.`,
  );
}

/**
 * Removes a member and frees their number, under the group's row lock (taken by the caller);
 * the last member out deletes the group, so its name is free again.
 */
export async function removeMember(
  manager: EntityManager,
  group: GroupRow,
  memberId: string,
): Promise<{ goodbye: OutboundReaction | null; groupDeleted: boolean }> {
  const [bindings]: [
    Array<{ external_phone: string; pool_number: string; account_id: string }>,
    number,
  ] = await manager.query(
    `DELETE FROM number_bindings WHERE target_type = 'group_member' AND target_id = $1
       RETURNING external_phone, pool_number, account_id`,
    [memberId],
  );
  await manager.query('DELETE FROM group_members WHERE id = $1', [memberId]);
  const binding = bindings[0];
  const [{ remaining }] = await manager.query(
    'SELECT count(*)::int AS remaining FROM group_members WHERE group_id = $1',
    [group.id],
  );
  const groupDeleted = remaining === 0;
  if (groupDeleted) await manager.query('DELETE FROM groups WHERE id = $1', [group.id]);
  return {
    groupDeleted,
    goodbye: binding
      ? {
          accountId: binding.account_id,
          to: binding.external_phone,
          from: binding.pool_number,
          body: goodbyeText(group.name),
          route: RequestedRoute.Twilio,
          // The group may be gone; the goodbye then stands on its own.
          groupId: groupDeleted ? null : group.id,
        }
      : null,
  };
}
