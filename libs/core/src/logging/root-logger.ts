import { Logger as PinoInstance, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Environment } from '../config/config.schema';

/** `auto`: readable lines when stdout is a terminal, JSON lines otherwise (files, pipes, Docker). */
export type LogFormat = Environment['LOG_FORMAT'];

// Secrets never reach the logs, whichever object they travel in.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
];

/**
 * Fields a readable line leaves out: the process and host (one machine, one terminal), and what
 * its message already says (a request's line through readableMessage; the URLs of npm start's
 * banner in its text).
 */
const SAID_OR_NEEDLESS_IN_A_TERMINAL = [
  'pid',
  'hostname',
  'context',
  'req',
  'res',
  'responseTime',
  'apiUrl',
  'docsUrl',
  'publicBaseUrl',
];

/**
 * The process's one pino logger, secrets redacted: JSON lines on stdout, or readable lines for
 * a person at a terminal (see LogFormat).
 */
export function createRootLogger(level: string, format: LogFormat = 'auto'): PinoInstance {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return writesReadableLogs(format) ? pino(options, readableStream()) : pino(options);
}

export function writesReadableLogs(format: LogFormat): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}

function readableStream() {
  return pinoPretty({
    // A person reads these as they come; nothing is lost when the process exits right after.
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: SAID_OR_NEEDLESS_IN_A_TERMINAL.join(','),
    messageFormat: readableMessage,
  });
}

/** `[Context] message`, and for a finished request `GET /path → 201 in 4 ms`. */
export function readableMessage(log: Record<string, unknown>, messageKey: string): string {
  const parts: string[] = [];
  if (typeof log.context === 'string') parts.push(`[${log.context}]`);
  parts.push(String(log[messageKey] ?? ''));
  const request = log.req as { method?: string; url?: string } | undefined;
  if (request?.method) parts.push(`${request.method} ${request.url ?? ''}`);
  const response = log.res as { statusCode?: number } | undefined;
  if (response?.statusCode) parts.push(`→ ${response.statusCode}`);
  if (typeof log.responseTime === 'number') parts.push(`in ${log.responseTime} ms`);
  return parts.join(' ');
}
