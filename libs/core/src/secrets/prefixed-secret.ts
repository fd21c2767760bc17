import { createHash, randomBytes } from 'node:crypto';

export interface GeneratedSecret {
  /** Shown once, to its owner; never stored. */
  secret: string;
  /** Its first characters, stored and shown to tell secrets apart. */
  visiblePrefix: string;
  /** What is stored and looked up. */
  hash: string;
}

/**
 * A kind of bearer secret (API keys `sb_…`, device tokens `sbd_…`): 256 random bits behind a
 * prefix that names the kind. Stored as SHA-256, which is enough here (unlike passwords): the
 * secret cannot be guessed, so a slow hash would only slow down every request it authenticates.
 */
export class PrefixedSecret {
  constructor(
    private readonly prefix: string,
    private readonly visiblePrefixLength: number,
  ) {}

  generate(): GeneratedSecret {
    const secret = `${this.prefix}${randomBytes(32).toString('base64url')}`;
    return {
      secret,
      visiblePrefix: secret.slice(0, this.visiblePrefixLength),
      hash: this.hash(secret),
    };
  }

  hash(secret: string): string {
    return createHash('sha256').update(secret).digest('hex');
  }

  /** Cheap shape check before any lookup: garbage never reaches the database. */
  looksLike(value: string): boolean {
    return (
      value.startsWith(this.prefix) && value.length > this.visiblePrefixLength && value.length < 200
    );
  }
}
