import { isSupportedCountry } from 'libphonenumber-js/max';
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';

// Secret values printed in this repository's examples (.env.example, docker-compose.yml, README,
// earlier versions of them): anyone can sign access tokens with them, so they never start a server.
const PUBLISHED_EXAMPLE_SECRETS = new Set([
  'dev-only-secret-change-me-in-production-0123456789',
  'change-this-secret-before-going-live-0123456789',
]);
const MIN_SECRET_BYTES = 32;
// The suite's own secret when it sets none: tests sign tokens, and nothing they sign leaves them.
const TEST_ONLY_SECRET = 'test-only-secret-never-used-outside-the-test-suite';
// Variables whose values must never appear in a configuration error (a log line, a CI output).
const SECRET_VARIABLES = new Set([
  'AUTH_TOKEN_SECRET',
  'TWILIO_AUTH_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'WEBHOOK_SECRET_KEY',
]);
// Webhook signing secrets are encrypted at rest with AES-256: a key of exactly this many bytes.
const WEBHOOK_SECRET_KEY_BYTES = 32;
// The test suite's webhook key when it sets none; nothing it encrypts leaves the suite.
const TEST_ONLY_WEBHOOK_KEY_MATERIAL = 'test-only-webhook-key-never-used-outside-the-test-suite';
// Without WEBHOOK_SECRET_KEY the key is derived from AUTH_TOKEN_SECRET (set in production), else
// from this in development, so that the API and the worker agree on it without configuration.
const WEBHOOK_KEY_DERIVATION_LABEL = 'switchboard webhook secret key:';
const DEVELOPMENT_WEBHOOK_KEY_MATERIAL = 'development-only-webhook-key-set-WEBHOOK_SECRET_KEY';
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 20 h: about three days in all.
const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS =
  '5000,300000,1800000,7200000,18000000,36000000,50400000,72000000,72000000';

/**
 * Jobs one worker runs at once. The jobs of the same event-loop turn share one claim and one
 * record statement, and their Redis commands a socket write, so the more run at once, the less
 * each costs: draining to a fake Twilio on 2 cores, 200 spent ~40 % less CPU per message in
 * PostgreSQL and ~20 % less in the worker than 50, and drained ~30 % faster (README,
 * Performance). Requests to Twilio stay capped apart from this (the Twilio route's connection
 * pool), under Twilio's per-account concurrency limit.
 */
export const DEFAULT_WORKER_CONCURRENCY = 200;

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/**
 * Where phones running SMS Gateway for Android reach this API: an origin (optionally with a path
 * prefix, for a reverse proxy), without credentials, query or fragment. Its release build refuses
 * plain HTTP except to 127.0.0.1; its "insecure" build allows it on a LAN.
 */
const mobilePublicUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    return !url || (!url.username && !url.password && !url.search && !url.hash);
  }, 'must have no credentials, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

const commaSeparatedList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/** A send limit: a whole number, or empty / `unlimited` for none (null). */
const sendLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.trim().toLowerCase())
    .pipe(
      z.union([
        z.enum(['', 'unlimited']).transform(() => null),
        z.coerce.number<string>().int().min(0).max(1_000_000_000),
      ]),
    );

const countryCodes = commaSeparatedList.pipe(
  z.array(
    z
      .string()
      .transform((code) => code.toUpperCase())
      .refine(isSupportedCountry, 'must be ISO 3166-1 alpha-2 country codes (e.g. US,GB)'),
  ),
);

/**
 * Every environment variable Switchboard reads, with its default. `.env.example` mirrors this list;
 * a variable added here must be added there too.
 */
