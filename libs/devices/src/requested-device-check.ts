import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FieldError, UnprocessableAppException } from '@app/core';
import { MessageCreationHook, MessageCreationHooks, MessageDraft } from '@app/messaging';
import { DeviceErrorCode } from './device-errors';

/**
 * `POST /messages {deviceId}` must name a device of the caller's account: refused with
 * DEVICE_NOT_FOUND before anything is stored (a hook, so messaging never imports devices).
 */
@Injectable()
export class RequestedDeviceCheck implements MessageCreationHook, OnModuleInit {
  constructor(private readonly hooks: MessageCreationHooks) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  appliesTo(drafts: readonly MessageDraft[]): boolean {
    return drafts.some((draft) => draft.requestedDeviceId !== null);
  }

  async beforeInsert(
    manager: EntityManager,
    accountId: string,
    drafts: readonly MessageDraft[],
  ): Promise<void> {
    const requested = [
      ...new Set(drafts.map((draft) => draft.requestedDeviceId).filter((id) => id !== null)),
    ];
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM devices WHERE account_id = $1 AND id = ANY($2) AND deleted_at IS NULL`,
      [accountId, requested],
    );
    const known = new Set(rows.map((row) => row.id));
    const errors: FieldError[] = [];
    drafts.forEach((draft, index) => {
      if (draft.requestedDeviceId === null || known.has(draft.requestedDeviceId)) return;
      errors.push({
        field: drafts.length > 1 ? `messages[${index}].deviceId` : 'deviceId',
        code: DeviceErrorCode.NotFound,
        message: `No device ${draft.requestedDeviceId} in this account.`,
      });
    });
    if (errors.length > 0) {
      throw new UnprocessableAppException(
        DeviceErrorCode.NotFound,
        errors.map((error) => `${error.field}: ${error.message}`).join('; '),
        errors,
      );
    }
  }
}
