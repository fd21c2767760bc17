import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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
}
