import { Inject, Injectable } from '@nestjs/common';
import Redis, { ChainableCommander } from 'ioredis';
import { REDIS_CLIENT, RedisKeys } from '@app/core';
import {
  ACKNOWLEDGE,
  AMEND_PRESENCE,
  CLAIM_PRESENCE,
  DROP_STALE_PRESENCE,
  MARK_DUE_NOW,
  PICK_DEVICE,
  RELEASE_HANDOVER,
  RELEASE_PRESENCE,
  SUSPEND_PRESENCE,
  TAKE_DUE,
  UPDATE_PRESENCE,
  WITHDRAW,
} from './device-scripts';

/** The per-minute send cap (of a phone, or of each of its SIMs) is counted over this sliding window. */
export const SEND_RATE_WINDOW_MS = 60_000;
// Long enough for any late report to be recognised as "given to this phone once".
const HANDOVER_TTL_MS = 24 * 3600 * 1000;
// How long a peer's phone stays sticky after their latest text to it.
const LAST_TEXTED_TTL_MS = 30 * 24 * 3600 * 1000;

type ScriptArg = string | number;
type ScriptRunner = (...args: ScriptArg[]) => Promise<unknown>;

/** The scripts as ioredis commands (EVALSHA, re-sent in full if Redis forgot them). */
interface DeviceScriptCommands {
  deviceClaimPresence: ScriptRunner;
  deviceUpdatePresence: ScriptRunner;
  deviceAmendPresence: ScriptRunner;
  deviceReleasePresence: ScriptRunner;
  deviceSuspendPresence: ScriptRunner;
  deviceDropStalePresence: ScriptRunner;
  devicePick: ScriptRunner;
  deviceAcknowledge: ScriptRunner;
  deviceReleaseHandover: ScriptRunner;
  deviceMarkDueNow: ScriptRunner;
  deviceTakeDue: ScriptRunner;
  deviceWithdraw: ScriptRunner;
}

const SCRIPTS: Record<keyof DeviceScriptCommands, { keys: number; lua: string }> = {
  deviceClaimPresence: { keys: 2, lua: CLAIM_PRESENCE },
  deviceUpdatePresence: { keys: 3, lua: UPDATE_PRESENCE },
  deviceAmendPresence: { keys: 1, lua: AMEND_PRESENCE },
  deviceReleasePresence: { keys: 5, lua: RELEASE_PRESENCE },
  deviceSuspendPresence: { keys: 2, lua: SUSPEND_PRESENCE },
  deviceDropStalePresence: { keys: 2, lua: DROP_STALE_PRESENCE },
  devicePick: { keys: 5, lua: PICK_DEVICE },
  deviceAcknowledge: { keys: 3, lua: ACKNOWLEDGE },
  deviceReleaseHandover: { keys: 3, lua: RELEASE_HANDOVER },
  deviceMarkDueNow: { keys: 2, lua: MARK_DUE_NOW },
  deviceTakeDue: { keys: 1, lua: TAKE_DUE },
  deviceWithdraw: { keys: 2, lua: WITHDRAW },
};

/** Who holds a device's socket. */
export interface DeviceConnectionRef {
  instanceId: string;
  connectionId: string;
}

export interface PresenceOwner extends DeviceConnectionRef {
  deviceId: string;
  accountId: string;
}

/** How a phone is connected: our `/ws/devices` protocol, or the SMS Gateway app's event stream. */
export type DeviceTransportKind = 'websocket' | 'sse';

/** What a phone says about itself (hello, status), as stored in its presence. */
export interface PresenceFields {
  transport?: DeviceTransportKind;
  battery?: number;
  charging?: boolean;
  signal?: number;
  network?: string;
  model?: string;
  androidVersion?: string;
  appVersion?: string;
  phoneNumber?: string | null;
  lastSeenAt?: number;
  ready?: boolean;
}

/** A device's live state, as GET /devices shows it. */
export interface DeviceLiveState {
  online: boolean;
  /** How it is connected now; null while it is not. */
  transport: DeviceTransportKind | null;
  connectedAt: Date | null;
  lastSeenAt: Date | null;
  battery: number | null;
  charging: boolean | null;
  signal: number | null;
  network: string | null;
  model: string | null;
  androidVersion: string | null;
  appVersion: string | null;
  phoneNumber: string | null;
  inFlight: number;
  sentLastMinute: number;
  /** Per SIM number, of the SIMs asked about. */
  sentLastMinuteBySim: Map<number, number>;
}

