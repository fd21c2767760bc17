import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { AppConfig, Clock } from '@app/core';
import { MessagesService } from '@app/messaging';
import { AuthCode } from './auth-code.entity';
import {
  MASKED_SIGN_IN_CODE,
  MAX_WRONG_GUESSES_PER_CODE,
  SIGN_IN_CODE_TTL_MS,
  generateSignInCode,
  hashSignInCode,
  signInCodeMatches,
  signInCodeText,
} from './sign-in-code';

/** What POST /auth/register asked for, applied if the code ends up creating the account. */
export interface PendingRegistration {
  name: string;
  passwordHash: string | null;
}

export type CodeCheck =
  | { valid: true; registration: PendingRegistration | null }
  | { valid: false };

/** One-time SMS codes: issued, texted, and used up (or guessed wrong) here. */
@Injectable()
export class SignInCodesService {
  private readonly secret: string;

  constructor(
    @InjectRepository(AuthCode) private readonly codes: Repository<AuthCode>,
    private readonly messages: MessagesService,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.secret = config.get('AUTH_TOKEN_SECRET');
  }

  /** The phone's unexpired code, if any, with the password its registration would set. */
  async liveCode(phone: string): Promise<{ pendingPasswordHash: string | null } | null> {
    const live = await this.codes.findOneBy({ phone });
    if (!live || live.expiresAt.getTime() <= this.clock.now().getTime()) return null;
    return { pendingPasswordHash: live.pendingPasswordHash };
  }

  /** Replaces the phone's code with a new one (the old one stops working) and texts it. */
  async send(phone: string, registration: PendingRegistration | null): Promise<void> {
    const now = this.clock.now();
    const code = generateSignInCode();
    const expiresAt = new Date(now.getTime() + SIGN_IN_CODE_TTL_MS);
    // Codes nobody came back for would otherwise stay forever; the index makes this cheap.
    await this.codes.delete({ expiresAt: LessThan(now) });
    await this.codes.upsert(
      {
        phone,
        codeHash: hashSignInCode(this.secret, phone, code),
        failedAttempts: 0,
        pendingName: registration?.name ?? null,
        pendingPasswordHash: registration?.passwordHash ?? null,
        createdAt: now,
        expiresAt,
      },
      ['phone'],
    );
    await this.messages.sendSystemMessage({
      to: phone,
      body: signInCodeText(code),
      shownBody: signInCodeText(MASKED_SIGN_IN_CODE),
      expiresAt,
    });
  }

  /**
   * Uses up the phone's code when `code` is it. A wrong guess is counted, and the fifth kills the
   * code, so that even the right code is refused after it. Runs in the caller's transaction, with
   * the code's row locked so that parallel guesses are counted one by one.
   */
  async check(manager: EntityManager, phone: string, code: string): Promise<CodeCheck> {
    const live = await manager.findOne(AuthCode, {
      where: { phone },
      lock: { mode: 'pessimistic_write' },
    });
    if (!live) return { valid: false };
    if (live.expiresAt.getTime() <= this.clock.now().getTime()) {
      await manager.delete(AuthCode, { phone });
      return { valid: false };
    }
    if (!signInCodeMatches(this.secret, phone, code, live.codeHash)) {
      if (live.failedAttempts + 1 >= MAX_WRONG_GUESSES_PER_CODE) {
        await manager.delete(AuthCode, { phone });
      } else {
        await manager.increment(AuthCode, { phone }, 'failedAttempts', 1);
      }
      return { valid: false };
    }
    await manager.delete(AuthCode, { phone });
    const registration =
      live.pendingName === null
        ? null
        : { name: live.pendingName, passwordHash: live.pendingPasswordHash };
    return { valid: true, registration };
  }
}
