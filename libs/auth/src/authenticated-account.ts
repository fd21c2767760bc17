/** Who is calling: attached to the request by the auth guard, read with @CurrentAccount(). */
export interface AuthenticatedAccount {
  accountId: string;
  via: 'api-key' | 'access-token';
  /** Set when the caller used an API key. */
  apiKeyId?: string;
  /** Set when the caller used an access token: the sign-in session it belongs to. */
  sessionId?: string;
  /** Set when the caller used an access token: when it stops working. */
  expiresAt?: Date;
}
