/**
 * The signed-in session of this tab. The access token lives in memory only (never in storage a
 * script could read later); the refresh token is an HttpOnly cookie the server sets on sign-in
 * when asked by `X-Switchboard-Client: web`, scoped to /api/v1/auth, that this code never sees.
 */
import type { components } from './schema';

export type Account = components['schemas']['AccountDto'];

export interface Session {
  accessToken: string;
  account: Account;
}

/** Sent on every sign-in, refresh and logout: asks for the cookie, and is the CSRF proof. */
export const WEB_CLIENT_HEADERS = { 'X-Switchboard-Client': 'web' } as const;

let current: Session | null = null;
const listeners = new Set<() => void>();
let refreshing: Promise<Session | null> | null = null;

export function getSession(): Session | null {
  return current;
}

export function accessToken(): string | undefined {
  return current?.accessToken;
}

export function setSession(session: Session | null): void {
  current = session;
  for (const listener of listeners) listener();
}

/** For useSyncExternalStore. */
export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Exchanges the refresh cookie for a new access token (the cookie rotates). One refresh at a time
 * per tab: concurrent 401s wait for the same one, since a refresh token works once. Resolves to
 * null (and signs out locally) when there is no valid cookie.
 */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= (async () => {
    try {
      const response = await acrossTabs(() =>
        fetch('/api/v1/auth/refresh', {
          method: 'POST',
          headers: WEB_CLIENT_HEADERS,
          credentials: 'same-origin',
        }),
      );
      if (!response.ok) {
        setSession(null);
        return null;
      }
      const body = (await response.json()) as { accessToken: string; account: Account };
      setSession({ accessToken: body.accessToken, account: body.account });
      return current;
    } catch {
      // Offline: keep whatever we had; the caller sees its own request fail.
      return current;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/**
 * Tabs share the cookie: two refreshing at once would present the same refresh token twice,
 * which the server takes for a stolen token and ends the session. A Web Lock makes them take
 * turns (the second sends the cookie the first one got).
 */
function acrossTabs<T>(task: () => Promise<T>): Promise<T> {
  // Web Locks need a secure context (https or localhost); elsewhere tabs take their chance.
  if (!navigator.locks) return task();
  return navigator.locks.request('switchboard-refresh', task) as Promise<T>;
}

/** Ends the session on the server (the cookie is cleared) and here. */
export async function signOut(): Promise<void> {
  try {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: WEB_CLIENT_HEADERS,
      credentials: 'same-origin',
    });
  } finally {
    setSession(null);
  }
}
