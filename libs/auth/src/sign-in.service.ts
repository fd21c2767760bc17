import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, Clock, DestinationPolicy, requireE164 } from '@app/core';
import { Account } from './account.entity';
import { authErrors } from './auth-errors';
import { AuthSessionsService, ClientContext, IssuedTokens } from './auth-sessions.service';
import { PasswordHasher } from './password-hasher';
import { assertPasswordNotCommon } from './password-policy';
import { SIGN_IN_CODE_TTL_MS } from './sign-in-code';
import { PendingRegistration, SignInCodesService } from './sign-in-codes.service';
import { SignInLimits } from './sign-in-limits.service';

export interface CodeSent {
  /** Seconds the code is valid for. */
  expiresIn: number;
}

export interface SignedIn extends IssuedTokens {
  account: Account;
}

/**
 * Phone-number sign-in (NIST SP 800-63B, OWASP Authentication Cheat Sheet): a one-time code by
 * SMS, or a password, gives a session. Known and unknown phones go through the same steps, so
 * that neither the answer nor its timing says whether a phone has an account.
 */
@Injectable()
export class SignInService {
  private readonly signUpEnabled: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly codes: SignInCodesService,
    private readonly sessions: AuthSessionsService,
    private readonly limits: SignInLimits,
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
    private readonly destinations: DestinationPolicy,
    config: AppConfig,
  ) {
    this.signUpEnabled = config.get('SIGNUP_ENABLED');
  }

  /**
   * Texts a code that creates the account (with this name and password) when verified, or signs
   * in the phone's existing account, whose name and password are then left as they are.
   */
  async register(
    input: { phone: string; name: string; password?: string },
    client: ClientContext,
  ): Promise<CodeSent> {
    const phone = requireE164(input.phone, 'phone');
    this.destinations.requireAllowed(phone, 'phone');
    await this.refuseSignUpOfNewPhone(phone);
    if (input.password !== undefined) assertPasswordNotCommon(input.password);
    await this.limits.countCodeSend(phone, client.ip);
    const registration = await this.registrationToStore(phone, input);
    await this.codes.send(phone, registration);
    return { expiresIn: SIGN_IN_CODE_TTL_MS / 1000 };
  }

  /** Texts a code that signs the phone in (creating a nameless account for a new phone). */
  async requestCode(input: { phone: string }, client: ClientContext): Promise<CodeSent> {
    const phone = requireE164(input.phone, 'phone');
    this.destinations.requireAllowed(phone, 'phone');
    await this.refuseSignUpOfNewPhone(phone);
    await this.limits.countCodeSend(phone, client.ip);
    await this.codes.send(phone, null);
    return { expiresIn: SIGN_IN_CODE_TTL_MS / 1000 };
  }

  /** A right code proves the phone: it signs in its account, creating it on first use. */
  async verifyCode(
    input: { phone: string; code: string },
    client: ClientContext,
  ): Promise<SignedIn> {
    const phone = requireE164(input.phone, 'phone');
    const attempt = await this.limits.beginAttempt(phone, client.ip);
    const signedIn = await this.dataSource.transaction(async (manager) => {
      const check = await this.codes.check(manager, phone, input.code);
      if (!check.valid) return null;
      const account = await this.accountOfVerifiedPhone(manager, phone, check.registration);
      const tokens = await this.sessions.start(account.id, client, manager);
      return { ...tokens, account };
    });
    // Thrown after the transaction, so that the wrong guess it counted is kept.
    if (!signedIn) throw authErrors.invalidCode();
    await this.limits.attemptSucceeded(attempt, phone);
    return signedIn;
  }

  async login(
    input: { phone: string; password: string },
    client: ClientContext,
  ): Promise<SignedIn> {
    const phone = requireE164(input.phone, 'phone');
    const attempt = await this.limits.beginAttempt(phone, client.ip);
    let account: Account | null;
    let valid: boolean;
    try {
      account = await this.dataSource
        .getRepository(Account)
        .createQueryBuilder('account')
        .addSelect('account.passwordHash')
        .where('account.phone = :phone', { phone })
        .getOne();
      // An unknown phone, or one without a password, costs a hash verification all the same.
      valid = await this.passwords.verify(account?.passwordHash ?? null, input.password);
    } catch (error) {
      // Never checked (the hashes are busy, the database is down): not a failure to count.
      await this.limits.attemptAbandoned(attempt);
      throw error;
    }
    const passwordHash = account?.passwordHash ?? null;
    if (!account || !passwordHash || !valid) throw authErrors.invalidCredentials();
    await this.limits.attemptSucceeded(attempt, phone);
    if (this.passwords.needsRehash(passwordHash)) {
      const upgraded = await this.passwords.hash(input.password);
      await this.dataSource.getRepository(Account).update(account.id, { passwordHash: upgraded });
    }
    delete account.passwordHash;
    const tokens = await this.sessions.start(account.id, client);
    return { ...tokens, account };
  }

  /** A missing refresh token (no body, no cookie) is refused as an invalid one. */
  async refresh(refreshToken: string | undefined): Promise<SignedIn> {
    if (!refreshToken) throw authErrors.invalidRefreshToken();
    const tokens = await this.sessions.rotate(refreshToken);
    const account = await this.dataSource
      .getRepository(Account)
      .findOneByOrFail({ id: tokens.accountId });
    return { ...tokens, account };
  }

  async logout(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) throw authErrors.invalidRefreshToken();
    await this.sessions.end(refreshToken);
  }

  /**
   * With sign-up off, only a phone that has an account already is texted a code. Checked before
   * anything is counted, so that these refusals cannot use up the day's code budget; the answer
   * does tell that a phone has no account, which is what turning sign-up off means.
   */
  private async refuseSignUpOfNewPhone(phone: string): Promise<void> {
    if (this.signUpEnabled) return;
    if (!(await this.dataSource.getRepository(Account).existsBy({ phone }))) {
      throw authErrors.signUpDisabled();
    }
  }

  /**
   * What a registration leaves waiting on its code. Whoever has the code texted last decides what
   * it does, so a stranger who registers someone's phone just after its owner asked for a code
   * could otherwise slip their own password into the owner's new account. So when a code is
   * already live, the password is kept only if this request repeats the one waiting with it (a
   * "resend code" tap); otherwise the account starts without one, to be set later with a code.
   * With nothing live the password is checked against a decoy, so the timing stays the same.
   */
  private async registrationToStore(
    phone: string,
    input: { name: string; password?: string },
  ): Promise<PendingRegistration> {
    const live = await this.codes.liveCode(phone);
    if (input.password === undefined) return { name: input.name.trim(), passwordHash: null };
    const passwordHash = await this.passwords.hash(input.password);
    const repeatsLivePassword = await this.passwords.verify(
      live?.pendingPasswordHash ?? null,
      input.password,
    );
    const keepsPassword = !live || repeatsLivePassword;
    return { name: input.name.trim(), passwordHash: keepsPassword ? passwordHash : null };
  }

  private async accountOfVerifiedPhone(
    manager: EntityManager,
    phone: string,
    registration: PendingRegistration | null,
  ): Promise<Account> {
    const now = this.clock.now();
    const existing = await manager.findOneBy(Account, { phone });
    if (existing) {
      if (!existing.phoneVerifiedAt) {
        await manager.update(Account, existing.id, { phoneVerifiedAt: now });
        existing.phoneVerifiedAt = now;
      }
      return existing;
    }
    // A code texted before sign-up was turned off creates nothing either.
    if (!this.signUpEnabled) throw authErrors.signUpDisabled();
    const created = manager.create(Account, {
      phone,
      phoneVerifiedAt: now,
      origin: 'sign_up',
      name: registration?.name ?? '',
      passwordHash: registration?.passwordHash ?? null,
    });
    await manager.insert(Account, created);
    return manager.findOneByOrFail(Account, { id: created.id });
  }
}
