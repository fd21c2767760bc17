import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { NotFoundAppException } from '@app/core';
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

  /** A server-to-server account with its first API key: both or neither. */
  createWithApiKey(name: string, keyName = 'default'): Promise<CreatedAccount> {
    return this.dataSource.transaction(async (manager) => {
      const account = await manager.save(manager.create(Account, { name, origin: 'operator' }));
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
