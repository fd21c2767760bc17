import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, Clock } from '@app/core';
import {
  DispatchError,
  DispatchOutcome,
  Message,
  RequestedRoute,
  RouteRegistry,
  SendLaterError,
  SmsRoute,
} from '@app/messaging';
import { DeviceChannel } from '../live/device-channel';
import { DeviceRegistry, PickCandidate } from '../live/device-registry';
import { SimCard, SimCardErrorCode } from '../sim-cards';

// How long a message for a phone waits before looking again when none of the account's is online.
const NO_DEVICE_RETRY_MS = 5000;
// Bounds on the wait for a send slot of a capped phone (the cap frees slots as the window slides).
const MIN_SLOT_WAIT_MS = 100;
const MAX_SLOT_WAIT_MS = 60_000;
// How long candidates looked up for a message may be reused by its dispatch.
const CANDIDATES_REUSE_MS = 1000;

interface Candidates {
  devices: PickCandidate[];
  /** The SIM cards of each candidate: the chosen SIM's number is the `from`. */
  simCards: Map<string, SimCard[]>;
  /** The message names a device that does not exist (any more) for its account. */
  requestedDeviceMissing: boolean;
  /** The message names a device and a SIM that device no longer reports. */
  requestedSimMissing: boolean;
}

const NO_CANDIDATES: Candidates = {
  devices: [],
  simCards: new Map(),
  requestedDeviceMissing: false,
  requestedSimMissing: false,
};

/**
 * The `device` route (docs/architecture.md#device-route): the least-loaded eligible phone of the message's
 * account takes it. The pick and the in-flight count are one atomic step in Redis (see
 * PICK_DEVICE), and the send reaches the phone through the API instance holding its socket. The
 * phone's ack and result arrive later on that socket (`handed-off`).
 */
@Injectable()
export class DeviceRoute implements SmsRoute, OnModuleInit {
  readonly name = 'device' as const;
  private readonly ackTimeoutMs: number;
  private readonly defaultSendRate: number;
  /** Candidates looked up by `isAvailableFor`, by message id, in insertion (= time) order. */
  private readonly recentCandidates = new Map<
    string,
    { at: number; candidates: Promise<Candidates> }
  >();

  constructor(
    private readonly routes: RouteRegistry,
    private readonly registry: DeviceRegistry,
    private readonly channel: DeviceChannel,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.ackTimeoutMs = config.get('DEVICE_ACK_TIMEOUT_MS');
    this.defaultSendRate = config.get('DEVICE_DEFAULT_SEND_RATE_PER_MINUTE');
  }

  onModuleInit(): void {
    this.routes.register(this);
  }

  /**
   * `device` (or a named device): whenever one of its phones is online and enabled, even at its
   * cap; `dispatch` then waits for the cap's next free slot. `auto`: only when a phone could send
   * right now, else the carrier takes it.
   */
  async isAvailableFor(message: Message): Promise<boolean> {
    if (!message.accountId) return false;
    const candidates = await this.remember(message.id, this.candidatesFor(message));
    // dispatch fails these, with a clear code
    if (candidates.requestedDeviceMissing || candidates.requestedSimMissing) return true;
    if (candidates.devices.length === 0) return false;
    if (message.routeRequested !== RequestedRoute.Auto) return true;
    const probe = await this.registry.pick(message.id, message.accountId, candidates.devices, {
      now: this.now(),
      ackDeadline: 0,
      probe: true,
      simNumber: message.requestedSimNumber,
      recipient: message.peer,
    });
    return probe.kind === 'eligible';
  }