export interface PickCandidate {
  deviceId: string;
  /** The cap of the phone's window, or of each SIM's window when it reported SIMs. */
  sendRatePerMinute: number;
  /** The SIM numbers it reported, ascending; empty: it sends from its default SIM. */
  simNumbers: readonly number[];
}

export type PickResult =
  | {
      kind: 'picked';
      deviceId: string;
      instanceId: string;
      connectionId: string;
      phoneNumber: string | null;
      /** The SIM to send from; null when the phone reported none (its default SIM). */
      simNumber: number | null;
    }
  /** A probe found a device that could take the message now (nothing was changed). */
  | { kind: 'eligible'; deviceId: string }
  /** `retryInMs`: when the first capped device frees a slot; null when none is online. */
  | { kind: 'none'; online: number; retryInMs: number | null };

/** A message a phone holds, and the SIM it is to go out from (null: the phone's default). */
export interface HeldMessage {
  messageId: string;
  simNumber: number | null;
}

export type AckOutcome = 'accepted' | 'duplicate' | 'former' | 'unknown';
export type HandoverOwnership = 'current' | 'former' | 'unknown';
export type DueReason = 'ack-timeout' | 'result-timeout' | 'disconnected' | 'retry';

export interface DueHandover {
  messageId: string;
  /** The phone that held it until now; null for a re-route being retried. */
  formerDeviceId: string | null;
  /** It had acknowledged the message: it may have sent it. */
  acknowledged: boolean;
  reason: DueReason;
  /** How many phones have lost this message so far. */
  reroutes: number;
}

function toFields(fields: PresenceFields): string[] {
  const flat: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'boolean') flat.push(name, value ? '1' : '0');
    else flat.push(name, value === null ? '' : String(value));
  }
  return flat;
}

const numberOrNull = (value: string | undefined): number | null =>
  value === undefined || value === '' ? null : Number(value);
const textOrNull = (value: string | undefined): string | null =>
  value === undefined || value === '' ? null : value;
const flagOrNull = (value: string | undefined): boolean | null =>
  value === undefined || value === '' ? null : value === '1';

/**
 * The live state of every phone, in Redis rather than in any process (docs/architecture.md#device-route): which API
 * instance holds its socket, what it last said, what it holds in flight, what it sent lately.
 * Shared by the API instances (presence, acks, results) and the workers (picks, deadlines).
 */
