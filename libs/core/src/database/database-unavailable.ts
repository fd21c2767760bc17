// Node's socket errors when PostgreSQL cannot be reached or the connection broke.
const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATEs of a server that is going away, starting up or full: class 08 (connection exception),
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// What node-postgres says, without a code, about a connection that broke or never came.
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Connection ended unexpectedly',
  'Query read timeout',
];

/**
 * True when `error` says PostgreSQL is unreachable (down, restarting, out of connections) rather
 * than that a statement was wrong: the request may succeed later, so it is a 503, not a 500.
 * Looks through TypeORM's QueryFailedError (`driverError`) and `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const { code, driverError, cause } = error as Error & {
    code?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))
      return true;
  }
  if (CONNECTION_MESSAGES.some((message) => error.message.includes(message))) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/**
 * Runs `work` again while it fails because PostgreSQL is unavailable, waiting a little longer
 * each time, for up to `giveUpAfterMs`; any other failure, or the last one, is thrown.
 */
export async function retryWhileDatabaseUnavailable<T>(
  work: () => Promise<T>,
  giveUpAfterMs: number,
): Promise<T> {
  const deadline = Date.now() + giveUpAfterMs;
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2000)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
