import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ConflictAppException, NotFoundAppException, requireE164 } from '@app/core';
import { Account } from './account.entity';
import { ApiKeysService, IssuedApiKey } from './api-keys.service';

export interface CreatedAccount extends IssuedApiKey {
  account: Account;
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /**
   * An operator's account with its first API key: both or neither. With a phone, its owner can
   * also sign in (to the web app) with a code texted there; the first right code verifies it.
   */
  async createWithApiKey(
    name: string,
    options: { keyName?: string; phone?: string } = {},
  ): Promise<CreatedAccount> {
    const phone = options.phone === undefined ? null : requireE164(options.phone, 'phone');
    const keyName = options.keyName ?? 'default';
    return this.dataSource.transaction(async (manager) => {
      if (phone !== null && (await manager.existsBy(Account, { phone }))) {
        throw new ConflictAppException(
          'PHONE_TAKEN',
          `An account with the phone ${phone} exists already.`,
        );
      }
      const account = await manager.save(
        manager.create(Account, { name, phone, origin: 'operator' }),
      );
      const issued = await this.apiKeys.issue(account.id, keyName, manager);
      return { account, ...issued };
    });
  }

  async getById(accountId: string): Promise<Account> {
    const account = await this.dataSource.getRepository(Account).findOneBy({ id: accountId });
    if (!account) throw new NotFoundAppException('ACCOUNT_NOT_FOUND', 'No such account.');
    return account;
  }

  /** The account's phone once verified, else null; `manager`: the caller's transaction. */
  async verifiedPhoneOf(
    accountId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    const account = await manager.findOne(Account, {
      select: { id: true, phone: true, phoneVerifiedAt: true },
      where: { id: accountId },
    });
    return account?.phone && account.phoneVerifiedAt ? account.phone : null;
  }

  /** The names of accounts, by id (a missing account is left out); `manager`: the caller's transaction. */
  async namesOf(
    accountIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, string>> {
    if (accountIds.length === 0) return new Map();
    const accounts = await manager.getRepository(Account).find({
      select: { id: true, name: true },
      where: { id: In([...new Set(accountIds)]) },
    });
    return new Map(accounts.map((account) => [account.id, account.name]));
  }
}
