import { Injectable, OnModuleInit } from '@nestjs/common';
import { SendQuota } from '@app/messaging';
import { AccountSendLimitsService } from './account-send-limits.service';

/** Tells messaging's send quota where each account's limits come from (accounts live here). */
@Injectable()
export class SendLimitsRegistration implements OnModuleInit {
  constructor(
    private readonly quota: SendQuota,
    private readonly limits: AccountSendLimitsService,
  ) {}

  onModuleInit(): void {
    this.quota.useLimitsOf((accountId, manager) => this.limits.limitsOf(accountId, manager));
  }
}
