import { HttpStatus, Injectable, Optional } from '@nestjs/common';
import { Algorithm, hash, parseOptions, verify } from '@node-rs/argon2';
import { AppConfig, AppException } from '@app/core';
import { BoundedConcurrency, ConcurrencyLimitReached } from './bounded-concurrency';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

// The OWASP Password Storage Cheat Sheet's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2ID = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** NIST SP 800-63B: compare passwords as Unicode text, whatever form the keyboard produced. */
function normalise(password: string): string {
  return password.normalize('NFKC');
}

function serverBusy(): AppException {
  return new AppException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'SERVER_BUSY',
    'Too many sign-ins are being checked right now. Try again in a moment.',
    { headers: { 'Retry-After': '1' }, extensions: { retryAfter: 1 } },
  );
}

/**
 * argon2id hashing. Each hash holds 19 MiB and a thread for tens of milliseconds, and anyone can
 * ask for one (a login to any phone, known or not), so hashes run a few at a time
 * (ARGON2_MAX_CONCURRENT) with a bounded queue (ARGON2_MAX_QUEUED); beyond it the caller gets
 * 503 SERVER_BUSY at once instead of a queue that grows with the flood.
 */
@Injectable()
export class PasswordHasher {
  // Verified against when there is no real hash, so that "no such account" and "no password"
  // take as long as a wrong password.
  private readonly decoyHash = hash('decoy password for constant-time refusals', ARGON2ID);
  private readonly slots: BoundedConcurrency;

  constructor(@Optional() config?: AppConfig) {
    this.slots = new BoundedConcurrency(
      config?.get('ARGON2_MAX_CONCURRENT') ?? 4,
      config?.get('ARGON2_MAX_QUEUED') ?? 64,
    );
  }

  hash(password: string): Promise<string> {
    return this.limited(() => hash(normalise(password), ARGON2ID));
  }

  /** False for a wrong password and for no hash at all, in the same time either way. */
  async verify(passwordHash: string | null | undefined, password: string): Promise<boolean> {
    if (!passwordHash) {
      const decoy = await this.decoyHash;
      await this.limited(() => verify(decoy, normalise(password)).catch(() => false));
      return false;
    }
    return this.limited(() => verify(passwordHash, normalise(password)).catch(() => false));
  }

  /** A hash made with weaker (older) parameters, to be replaced at the next successful sign-in. */
  needsRehash(passwordHash: string): boolean {
    try {
      const options = parseOptions(passwordHash);
      return (
        options.algorithm !== ARGON2ID.algorithm ||
        options.memoryCost < ARGON2ID.memoryCost ||
        options.timeCost < ARGON2ID.timeCost
      );
    } catch {
      return true;
    }
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.slots.run(task);
    } catch (error) {
      if (error instanceof ConcurrencyLimitReached) throw serverBusy();
      throw error;
    }
  }
}