export const environmentSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
    // Empty: the origin each phone called GET /api/mobile/v1/webhooks at (docs/android.md).
    MOBILE_PUBLIC_URL: optionalString.pipe(mobilePublicUrl.optional()),
    TRUST_PROXY: z
      .string()
      .default('loopback')
      .transform((value): boolean | number | string =>
        value === 'true'
          ? true
          : value === 'false'
            ? false
            : /^\d+$/.test(value)
              ? Number(value)
              : value,
      ),
    // The built web app (`npm run build` writes it there); relative paths start at the working
    // directory. Without its index.html, `/` sends visitors to the API's documentation.
    WEB_DIST_DIR: z
      .string()
      .default('apps/web/dist')
      .transform((value) => value.trim())
      .pipe(z.string().min(1, 'must be a directory path'))
      .transform((value) => resolve(value)),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    // Empty: /metrics is open, for a scraper on a private network.
    METRICS_TOKEN: optionalString.pipe(
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    // auto: readable lines when stdout is a terminal (npm start in a shell), JSON lines otherwise.
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .default('postgres://postgres@127.0.0.1:5432/switchboard'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    // Off behind a pooler that cannot keep a connection's prepared statements (PgBouncer in
    // transaction mode before 1.21, or without max_prepared_statements).
    DATABASE_PREPARED_STATEMENTS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only')
      .default('switchboard'),
    // Checked in superRefine: unset means a random one per process in development.
    AUTH_TOKEN_SECRET: optionalString,
    // Sign-in code SMS per UTC day, all phones together: caps the bill of an SMS-pumping attack.
    AUTH_CODE_DAILY_CAP: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    // …and per destination country, so that one country's numbers cannot use the whole day's cap.
    AUTH_CODE_DAILY_CAP_PER_COUNTRY: z.coerce.number().int().min(1).max(1_000_000).default(250),
    // Off: only accounts that exist already (made by `account:create`, or earlier) can sign in.
    SIGNUP_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    // Segments an account may send per UTC minute and per UTC day, by how the account came to be;
    // `npm run account:limits` sets one account's own.
    OPERATOR_SEND_LIMIT_PER_MINUTE: sendLimit(''),
    OPERATOR_SEND_LIMIT_PER_DAY: sendLimit(''),
    SIGNUP_SEND_LIMIT_PER_MINUTE: sendLimit('10'),
    SIGNUP_SEND_LIMIT_PER_DAY: sendLimit('100'),
    // Empty: every country. Premium-rate, shared-cost and toll-free numbers are refused regardless.
    ALLOWED_DESTINATION_COUNTRIES: countryCodes,
    // Failed codes and passwords per minute, all phones and callers together; beyond, every
    // sign-in waits (429) until the minute has room: a ceiling on a spray from many addresses.
    AUTH_FAILED_SIGN_INS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
    // argon2id hashes (19 MiB each) computed at once, and waiting, per API process.
    ARGON2_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(4),
    ARGON2_MAX_QUEUED: z.coerce.number().int().min(0).max(10_000).default(64),
    TWILIO_ACCOUNT_SID: optionalString,
    TWILIO_AUTH_TOKEN: optionalString,
    TWILIO_PHONE_NUMBERS: commaSeparatedList,
    TWILIO_API_BASE_URL: optionalString.pipe(z.url().optional()),
    TWILIO_SEND_RATE_PER_NUMBER: z.coerce.number().min(0).max(1000).default(1),
    // `POST /messages?wait=` requests one account may hold open at once, all API instances together.
    MESSAGE_WAIT_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).max(100_000).default(20),
    EVENTS_HEARTBEAT_MS: z.coerce.number().int().min(100).default(30_000),
    WORKER_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(DEFAULT_WORKER_CONCURRENCY),
    // The worker's CPU niceness (0 = as the API, 19 = yields the most): on a shared machine,
    // draining a backlog must not slow down accepting new messages.
    WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
    DISPATCH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    DISPATCH_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
    DISPATCH_STUCK_AFTER_MS: z.coerce.number().int().min(1000).default(120_000),
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(15_000),
    // Android phones on /ws/devices (docs/device-protocol.md): ping interval, and how long a phone has to
    // acknowledge a send, then to report its result, before the message goes to another phone.
    DEVICE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    DEVICE_ACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    DEVICE_RESULT_TIMEOUT_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
    // Frames a phone may send a second, on average and at once; beyond, its socket closes (1008).
    DEVICE_FRAMES_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(50),
    DEVICE_FRAME_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
    // Android itself stops an app at 30 SMS per minute; a device's own setting overrides this.
    DEVICE_DEFAULT_SEND_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(60_000).default(20),
    // Webhooks (README, Webhooks). The key encrypting signing secrets at rest: 32 bytes, base64.
    WEBHOOK_SECRET_KEY: optionalString,
    // Plain http:// endpoint URLs (a LAN install); https:// only otherwise.
    WEBHOOK_ALLOW_HTTP: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    // Endpoints on loopback, private, link-local or metadata addresses (tests, LAN installs).
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    WEBHOOK_MAX_ENDPOINTS_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(10),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    // The wait before each retry of a failed delivery; after the last one the delivery fails.
    WEBHOOK_RETRY_SCHEDULE_MS: z
      .string()
      .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS)
      .transform((value) => value.split(',').map((item) => Number(item.trim())))
      .pipe(
        z
          .array(
            z
              .number()
              .int()
              .min(0)
              .max(7 * 86_400_000),
          )
          .min(1)
          .max(50),
      ),
    // An endpoint whose deliveries all failed for this long is disabled.
    WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().min(0.0001).max(365).default(5),
    WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    // Requests to one endpoint at once, per worker.
    WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT: z.coerce.number().int().min(1).max(1000).default(10),
    WEBHOOK_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
    // device.low_battery is sent when a phone reports a level at or below this percentage.
    WEBHOOK_LOW_BATTERY_PERCENT: z.coerce.number().int().min(1).max(100).default(15),
  })
  .superRefine((env, ctx) => {
    const secretProblem = tokenSecretProblem(env.NODE_ENV, env.AUTH_TOKEN_SECRET);
    if (secretProblem) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_TOKEN_SECRET'], message: secretProblem });
    }
    const twilioParts = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN];
    if (twilioParts.some(Boolean) && !twilioParts.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.TWILIO_ACCOUNT_SID ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID'],
        message: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together',
      });
    }
    const webhookKeyProblem = webhookSecretKeyProblem(env.WEBHOOK_SECRET_KEY);
    if (webhookKeyProblem) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET_KEY'], message: webhookKeyProblem });
    }
  })
  .transform((env) => ({
    ...env,
    AUTH_TOKEN_SECRET:
      env.AUTH_TOKEN_SECRET ??
      (env.NODE_ENV === 'test' ? TEST_ONLY_SECRET : randomBytes(MIN_SECRET_BYTES).toString('hex')),
    WEBHOOK_SECRET_KEY: env.WEBHOOK_SECRET_KEY
      ? Buffer.from(env.WEBHOOK_SECRET_KEY, 'base64')
      : createHash('sha256')
          .update(WEBHOOK_KEY_DERIVATION_LABEL)
          .update(
            env.NODE_ENV === 'test'
              ? TEST_ONLY_WEBHOOK_KEY_MATERIAL
              : (env.AUTH_TOKEN_SECRET ?? DEVELOPMENT_WEBHOOK_KEY_MATERIAL),
          )
          .digest(),
  }));

