import { ArgumentsHost, BadRequestException, HttpStatus, Logger } from '@nestjs/common';
import { AppException } from './app.exception';
import { ProblemDetailsFilter } from './problem-details.filter';

function capture(exception: unknown) {
  const sent: { status?: number; headers?: Record<string, string>; type?: string; body?: unknown } =
    {};
  const response = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    set(headers: Record<string, string>) {
      sent.headers = headers;
      return this;
    },
    type(type: string) {
      sent.type = type;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const request = { originalUrl: '/api/v1/things?x=1', id: 'req-1' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return sent;
}

describe('ProblemDetailsFilter', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected error with a bare 500 that leaks nothing, and logs it once', () => {
    const sent = capture(new Error('password=hunter2 at db.query'));
    expect(sent.status).toBe(500);
    expect(sent.type).toBe('application/problem+json');
    expect(sent.body).toEqual({
      type: expect.stringContaining('internal-error'),
      title: 'Internal Server Error',
      status: 500,
      code: 'INTERNAL_ERROR',
      detail: 'An unexpected error occurred.',
      instance: '/api/v1/things',
      requestId: 'req-1',
    });
    expect(JSON.stringify(sent.body)).not.toContain('hunter2');
    expect(Logger.prototype.error).toHaveBeenCalledTimes(1);
  });

  it('never logs the parameters of a failed SQL statement (they may hold secrets)', () => {
    const failed = Object.assign(new Error('duplicate key'), {
      query: 'INSERT INTO messages (body) VALUES ($1)',
      parameters: ['Your Switchboard code is 123456.'],
      code: '23505',
    });
    capture(failed);
    const logged = JSON.stringify((Logger.prototype.error as jest.Mock).mock.calls[0][0]);
    expect(logged).toContain('INSERT INTO messages');
    expect(logged).not.toContain('123456');
  });

  it('keeps the code, extensions and headers of an AppException', () => {
    const sent = capture(
      new AppException(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', 'Slow down.', {
        headers: { 'Retry-After': '30' },
        extensions: { limit: 3 },
      }),
    );
    expect(sent.status).toBe(429);
    expect(sent.headers).toEqual({ 'Retry-After': '30' });
    expect(sent.body).toMatchObject({ code: 'RATE_LIMITED', detail: 'Slow down.', limit: 3 });
  });

  it('gives Nest HTTP exceptions a stable code from their status', () => {
    const sent = capture(new BadRequestException('nope'));
    expect(sent.body).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'nope' });
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After when PostgreSQL cannot be reached', () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const shutdown = Object.assign(
      new Error('terminating connection due to administrator command'),
      {
        code: '57P01',
      },
    );
    const wrapped = Object.assign(new Error('Connection terminated unexpectedly'), {
      query: 'SELECT 1',
      parameters: [],
      driverError: new Error('Connection terminated unexpectedly'),
    });
    for (const error of [refused, shutdown, wrapped, new Error('x', { cause: refused })]) {
      const sent = capture(error);
      expect(sent.status).toBe(503);
      expect(sent.headers).toEqual({ 'Retry-After': '2' });
      expect(sent.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    }
    // A wrong statement is still a 500.
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(capture(unique).status).toBe(500);
  });
});