  async dispatch(message: Message): Promise<DispatchOutcome> {
    const accountId = message.accountId;
    if (!accountId)
      throw new DispatchError('NO_DEVICE', 'System messages never go through a phone.', true);
    const candidates = await (this.recall(message.id) ?? this.candidatesFor(message));
    if (candidates.requestedDeviceMissing) {
      throw new DispatchError(
        'DEVICE_NOT_FOUND',
        `The device ${message.requestedDeviceId} does not exist (or was deleted).`,
        true,
      );
    }
    if (candidates.requestedSimMissing) {
      throw new DispatchError(
        SimCardErrorCode.NotAvailable,
        `The device ${message.requestedDeviceId} no longer reports SIM ${message.requestedSimNumber}.`,
        true,
      );
    }
    let remaining = candidates.devices;
    while (remaining.length > 0) {
      const now = this.now();
      const pick = await this.registry.pick(message.id, accountId, remaining, {
        now,
        ackDeadline: now + this.ackTimeoutMs,
        simNumber: message.requestedSimNumber,
        recipient: message.peer,
      });
      if (pick.kind !== 'picked') {
        const wait = pick.kind === 'none' ? pick.retryInMs : null;
        throw new SendLaterError(
          wait === null
            ? NO_DEVICE_RETRY_MS
            : Math.min(MAX_SLOT_WAIT_MS, Math.max(MIN_SLOT_WAIT_MS, wait)),
        );
      }
      const delivered = await this.channel.deliver(pick.instanceId, {
        kind: 'send',
        deviceId: pick.deviceId,
        connectionId: pick.connectionId,
        messageId: message.id,
        to: message.toNumber,
        body: message.body,
        ...(pick.simNumber !== null ? { simNumber: pick.simNumber } : {}),
      });
      if (delivered) {
        return {
          kind: 'handed-off',
          deviceId: pick.deviceId,
          from: this.senderNumber(candidates.simCards.get(pick.deviceId) ?? [], pick),
          simNumber: pick.simNumber,
        };
      }
      // Nobody listens for that instance any more: it crashed, and its phones are not online
      // whatever its leftover presences say. Take the message back and try another phone.
      await this.registry.releaseHandover(message.id, pick.deviceId);
      await this.registry.dropStalePresence(pick.deviceId, accountId, pick.instanceId);
      remaining = remaining.filter((candidate) => candidate.deviceId !== pick.deviceId);
    }
    throw new SendLaterError(NO_DEVICE_RETRY_MS);
  }

  /**
   * The router asks `isAvailableFor` and then, moments later, calls `dispatch` for the same
   * message: the candidates looked up for the first serve the second (the pick itself checks
   * every phone's presence again, atomically).
   */
  private remember(messageId: string, candidates: Promise<Candidates>): Promise<Candidates> {
    const now = Date.now();
    for (const [id, entry] of this.recentCandidates) {
      if (now - entry.at < CANDIDATES_REUSE_MS) break;
      this.recentCandidates.delete(id);
    }
    this.recentCandidates.set(messageId, { at: now, candidates });
    return candidates;
  }

  private recall(messageId: string): Promise<Candidates> | undefined {
    const entry = this.recentCandidates.get(messageId);
    this.recentCandidates.delete(messageId);
    return entry && Date.now() - entry.at < CANDIDATES_REUSE_MS ? entry.candidates : undefined;
  }

  /**
   * The account's phones that may be online and are enabled (or only the one it names), and
   * that have the SIM it names.
   */
  private async candidatesFor(message: Message): Promise<Candidates> {
    const accountId = message.accountId!;
    const requested = message.requestedDeviceId;
    const sim = message.requestedSimNumber;
    const online = await this.registry.onlineDeviceIds(accountId);
    if (!requested && online.length === 0) return NO_CANDIDATES;
    const rows: Array<{ id: string; enabled: boolean; rate: number | null; sims: SimCard[] }> =
      await this.dataSource.query(
        `SELECT id, enabled, send_rate_per_minute AS rate, sim_cards AS sims FROM devices
         WHERE account_id = $1 AND id = ANY($2) AND deleted_at IS NULL`,
        [accountId, requested ? [requested] : online],
      );
    if (requested && rows.length === 0) return { ...NO_CANDIDATES, requestedDeviceMissing: true };
    const hasSim = (row: { sims: SimCard[] }) =>
      sim === null || row.sims.some((card) => card.simNumber === sim);
    if (requested && !hasSim(rows[0])) return { ...NO_CANDIDATES, requestedSimMissing: true };
    const onlineIds = new Set(online);
    const eligible = rows.filter((row) => row.enabled && onlineIds.has(row.id) && hasSim(row));
    return {
      devices: eligible.map((row) => ({
        deviceId: row.id,
        sendRatePerMinute: row.rate ?? this.defaultSendRate,
        simNumbers: row.sims.map((card) => card.simNumber),
      })),
      simCards: new Map(eligible.map((row) => [row.id, row.sims])),
      requestedDeviceMissing: false,
      requestedSimMissing: false,
    };
  }

  /**
   * The number the SMS goes out from: the chosen SIM's, when the phone reported it; the phone's
   * own (its hello) only when it has at most one SIM, since that number may be another SIM's.
   */
  private senderNumber(
    simCards: SimCard[],
    pick: { phoneNumber: string | null; simNumber: number | null },
  ): string | null {
    const card = simCards.find((candidate) => candidate.simNumber === pick.simNumber);
    if (card?.phoneNumber) return card.phoneNumber;
    return simCards.length <= 1 ? pick.phoneNumber : null;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
