import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FieldError, UnprocessableAppException } from '@app/core';
import { MessageCreationHook, MessageCreationHooks, MessageDraft } from '@app/messaging';
import { DeviceErrorCode } from './device-errors';
import { SimCardErrorCode } from './sim-cards';

/**
 * `POST /messages {deviceId, simNumber}` must name a device of the caller's account, and a SIM
 * that device reports (without `deviceId`: that one of the account's devices reports): refused
 * with DEVICE_NOT_FOUND or SIM_NOT_AVAILABLE before anything is stored (a hook, so messaging
 * never imports devices). A message no phone could ever send would otherwise wait until it expires.
 */
@Injectable()
export class RequestedDeviceCheck implements MessageCreationHook, OnModuleInit {
  constructor(private readonly hooks: MessageCreationHooks) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  appliesTo(drafts: readonly MessageDraft[]): boolean {
    return drafts.some(
      (draft) => draft.requestedDeviceId !== null || (draft.requestedSimNumber ?? null) !== null,
    );
  }

  async beforeInsert(
    manager: EntityManager,
    accountId: string,
    drafts: readonly MessageDraft[],
  ): Promise<void> {
    const anySim = drafts.some(
      (draft) => draft.requestedDeviceId === null && (draft.requestedSimNumber ?? null) !== null,
    );
    const requested = [
      ...new Set(drafts.map((draft) => draft.requestedDeviceId).filter((id) => id !== null)),
    ];
    // The named devices, and (when a draft names a SIM but no device) every device's SIMs.
    const rows: Array<{ id: string; sims: number[] }> = await manager.query(
      `SELECT id, ARRAY(SELECT (card->>'simNumber')::int FROM jsonb_array_elements(sim_cards) card) AS sims
       FROM devices WHERE account_id = $1 AND deleted_at IS NULL AND ($3 OR id = ANY($2))`,
      [accountId, requested, anySim],
    );
    const simsOf = new Map(rows.map((row) => [row.id, new Set(row.sims)]));
    const accountSims = new Set(rows.flatMap((row) => row.sims));
    const errors: FieldError[] = [];
    let code: string = DeviceErrorCode.NotFound;
    drafts.forEach((draft, index) => {
      const field = (name: string) => (drafts.length > 1 ? `messages[${index}].${name}` : name);
      const sim = draft.requestedSimNumber ?? null;
      if (draft.requestedDeviceId !== null) {
        const sims = simsOf.get(draft.requestedDeviceId);
        if (!sims) {
          errors.push({
            field: field('deviceId'),
            code: DeviceErrorCode.NotFound,
            message: `No device ${draft.requestedDeviceId} in this account.`,
          });
        } else if (sim !== null && !sims.has(sim)) {
          errors.push({
            field: field('simNumber'),
            code: SimCardErrorCode.NotAvailable,
            message: `The device ${draft.requestedDeviceId} reports no SIM ${sim} (${describe(sims, 'it')}).`,
          });
        }
      } else if (sim !== null && !accountSims.has(sim)) {
        errors.push({
          field: field('simNumber'),
          code: SimCardErrorCode.NotAvailable,
          message: `No device of this account reports a SIM ${sim} (${describe(accountSims, 'its devices')}).`,
        });
      }
    });
    if (errors.length === 0) return;
    // One code for the answer: a missing device outranks a missing SIM (each error has its own).
    if (errors.every((error) => error.code === SimCardErrorCode.NotAvailable)) {
      code = SimCardErrorCode.NotAvailable;
    }
    throw new UnprocessableAppException(
      code,
      errors.map((error) => `${error.field}: ${error.message}`).join('; '),
      errors,
    );
  }
}

function describe(sims: ReadonlySet<number>, who: string): string {
  return sims.size === 0
    ? `${who} reported no SIM cards`
    : `SIMs ${who} reported: ${[...sims].sort((a, b) => a - b).join(', ')}`;
}
