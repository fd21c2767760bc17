import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecretCipher, isUuid } from '@app/core';
import { deviceNotFound } from '../device-errors';

/** A live device whose webhooks may be checked, with the key they must be signed with. */
export interface SigningDevice {
  id: string;
  accountId: string;
  /** The number the device says it has (its hello), used when a text does not name its SIM's. */
  phoneNumber: string | null;
  signingKey: string;
}

/**
 * The per-device key a phone running SMS Gateway for Android signs its webhooks with. Made on
 * first use (GET /settings hands it to the phone), stored encrypted and bound to the device id;
 * a deleted device's key stops working with its token, and a replaced token takes the key with it
 * (DevicesService.replaceToken).
 */
@Injectable()
export class DeviceSigningKeys {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  /** The device's key, made now if it has none; concurrent first calls agree on one. */
  async keyOf(deviceId: string): Promise<string> {
    const [row] = await this.dataSource.query<Array<{ webhook_signing_key: string | null }>>(
      'SELECT webhook_signing_key FROM devices WHERE id = $1 AND deleted_at IS NULL',
      [deviceId],
    );
    if (!row) throw deviceNotFound();
    if (row.webhook_signing_key) return this.open(row.webhook_signing_key, deviceId);
    // COALESCE is evaluated on the row as it is after waiting for a concurrent writer's lock.
    const [made] = await this.dataSource.query<Array<Array<{ webhook_signing_key: string }>>>(
      `UPDATE devices SET webhook_signing_key = COALESCE(webhook_signing_key, $2)
       WHERE id = $1 AND deleted_at IS NULL RETURNING webhook_signing_key`,
      [deviceId, this.cipher.encrypt(newSigningKey(), deviceId)],
    );
    if (!made?.[0]) throw deviceNotFound();
    return this.open(made[0].webhook_signing_key, deviceId);
  }

  /** Null for an unknown or deleted device, or one that was never given a key. */
  async signingDevice(deviceId: string): Promise<SigningDevice | null> {
    if (!isUuid(deviceId)) return null;
    const [row] = await this.dataSource.query<
      Array<{
        id: string;
        account_id: string;
        phone_number: string | null;
        webhook_signing_key: string | null;
      }>
    >(
      `SELECT id, account_id, phone_number, webhook_signing_key FROM devices
       WHERE id = $1 AND deleted_at IS NULL`,
      [deviceId],
    );
    if (!row?.webhook_signing_key) return null;
    return {
      id: row.id,
      accountId: row.account_id,
      phoneNumber: row.phone_number,
      signingKey: this.open(row.webhook_signing_key, row.id),
    };
  }

  private open(sealed: string, deviceId: string): string {
    return this.cipher.decrypt(sealed, deviceId);
  }
}

/** 256 random bits; the app uses the key's UTF-8 bytes, so it stays ASCII (base64url). */
function newSigningKey(): string {
  return randomBytes(32).toString('base64url');
}