/** A key of the wrong size would fail only at the first webhook; it stops the start instead. */
function webhookSecretKeyProblem(key: string | undefined): string | null {
  if (key === undefined) return null;
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/.test(key);
  if (!base64 || Buffer.from(key, 'base64').length !== WEBHOOK_SECRET_KEY_BYTES) {
    return `must be ${WEBHOOK_SECRET_KEY_BYTES} bytes in base64 (e.g. the output of \`openssl rand -base64 32\`)`;
  }
  return null;
}

/**
 * Whoever knows the secret can sign in as anyone, so a short one (guessable offline from one
 * token) or one printed in an example never starts a server; tests may use anything. Unset, a
 * development server makes up its own (sign-ins then end at each restart).
 */
function tokenSecretProblem(nodeEnv: string, secret: string | undefined): string | null {
  if (nodeEnv === 'test') return null;
  if (secret === undefined) {
    return nodeEnv === 'production'
      ? 'must be set in production (e.g. the output of `openssl rand -hex 32`)'
      : null;
  }
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes (e.g. the output of \`openssl rand -hex 32\`)`;
  }
  if (PUBLISHED_EXAMPLE_SECRETS.has(secret)) {
    return 'is an example value published with Switchboard; set your own (e.g. `openssl rand -hex 32`)';
  }
  return null;
}

export type Environment = z.infer<typeof environmentSchema>;

export class InvalidConfigurationError extends Error {
  override readonly name = 'InvalidConfigurationError';
}

/** Parses the environment; on failure the error message is one line naming each bad variable. */
export function parseEnvironment(env: Record<string, string | undefined>): Environment {
  const result = environmentSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const given = env[variable];
    const shown =
      given === undefined
        ? 'not set'
        : SECRET_VARIABLES.has(variable)
          ? 'value hidden'
          : `got "${given.slice(0, 40)}"`;
    return `${variable} ${issue.message} (${shown})`;
  });
  throw new InvalidConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
}
