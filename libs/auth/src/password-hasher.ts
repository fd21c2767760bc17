import { Injectable } from '@nestjs/common';
import { Algorithm, hash, parseOptions, verify } from '@node-rs/argon2';

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

@Injectable()
export class PasswordHasher {
  // Verified against when there is no real hash, so that "no such account" and "no password"
  // take as long as a wrong password.
  private readonly decoyHash = hash('decoy password for constant-time refusals', ARGON2ID);

  hash(password: string): Promise<string> {
    return hash(normalise(password), ARGON2ID);
  }

  /** False for a wrong password and for no hash at all, in the same time either way. */
  async verify(passwordHash: string | null | undefined, password: string): Promise<boolean> {
    if (!passwordHash) {
      await verify(await this.decoyHash, normalise(password)).catch(() => false);
      return false;
    }
    return verify(passwordHash, normalise(password)).catch(() => false);
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
}
