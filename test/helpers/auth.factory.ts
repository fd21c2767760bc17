import { randomInt } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig, toE164 } from '@app/core';
import { SealedMessageBodies } from '@app/messaging/model/sealed-message-body';

/**
 * A valid phone number no other test uses: a random US number (nothing is ever really sent, the
 * console provider or the fake Twilio answers).
 */
export function uniquePhone(): string {
  for (;;) {
    const candidate = toE164(
      `+1415${randomInt(200, 1000)}${randomInt(0, 10_000).toString().padStart(4, '0')}`,
    );
    if (candidate) return candidate;
  }
}

/**
 * A caller address of its own (the API trusts X-Forwarded-For from loopback), so that tests do not
 * share the per-IP code limit.
 */
export function uniqueIp(): string {
  return `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

const CODE_IN_TEXT = /Your Switchboard code is (\d{6})\./;

/**
 * The code of the last sign-in SMS stored for a phone, opened from its sealed text exactly as the
 * worker would (tests without a worker read it there; once sent, it is gone).
 */
export async function lastCodeSentTo(app: INestApplication, phone: string): Promise<string> {
  const rows: { sealed_body: string | null }[] = await app
    .get(DataSource)
    .query(
      `SELECT sealed_body FROM messages WHERE to_number = $1 AND account_id IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
      [phone],
    );
  const code = codeOfSealedText(rows[0]?.sealed_body ?? null, phone);
  if (!code) throw new Error(`No sign-in code was stored for ${phone}`);
  return code;
}

/** The code in a sealed sign-in text (as stored in messages.sealed_body) to `phone`. */
export function codeOfSealedText(sealed: string | null, phone: string): string | undefined {
  if (sealed === null) return undefined;
  const sealedBodies = new SealedMessageBodies(AppConfig.from(process.env));
  return codeOfText(sealedBodies.open(sealed, phone) ?? '');
}

export async function codeMessagesTo(app: INestApplication, phone: string): Promise<number> {
  const [{ count }] = await app
    .get(DataSource)
    .query(
      `SELECT count(*)::int AS count FROM messages WHERE to_number = $1 AND account_id IS NULL`,
      [phone],
    );
  return count;
}

export function codeOfText(body: string): string | undefined {
  return body.match(CODE_IN_TEXT)?.[1];
}

export interface SignedInUser {
  phone: string;
  accountId: string;
  accessToken: string;
  refreshToken: string;
  /** Authenticate as this user with its access token. */
  headers: Record<string, string>;
}

/** A phone account, registered and verified through the API as a user would. */
export async function signUpWithPhone(
  app: INestApplication,
  options: { phone?: string; name?: string; password?: string } = {},
): Promise<SignedInUser> {
  const phone = options.phone ?? uniquePhone();
  const ip = uniqueIp();
  await register(app, ip, { phone, name: options.name ?? 'Test user', password: options.password });
  return verifyWithLastCode(app, phone, ip);
}

/** POST /auth/register from `ip`; throws unless it is accepted (202). */
async function register(
  app: INestApplication,
  ip: string,
  body: { phone: string; name: string; password?: string },
): Promise<void> {
  const registered = await request(app.getHttpServer())
    .post('/api/v1/auth/register')
    .set('X-Forwarded-For', ip)
    .send(body);
  if (registered.status !== 202) throw new Error(`register answered ${registered.status}`);
}

/** Asks for a sign-in code for `phone` (from a caller network of its own) and returns it. */
export async function requestCodeFor(app: INestApplication, phone: string): Promise<string> {
  const asked = await request(app.getHttpServer())
    .post('/api/v1/auth/otp')
    .set('X-Forwarded-For', uniqueIp())
    .send({ phone });
  if (asked.status !== 202) throw new Error(`otp answered ${asked.status}`);
  return lastCodeSentTo(app, phone);
}

/** Verifies the last code texted to `phone`. */
export async function verifyWithLastCode(
  app: INestApplication,
  phone: string,
  ip = uniqueIp(),
): Promise<SignedInUser> {
  return verifyCode(app, phone, await lastCodeSentTo(app, phone), ip);
}

async function verifyCode(
  app: INestApplication,
  phone: string,
  code: string,
  ip: string,
): Promise<SignedInUser> {
  const verified = await request(app.getHttpServer())
    .post('/api/v1/auth/verify')
    .set('X-Forwarded-For', ip)
    .send({ phone, code });
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`);
  return {
    phone,
    accountId: verified.body.account.id,
    accessToken: verified.body.accessToken,
    refreshToken: verified.body.refreshToken,
    headers: { Authorization: `Bearer ${verified.body.accessToken}` },
  };
}

/**
 * A verified phone user, signed up exactly as a person would: the code is read from the SMS the
 * fake Twilio received (needs a worker running against that fake).
 */
export async function signUpThroughSms(
  app: INestApplication,
  fake: { messagesTo(phone: string): Array<{ body: string }> },
  options: { name: string; phone?: string },
): Promise<SignedInUser> {
  const phone = options.phone ?? uniquePhone();
  const ip = uniqueIp();
  await register(app, ip, { phone, name: options.name });
  const deadline = Date.now() + 10_000;
  let code: string | undefined;
  while (!code && Date.now() < deadline) {
    const texts = fake.messagesTo(phone);
    code = texts.length ? codeOfText(texts[texts.length - 1].body) : undefined;
    if (!code) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!code) throw new Error(`no sign-in code reached ${phone}`);
  return verifyCode(app, phone, code, ip);
}