@Injectable()
export class DeviceRegistry {
  private readonly redis: Redis & DeviceScriptCommands;
  /** Every key of the registry starts with this (the scripts build keys from it). */
  private readonly prefix: string;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, keys: RedisKeys) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: script.keys, lua: script.lua });
    }
    this.redis = redis as Redis & DeviceScriptCommands;
    this.prefix = `${keys.key('devices')}:`;
  }

  private live(deviceId: string): string {
    return `${this.prefix}live:${deviceId}`;
  }
  private online(accountId: string): string {
    return `${this.prefix}online:${accountId}`;
  }
  private inflight(deviceId: string): string {
    return `${this.prefix}inflight:${deviceId}`;
  }
  private sends(deviceId: string): string {
    return `${this.prefix}sends:${deviceId}`;
  }
  private simSends(deviceId: string, simNumber: number): string {
    return `${this.sends(deviceId)}:${simNumber}`;
  }
  private lastTexted(accountId: string, peer: string): string {
    return `${this.prefix}last-texted:${accountId}:${peer}`;
  }
  private handover(messageId: string): string {
    return `${this.prefix}handover:${messageId}`;
  }
  private closedMarker(connectionId: string): string {
    return `${this.prefix}closed:${connectionId}`;
  }
  private get deadlines(): string {
    return `${this.prefix}deadlines`;
  }

  // ---- presence (API instances) ----

  /** A connection authenticated as the device; returns the connection it replaces, if any. */
  async claimPresence(
    owner: PresenceOwner,
    ttlMs: number,
    now: number,
  ): Promise<DeviceConnectionRef | null> {
    const previous = (await this.redis.deviceClaimPresence(
      this.live(owner.deviceId),
      this.online(owner.accountId),
      owner.connectionId,
      owner.instanceId,
      owner.accountId,
      ttlMs,
      owner.deviceId,
      now,
      now,
    )) as string[];
    return previous.length === 2 ? { instanceId: previous[0], connectionId: previous[1] } : null;
  }

  /** False when another connection has taken the device over. */
  async updatePresence(
    owner: PresenceOwner,
    fields: PresenceFields,
    ttlMs: number,
  ): Promise<boolean> {
    const updated = await this.redis.deviceUpdatePresence(...this.updateArgs(owner, fields, ttlMs));
    return updated === 1;
  }

  /**
   * The heartbeat of one API instance: every presence it holds stays alive (and comes back if
   * Redis lost it). Returns the connections whose device another connection has taken over.
   */
  async refreshPresences(
    entries: Array<{ owner: PresenceOwner; fields: PresenceFields }>,
    ttlMs: number,
  ): Promise<string[]> {
    if (entries.length === 0) return [];
    const pipeline = this.redis.pipeline() as ChainableCommander & DeviceScriptCommands;
    for (const { owner, fields } of entries) {
      void pipeline.deviceUpdatePresence(...this.updateArgs(owner, fields, ttlMs));
    }
    const results = (await pipeline.exec()) ?? [];
    return entries
      .filter((_, index) => results[index]?.[0] === null && results[index]?.[1] === 0)
      .map(({ owner }) => owner.connectionId);
  }

  private updateArgs(owner: PresenceOwner, fields: PresenceFields, ttlMs: number): ScriptArg[] {
    return [
      this.live(owner.deviceId),
      this.online(owner.accountId),
      this.closedMarker(owner.connectionId),
      owner.connectionId,
      owner.instanceId,
      owner.accountId,
      ttlMs,
      owner.deviceId,
      ...toFields(fields),
    ];
  }

  /**
   * Status the phone reported by another way than its connection: written into its presence
   * while it has one (false when it has none; its stored row is then all there is).
   */
  async amendPresence(deviceId: string, fields: PresenceFields): Promise<boolean> {
    const flat = toFields(fields);
    if (flat.length === 0) return false;
    return (await this.redis.deviceAmendPresence(this.live(deviceId), ...flat)) === 1;
  }

  /** The connection's socket closed: the phone is given nothing more through it. */
  async suspendPresence(owner: PresenceOwner, ttlMs: number): Promise<void> {
    await this.redis.deviceSuspendPresence(
      this.live(owner.deviceId),
      this.closedMarker(owner.connectionId),
      owner.connectionId,
      ttlMs,
    );
  }

  /**
   * The connection closed. Returns how many messages fell due at once, or null when this
   * connection had already been replaced (then nothing changes).
   */
  async releasePresence(
    owner: PresenceOwner,
    graceDeadline: number,
    ttlMs: number,
  ): Promise<number | null> {
    const due = (await this.redis.deviceReleasePresence(
      this.live(owner.deviceId),
      this.online(owner.accountId),
      this.inflight(owner.deviceId),
      this.deadlines,
      this.closedMarker(owner.connectionId),
      owner.connectionId,
      owner.deviceId,
      this.prefix,
      graceDeadline,
      ttlMs,
    )) as number;
    return due < 0 ? null : due;
  }

  /** The instance that held the device's socket is gone. */
  async dropStalePresence(deviceId: string, accountId: string, instanceId: string): Promise<void> {
    await this.redis.deviceDropStalePresence(
      this.live(deviceId),
      this.online(accountId),
      instanceId,
      deviceId,
    );
  }

  async connectionOf(deviceId: string): Promise<DeviceConnectionRef | null> {
    const [instanceId, connectionId] = await this.redis.hmget(
      this.live(deviceId),
      'instance',
      'connection',
    );
    return instanceId && connectionId ? { instanceId, connectionId } : null;
  }

  /** Devices of the account that may be online (a superset: picks check each presence). */
  onlineDeviceIds(accountId: string): Promise<string[]> {
    return this.redis.smembers(this.online(accountId));
  }

  /** `simNumbers`: per device, the SIMs whose sends of the last minute are counted too. */
  async liveStates(
    deviceIds: string[],
    now: number,
    simNumbers: ReadonlyMap<string, readonly number[]> = new Map(),
  ): Promise<Map<string, DeviceLiveState>> {
    const states = new Map<string, DeviceLiveState>();
    if (deviceIds.length === 0) return states;
    const pipeline = this.redis.pipeline();
    const since = now - SEND_RATE_WINDOW_MS;
    for (const id of deviceIds) {
      pipeline.hgetall(this.live(id));
      pipeline.zcard(this.inflight(id));
      pipeline.zcount(this.sends(id), since, '+inf');
    }
    const simCounts: Array<[string, number]> = [];
    for (const id of deviceIds) {
      for (const sim of simNumbers.get(id) ?? []) {
        pipeline.zcount(this.simSends(id, sim), since, '+inf');
        simCounts.push([id, sim]);
      }
    }
    const results = (await pipeline.exec()) ?? [];
    const bySim = new Map<string, Map<number, number>>();
    simCounts.forEach(([id, sim], index) => {
      const counts = bySim.get(id) ?? new Map<number, number>();
      counts.set(sim, Number(results[deviceIds.length * 3 + index]?.[1] ?? 0));
      bySim.set(id, counts);
    });
    deviceIds.forEach((id, index) => {
      const presence = (results[index * 3]?.[1] ?? {}) as Record<string, string>;
      const connected = presence.connection !== undefined;
      states.set(id, {
        online: connected && presence.ready === '1',
        transport: connected
          ? ((textOrNull(presence.transport) as DeviceTransportKind) ?? null)
          : null,
        connectedAt: connected ? new Date(Number(presence.connectedAt)) : null,
        lastSeenAt: connected ? new Date(Number(presence.lastSeenAt)) : null,
        battery: numberOrNull(presence.battery),
        charging: flagOrNull(presence.charging),
        signal: numberOrNull(presence.signal),
        network: textOrNull(presence.network),
        model: textOrNull(presence.model),
        androidVersion: textOrNull(presence.androidVersion),
        appVersion: textOrNull(presence.appVersion),
        phoneNumber: textOrNull(presence.phoneNumber),
        inFlight: Number(results[index * 3 + 1]?.[1] ?? 0),
        sentLastMinute: Number(results[index * 3 + 2]?.[1] ?? 0),
        sentLastMinuteBySim: bySim.get(id) ?? new Map(),
      });
    });
    return states;
  }

  /**
   * The messages the device holds now (given to it, not yet reported on), oldest deadline first,
   * at most `limit`: what a phone that pulls its work (the SMS Gateway app) is given.
   */
  /**
   * The messages this device holds now (at most `limit`), each with the SIM the pick chose for it
   * (null: the phone's default): a phone that pulls its messages learns the SIM from here, before
   * the worker has written the hand-over to PostgreSQL.
   */
  async heldMessages(deviceId: string, limit: number): Promise<HeldMessage[]> {
    const ids = await this.redis.zrange(this.inflight(deviceId), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.handover(id), 'device', 'sim');
    const holders = (await pipeline.exec()) ?? [];
    const held: HeldMessage[] = [];
    ids.forEach((messageId, index) => {
      const [holder, sim] = (holders[index]?.[1] as (string | null)[] | undefined) ?? [];
      if (holder !== deviceId) return;
      held.push({ messageId, simNumber: Number(sim) > 0 ? Number(sim) : null });
    });
    return held;
  }

  // ---- picks and hand-overs (workers, API instances) ----

  /**
   * `peer`'s latest text to the account arrived on this phone (and SIM): its replies prefer
   * them (the sticky pick). A preference only: losing it (Redis flushed) loses no message.
   */
  async rememberLastTexted(
    accountId: string,
    peer: string,
    deviceId: string,
    simNumber: number | null,
  ): Promise<void> {
    const key = this.lastTexted(accountId, peer);
    await this.redis
      .multi()
      .hset(key, 'device', deviceId, 'sim', simNumber ?? 0)
      .pexpire(key, LAST_TEXTED_TTL_MS)
      .exec();
  }

  /**
   * Chooses the least-loaded eligible candidate (and its least-loaded SIM, or `simNumber` when
   * the message names one: then every candidate must have it) and makes it the message's holder,
   * counting the send, in one atomic step; `probe` only says whether a candidate is eligible now.
   */
  async pick(
    messageId: string,
    accountId: string,
    candidates: PickCandidate[],
    options: {
      now: number;
      ackDeadline: number;
      probe?: boolean;
      simNumber?: number | null;
      /** Whom the message goes to: the phone they last texted is preferred (PICK_DEVICE). */
      recipient?: string;
    },
  ): Promise<PickResult> {
    if (candidates.length === 0) return { kind: 'none', online: 0, retryInMs: null };
    const result = (await this.redis.devicePick(
      this.deadlines,
      this.handover(messageId),
      this.online(accountId),
      `${this.prefix}pick-seq`,
      this.lastTexted(accountId, options.recipient ?? ''),
      this.prefix,
      options.now,
      SEND_RATE_WINDOW_MS,
      messageId,
      options.ackDeadline,
      HANDOVER_TTL_MS,
      options.probe ? '1' : '0',
      options.simNumber ?? 0,
      ...candidates.flatMap((candidate) => [
        candidate.deviceId,
        candidate.sendRatePerMinute,
        candidate.simNumbers.join(','),
      ]),
    )) as Array<string | number>;
    switch (result[0]) {
      case 'picked':
        return {
          kind: 'picked',
          deviceId: String(result[1]),
          instanceId: String(result[2]),
          connectionId: String(result[3]),
          phoneNumber: result[4] ? String(result[4]) : null,
          simNumber: Number(result[5]) > 0 ? Number(result[5]) : null,
        };
      case 'eligible':
        return { kind: 'eligible', deviceId: String(result[1]) };
      default: {
        const wait = Number(result[2]);
        return { kind: 'none', online: Number(result[1]), retryInMs: wait < 0 ? null : wait };
      }
    }
  }

  acknowledge(messageId: string, deviceId: string, resultDeadline: number): Promise<AckOutcome> {
    return this.redis.deviceAcknowledge(
      this.handover(messageId),
      this.deadlines,
      this.inflight(deviceId),
      deviceId,
      messageId,
      resultDeadline,
    ) as Promise<AckOutcome>;
  }

  /** First result wins: the holder lets go of the message. */
  releaseHandover(messageId: string, deviceId: string): Promise<HandoverOwnership> {
    return this.redis.deviceReleaseHandover(
      this.handover(messageId),
      this.deadlines,
      this.inflight(deviceId),
      deviceId,
      messageId,
    ) as Promise<HandoverOwnership>;
  }

  async markDueNow(messageId: string, deviceId: string): Promise<void> {
    await this.redis.deviceMarkDueNow(
      this.handover(messageId),
      this.deadlines,
      deviceId,
      messageId,
    );
  }

  /** Asks for another try at re-routing a message at `at` (its dispatch job was still running). */
  /**
   * Takes a message back from a phone that pulls its messages and has not pulled it (see
   * WITHDRAW). Returns the device it was taken from, or null.
   */
  async withdraw(messageId: string): Promise<string | null> {
    const holder = (await this.redis.deviceWithdraw(
      this.handover(messageId),
      this.deadlines,
      this.prefix,
      messageId,
    )) as string;
    return holder || null;
  }

  async scheduleRetry(messageId: string, at: number): Promise<void> {
    await this.redis.zadd(this.deadlines, at, messageId);
  }

  /** The messages whose holder's time is up; each is taken by exactly one caller. */
  async takeDue(now: number, limit: number): Promise<DueHandover[]> {
    const flat = (await this.redis.deviceTakeDue(
      this.deadlines,
      this.prefix,
      now,
      limit,
    )) as string[];
    const due: DueHandover[] = [];
    for (let index = 0; index < flat.length; index += 5) {
      due.push({
        messageId: flat[index],
        formerDeviceId: flat[index + 1] || null,
        acknowledged: flat[index + 2] === '1',
        reason: flat[index + 3] as DueReason,
        reroutes: Number(flat[index + 4]),
      });
    }
    return due;
  }
}
