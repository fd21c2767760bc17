import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException, NotFoundAppException, UnprocessableAppException } from '@app/core';
import { Account } from './account.entity';
import { authErrors } from './auth-errors';
import { AuthSessionsService, ClientContext } from './auth-sessions.service';
import { AuthenticatedAccount } from './authenticated-account';
import { PasswordHasher } from './password-hasher';
import { assertPasswordNotCommon } from './password-policy';
import { SignInCodesService } from './sign-in-codes.service';
import { SignInLimits } from './sign-in-limits.service';

export interface AccountChanges {
  name?: string;
  password?: string;
  /** Proves the caller knows the password being replaced… */
  currentPassword?: string;
  /** …or holds the account's phone right now (a code from POST /auth/otp). */
  code?: string;
}

/** What an account's owner may change about it: its name and its password. */
@Injectable()
export class AccountSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly codes: SignInCodesService,
    private readonly sessions: AuthSessionsService,
    private readonly limits: SignInLimits,
    private readonly passwords: PasswordHasher,
  ) {}

  /**
   * A password change needs a fresh proof besides the caller's credential (a stolen access token
   * must not be enough to lock the owner out), and ends every other session of the account.
   */
  async update(
    caller: AuthenticatedAccount,
    changes: AccountChanges,
    client: ClientContext = {},
  ): Promise<Account> {
    const accounts = this.dataSource.getRepository(Account);
    const account = await accounts
      .createQueryBuilder('account')
      .addSelect('account.passwordHash')
      .where('account.id = :id', { id: caller.accountId })
      .getOne();
    if (!account) throw new NotFoundAppException('ACCOUNT_NOT_FOUND', 'No such account.');

    const update: Partial<Account> = {};
    if (changes.name !== undefined) update.name = changes.name.trim();
    if (changes.password !== undefined) {
      assertPasswordNotCommon(changes.password);
      await this.proveOwnership(account, changes, client);
      update.passwordHash = await this.passwords.hash(changes.password);
    }
    if (Object.keys(update).length > 0) await accounts.update(account.id, update);
    if (update.passwordHash) {
      await this.sessions.endOthers(account.id, caller.sessionId, 'password_changed');
      // The caller just proved who they are again.
      if (caller.sessionId) await this.sessions.markVerified(caller.sessionId);
    }
    return accounts.findOneByOrFail({ id: account.id });
  }

  /**
   * Signs the account out everywhere but the calling session (a lost phone, a shared computer).
   * Only a signed-in session may: an API key is not a sign-in, and a leaked one must not be able
   * to sign its owner out. Returns how many sessions ended.
   */
  async endOtherSessions(caller: AuthenticatedAccount): Promise<number> {
    if (!caller.sessionId) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        'SESSION_REQUIRED',
        'Only a signed-in session (an access token) can sign out the other sessions; an API key cannot.',
      );
    }
    return this.sessions.endOthers(caller.accountId, caller.sessionId, 'logout');
  }

  private async proveOwnership(
    account: Account,
    changes: AccountChanges,
    client: ClientContext,
  ): Promise<void> {
    // Sign-in is by phone: a password on an account without one could never be used.
    if (!account.phone) {
      throw new UnprocessableAppException(
        'PHONE_REQUIRED',
        'Only an account that signs in with a phone number can have a password.',
      );
    }
    if (changes.currentPassword === undefined && changes.code === undefined) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        'REAUTHENTICATION_REQUIRED',
        'Changing the password needs currentPassword, or a code requested with POST /auth/otp.',
      );
    }
    const attempt = await this.limits.beginAttempt(account.phone, client.ip);
    if (changes.currentPassword !== undefined) {
      const currentPassword = changes.currentPassword;
      const valid = await this.passwords
        .verify(account.passwordHash, currentPassword)
        .catch(async (error: unknown) => {
          // Never checked (the hashes are busy): not a failure to count.
          await this.limits.attemptAbandoned(attempt);
          throw error;
        });
      if (!valid) {
        throw authErrors.invalidCredentials(HttpStatus.FORBIDDEN, 'currentPassword is wrong.');
      }
    } else {
      const phone = account.phone;
      const check = await this.dataSource.transaction((manager) =>
        this.codes.check(manager, phone, changes.code as string),
      );
      if (!check.valid) throw authErrors.invalidCode(HttpStatus.FORBIDDEN);
    }
    await this.limits.attemptSucceeded(attempt, account.phone);
  }
}
