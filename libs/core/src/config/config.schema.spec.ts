import { InvalidConfigurationError, parseEnvironment } from './config.schema';

describe('parseEnvironment', () => {
  it('runs on defaults with no variables at all', () => {
    const env = parseEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/switchboard');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.TWILIO_PHONE_NUMBERS).toEqual([]);
    expect(env.TWILIO_ACCOUNT_SID).toBeUndefined();
  });

  it('names the bad variable and its value in one line', () => {
    expect(() => parseEnvironment({ PORT: 'abc' })).toThrow(InvalidConfigurationError);
    try {
      parseEnvironment({ PORT: 'abc' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid configuration: PORT .*\(got "abc"\)$/);
      expect(message).not.toContain('\n');
    }
  });

  it('refuses a database URL that is not PostgreSQL', () => {
    expect(() => parseEnvironment({ DATABASE_URL: 'mysql://localhost/x' })).toThrow(/DATABASE_URL/);
  });

  it('needs a token secret of its own in production', () => {
    expect(() => parseEnvironment({ NODE_ENV: 'production' })).toThrow(/AUTH_TOKEN_SECRET/);
    const secret = 'x'.repeat(32);
    const env = parseEnvironment({ NODE_ENV: 'production', AUTH_TOKEN_SECRET: secret });
    expect(env.AUTH_TOKEN_SECRET).toBe(secret);
  });

  it.each(['production', 'development'])(
    'refuses, in %s, a secret under 32 bytes or an example value, without echoing it',
    (NODE_ENV) => {
      for (const secret of [
        'x'.repeat(31),
        'dev-only-secret-change-me-in-production-0123456789',
        'change-this-secret-before-going-live-0123456789',
      ]) {
        expect(() => parseEnvironment({ NODE_ENV, AUTH_TOKEN_SECRET: secret })).toThrow(
          InvalidConfigurationError,
        );
        try {
          parseEnvironment({ NODE_ENV, AUTH_TOKEN_SECRET: secret });
        } catch (error) {
          expect((error as Error).message).toMatch(/AUTH_TOKEN_SECRET .*\(value hidden\)$/);
          expect((error as Error).message).not.toContain(secret.slice(0, 8));
        }
      }
    },
  );

  it('counts the secret in bytes, and lets tests use any secret', () => {
    expect(() => parseEnvironment({ AUTH_TOKEN_SECRET: 'é'.repeat(16) })).not.toThrow();
    expect(
      parseEnvironment({ NODE_ENV: 'test', AUTH_TOKEN_SECRET: 'short' }).AUTH_TOKEN_SECRET,
    ).toBe('short');
  });

  it('makes up a random secret in development when none is set', () => {
    const first = parseEnvironment({}).AUTH_TOKEN_SECRET;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(parseEnvironment({}).AUTH_TOKEN_SECRET).not.toBe(first);
  });

  it('hides the value of URLs and tokens it refuses', () => {
    try {
      parseEnvironment({ DATABASE_URL: 'mysql://admin:hunter2@db/x', TWILIO_AUTH_TOKEN: 'tok' });
      throw new Error('accepted');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('DATABASE_URL');
      expect(message).not.toContain('hunter2');
    }
  });

  it('prepares the hot statements unless DATABASE_PREPARED_STATEMENTS is false', () => {
    expect(parseEnvironment({}).DATABASE_PREPARED_STATEMENTS).toBe(true);
    expect(
      parseEnvironment({ DATABASE_PREPARED_STATEMENTS: 'false' }).DATABASE_PREPARED_STATEMENTS,
    ).toBe(false);
    expect(() => parseEnvironment({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });

  it('reads TRUST_PROXY as Express expects: a boolean, a hop count or addresses', () => {
    expect(parseEnvironment({}).TRUST_PROXY).toBe('loopback');
    expect(parseEnvironment({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(parseEnvironment({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(parseEnvironment({ TRUST_PROXY: '10.0.0.0/8' }).TRUST_PROXY).toBe('10.0.0.0/8');
  });

  it('needs the Twilio account SID and auth token together', () => {
    expect(() => parseEnvironment({ TWILIO_ACCOUNT_SID: 'AC123' })).toThrow(/TWILIO_AUTH_TOKEN/);
  });

  it('treats empty Twilio variables as not set and splits the number pool', () => {
    const env = parseEnvironment({
      TWILIO_ACCOUNT_SID: '',
      TWILIO_PHONE_NUMBERS: ' +12015550100, +12015550101 ,',
    });
    expect(env.TWILIO_ACCOUNT_SID).toBeUndefined();
    expect(env.TWILIO_PHONE_NUMBERS).toEqual(['+12015550100', '+12015550101']);
  });

  it('reads send limits as whole numbers, empty or "unlimited" being none', () => {
    const defaults = parseEnvironment({});
    expect(defaults.SIGNUP_SEND_LIMIT_PER_MINUTE).toBe(10);
    expect(defaults.SIGNUP_SEND_LIMIT_PER_DAY).toBe(100);
    expect(defaults.OPERATOR_SEND_LIMIT_PER_MINUTE).toBeNull();
    expect(defaults.OPERATOR_SEND_LIMIT_PER_DAY).toBeNull();
    const set = parseEnvironment({
      SIGNUP_SEND_LIMIT_PER_MINUTE: 'unlimited',
      SIGNUP_SEND_LIMIT_PER_DAY: '',
      OPERATOR_SEND_LIMIT_PER_DAY: '5000',
      OPERATOR_SEND_LIMIT_PER_MINUTE: '0',
    });
    expect(set.SIGNUP_SEND_LIMIT_PER_MINUTE).toBeNull();
    expect(set.SIGNUP_SEND_LIMIT_PER_DAY).toBeNull();
    expect(set.OPERATOR_SEND_LIMIT_PER_DAY).toBe(5000);
    expect(set.OPERATOR_SEND_LIMIT_PER_MINUTE).toBe(0);
    expect(() => parseEnvironment({ SIGNUP_SEND_LIMIT_PER_DAY: '-1' })).toThrow(
      /SIGNUP_SEND_LIMIT_PER_DAY/,
    );
    expect(() => parseEnvironment({ OPERATOR_SEND_LIMIT_PER_MINUTE: 'lots' })).toThrow(
      /OPERATOR_SEND_LIMIT_PER_MINUTE/,
    );
  });

  it('reads allowed destination countries as ISO codes, refusing unknown ones', () => {
    expect(parseEnvironment({}).ALLOWED_DESTINATION_COUNTRIES).toEqual([]);
    expect(
      parseEnvironment({ ALLOWED_DESTINATION_COUNTRIES: 'us, gb' }).ALLOWED_DESTINATION_COUNTRIES,
    ).toEqual(['US', 'GB']);
    expect(() => parseEnvironment({ ALLOWED_DESTINATION_COUNTRIES: 'US,XX' })).toThrow(
      /ALLOWED_DESTINATION_COUNTRIES/,
    );
  });

  it('lets self-sign-up be turned off', () => {
    expect(parseEnvironment({}).SIGNUP_ENABLED).toBe(true);
    expect(parseEnvironment({ SIGNUP_ENABLED: 'false' }).SIGNUP_ENABLED).toBe(false);
  });
});
