import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';

const API_VERSION = '2010-04-01';
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/(.+)$/;
const MESSAGE_PATH = /^Messages\/([^/]+)\.json$/;

export type MessageStatus =
  | 'accepted'
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'read'
  | 'canceled';

export interface TwilioError {
  status: number;
  code: number;
  message: string;
}

export interface AutoCallbacks {
  /** Sent in this order, each `delayMs` after the previous one (or after the create). */
  statuses: MessageStatus[];
  delayMs?: number;
}

export interface FakeTwilioOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  accountSid?: string;
  authToken?: string;
  latencyMs?: number;
  autoCallbacks?: AutoCallbacks;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The form-encoded body, parsed (empty for requests without one). */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  receivedAt: Date;
}

export interface FakeMessage {
  sid: string;
  to: string;
  /** null when only a MessagingServiceSid was given, as Twilio answers. */
  from: string | null;
  body: string;
  statusCallback: string | null;
  messagingServiceSid: string | null;
  status: MessageStatus;
  errorCode: number | null;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export interface DuplicateSend {
  to: string;
  body: string;
  count: number;
}

/** What the next Messages.json POSTs do instead of succeeding, queued by the fault helpers. */
type Fault = { kind: 'fail'; error: TwilioError } | { kind: 'drop' };

/** `null` means: close the connection without answering. */
type Reply = { status: number; payload: object } | null;

interface Waiter {
  count: number;
  resolve: (messages: FakeMessage[]) => void;
}

interface HeldWaiter {
  count: number;
  resolve: () => void;
}

/**
 * An in-process stand-in for Twilio's Messages API, faithful enough for the official `twilio` SDK,
 * with fault injection (errors, lost responses, latency) and signed status callbacks. Tests and
 * benchmarks point TWILIO_API_BASE_URL at `baseUrl`.
 */
export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;

  private readonly server: Server;
  private readonly expectedAuthorization: string;
  /** Aborted by close(): cancels delayed responses and callbacks so nothing outlives the fake. */
  private readonly closing = new AbortController();
  private readonly recordedRequests: RecordedRequest[] = [];
  private readonly acceptedMessages: FakeMessage[] = [];
  private readonly messagesBySid = new Map<string, FakeMessage>();
  private readonly faults: Fault[] = [];
  private waiters: Waiter[] = [];
  private latencyMs: number;
  private autoCallbacks: AutoCallbacks | undefined;
  private url = '';
  private failedCallbacks = 0;
  private requestsInFlight = 0;
  private peakRequestsInFlight = 0;
  /** While set, answers wait in `heldAnswers` until releaseRequests() (see holdRequests). */
  private holding = false;
  private heldAnswers: Array<() => void> = [];
  private heldWaiters: HeldWaiter[] = [];

  private constructor(options: FakeTwilioOptions) {
    this.accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.expectedAuthorization = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    this.latencyMs = options.latencyMs ?? 0;
    this.autoCallbacks = options.autoCallbacks;
    this.server = createServer((req, res) => this.receive(req, res));
    // Every delayed response listens to it (setLatency), many at once under load.
    setMaxListeners(0, this.closing.signal);
  }

  static async start(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
    const fake = new FakeTwilio(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** Where the SDK's `https://api.twilio.com` goes, e.g. `http://127.0.0.1:4010`. */
  get baseUrl(): string {
    return this.url;
  }

  /** Every request received, in order, including rejected ones. */
  get requests(): readonly RecordedRequest[] {
    return this.recordedRequests;
  }

  /** Every message Twilio accepted, in order, including those whose response was dropped. */
  get messages(): readonly FakeMessage[] {
    return this.acceptedMessages;
  }

  /** The most requests that were in progress at once (received, not yet answered) since reset(). */
  get mostRequestsInFlight(): number {
    return this.peakRequestsInFlight;
  }

  /** Automatic status callbacks that could not be posted or were answered with a non-2xx status. */
  get callbackErrors(): number {
    return this.failedCallbacks;
  }

  /** The next `count` valid message creates answer with `error` (Twilio's error body). */
  failNext(count: number, error: TwilioError): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'fail', error });
  }

  /** The next `count` valid message creates are accepted, then the connection is closed unanswered. */
  dropNext(count: number): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'drop' });
  }

  /** Delays every response by `ms` (the message is accepted on arrival, before the delay). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  setAutoCallbacks(autoCallbacks: AutoCallbacks | undefined): void {
    this.autoCallbacks = autoCallbacks;
  }

  /**
   * From now on every request is handled on arrival (a message is accepted) but stays unanswered,
   * in flight, until releaseRequests(). What a client keeps in flight can then be counted while it
   * stands still, however fast or slow the machine is.
   */
  holdRequests(): void {
    this.holding = true;
  }

  /** Answers every held request, in arrival order, and stops holding new ones. */
  releaseRequests(): void {
    this.holding = false;
    const held = this.heldAnswers;
    this.heldAnswers = [];
    for (const answer of held) answer();
  }

  /** Requests received while holding and not answered yet. */
  get requestsHeld(): number {
    return this.heldAnswers.length;
  }

  /** Resolves once at least `count` requests are held (see holdRequests). */
  waitForHeldRequests(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.heldAnswers.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: HeldWaiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.heldWaiters = this.heldWaiters.filter((other) => other !== waiter);
        reject(
          new Error(
            `FakeTwilio: expected ${count} held request(s) within ${timeoutMs} ms, ` +
              `but ${this.heldAnswers.length} are held`,
          ),
        );
      }, timeoutMs);
      this.heldWaiters.push(waiter);
    });
  }

  /**
   * Forgets queued faults, latency, recorded requests, messages, callback errors and the peak in
   * flight; answers the held requests and stops holding.
   */
  reset(): void {
    this.releaseRequests();
    this.faults.length = 0;
    this.latencyMs = 0;
    this.recordedRequests.length = 0;
    this.acceptedMessages.length = 0;
    this.messagesBySid.clear();
    this.failedCallbacks = 0;
    this.peakRequestsInFlight = this.requestsInFlight;
  }

  /** Resolves with the accepted messages once there are at least `count`. */
  waitForMessages(count: number, timeoutMs = 10_000): Promise<FakeMessage[]> {
    if (this.acceptedMessages.length >= count) return Promise.resolve([...this.acceptedMessages]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve: (messages) => {
          clearTimeout(timer);
          resolve(messages);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(
          new Error(
            `FakeTwilio: expected ${count} message(s) within ${timeoutMs} ms, ` +
              `but ${this.acceptedMessages.length} arrived`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  messagesTo(phone: string): FakeMessage[] {
    return this.acceptedMessages.filter((message) => message.to === phone);
  }

  /** The (to, body) pairs accepted more than once: duplicate sends, e.g. after a lost response. */
  duplicateBodies(): DuplicateSend[] {
    const counts = new Map<string, DuplicateSend>();
    for (const { to, body } of this.acceptedMessages) {
      const key = `${to}\u0000${body}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { to, body, count: 1 });
    }
    return [...counts.values()].filter((entry) => entry.count > 1);
  }

  /**
   * Moves the message to `status` and POSTs Twilio's signed status callback to its StatusCallback
   * URL. Resolves with the HTTP status the callback answered; rejects if it could not be posted.
   */
  async sendStatusCallback(
    sid: string,
    status: MessageStatus,
    options: { errorCode?: number } = {},
  ): Promise<number> {
    const message = this.messagesBySid.get(sid);
    if (!message) throw new Error(`FakeTwilio: no message ${sid}`);
    if (!message.statusCallback)
      throw new Error(`FakeTwilio: message ${sid} has no StatusCallback`);

    const now = new Date();
    message.status = status;
    message.dateUpdated = now;
    if (status === 'sent') message.dateSent = now;
    if (options.errorCode !== undefined) message.errorCode = options.errorCode;

    const params: Record<string, string> = {
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      AccountSid: this.accountSid,
      To: message.to,
      ApiVersion: API_VERSION,
    };
    if (message.from !== null) params.From = message.from;
    if (message.messagingServiceSid !== null) {
      params.MessagingServiceSid = message.messagingServiceSid;
    }
    if (options.errorCode !== undefined) params.ErrorCode = String(options.errorCode);

    const response = await fetch(message.statusCallback, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'TwilioProxy/1.1',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(
          this.authToken,
          message.statusCallback,
          params,
        ),
        'I-Twilio-Idempotency-Token': randomUUID(),
      },
      body: new URLSearchParams(params).toString(),
      signal: this.closing.signal,
    });
    // Drain the body so that the keep-alive connection is reused rather than leaked.
    await response.arrayBuffer();
    return response.status;
  }

  /** Stops listening and closes every connection, keep-alive ones included, so Jest can exit. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    // closeAllConnections() below ends them; nothing is left to answer.
    this.heldAnswers = [];
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    this.server.closeAllConnections();
    await closed;
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    this.requestsInFlight++;
    this.peakRequestsInFlight = Math.max(this.peakRequestsInFlight, this.requestsInFlight);
    res.once('close', () => this.requestsInFlight--);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => this.answer(res, this.handle(req, body)));
  }

  private handle(req: IncomingMessage, body: string): Reply {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const params = body ? Object.fromEntries(new URLSearchParams(body)) : {};
    this.recordedRequests.push({
      method,
      path,
      params,
      headers: req.headers,
      receivedAt: new Date(),
    });

    const match = ACCOUNT_PATH.exec(path);
    if (!match) return notFound(path);
    const [, pathSid, resource] = match;
    // Twilio authenticates before anything else, and a key only opens its own account.
    if (req.headers.authorization !== this.expectedAuthorization || pathSid !== this.accountSid) {
      return twilioError({ status: 401, code: 20003, message: 'Authenticate' });
    }

    if (resource === 'Messages.json') {
      if (method !== 'POST') {
        return twilioError({ status: 405, code: 20004, message: 'Method not allowed' });
      }
      return this.createMessage(params);
    }
    const messageSid = MESSAGE_PATH.exec(resource)?.[1];
    const message = messageSid === undefined ? undefined : this.messagesBySid.get(messageSid);
    if (method !== 'GET' || !message) return notFound(path);
    return { status: 200, payload: this.toResource(message) };
  }

  private createMessage(params: Record<string, string>): Reply {
    const { To: to, From: from, Body: body } = params;
    const messagingServiceSid = params.MessagingServiceSid || null;
    if (!to) {
      return twilioError({ status: 400, code: 21604, message: "A 'To' phone number is required." });
    }
    if (!body)
      return twilioError({ status: 400, code: 21602, message: 'Message body is required.' });
    if (!from && !messagingServiceSid) {
      return twilioError({
        status: 400,
        code: 21603,
        message: "A 'From' phone number is required.",
      });
    }

    // Faults apply to well-formed creates only: a malformed one is the client's bug, not a fault.
    const fault = this.faults.shift();
    if (fault?.kind === 'fail') return twilioError(fault.error);

    const now = new Date();
    const message: FakeMessage = {
      sid: `SM${randomUUID().replaceAll('-', '')}`,
      to,
      from: from || null,
      body,
      statusCallback: params.StatusCallback || null,
      messagingServiceSid,
      status: 'queued',
      errorCode: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    this.accept(message);
    // A dropped response still means Twilio accepted (and will send) the message.
    return fault?.kind === 'drop' ? null : { status: 201, payload: this.toResource(message) };
  }

  private accept(message: FakeMessage): void {
    this.acceptedMessages.push(message);
    this.messagesBySid.set(message.sid, message);
    if (this.waiters.length) {
      const total = this.acceptedMessages.length;
      const ready = this.waiters.filter((waiter) => waiter.count <= total);
      this.waiters = this.waiters.filter((waiter) => waiter.count > total);
      for (const waiter of ready) waiter.resolve([...this.acceptedMessages]);
    }
    if (this.autoCallbacks && message.statusCallback) {
      void this.runAutoCallbacks(message.sid, this.autoCallbacks);
    }
  }

  private async runAutoCallbacks(sid: string, { statuses, delayMs = 0 }: AutoCallbacks) {
    const { signal } = this.closing;
    for (const status of statuses) {
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      // reset() may have forgotten the message meanwhile; close() ends the sequence.
      if (signal.aborted || !this.messagesBySid.has(sid)) return;
      try {
        const answered = await this.sendStatusCallback(sid, status);
        if (answered < 200 || answered >= 300) this.failedCallbacks++;
      } catch {
        if (!signal.aborted) this.failedCallbacks++;
      }
    }
  }

  private answer(res: ServerResponse, reply: Reply): void {
    if (this.holding) return this.hold(() => this.answer(res, reply));
    if (this.latencyMs <= 0) return write(res, reply);
    sleep(this.latencyMs, undefined, { signal: this.closing.signal }).then(
      () => write(res, reply),
      // Closed while waiting: closeAllConnections() already ended this request.
      () => undefined,
    );
  }

  private hold(answer: () => void): void {
    this.heldAnswers.push(answer);
    const total = this.heldAnswers.length;
    const ready = this.heldWaiters.filter((waiter) => waiter.count <= total);
    this.heldWaiters = this.heldWaiters.filter((waiter) => waiter.count > total);
    for (const waiter of ready) waiter.resolve();
  }

  private toResource(message: FakeMessage): object {
    const uri = `/${API_VERSION}/Accounts/${this.accountSid}/Messages/${message.sid}`;
    return {
      account_sid: this.accountSid,
      api_version: API_VERSION,
      body: message.body,
      date_created: rfc2822(message.dateCreated),
      date_sent: message.dateSent && rfc2822(message.dateSent),
      date_updated: rfc2822(message.dateUpdated),
      direction: 'outbound-api',
      error_code: message.errorCode,
      error_message: null,
      from: message.from,
      messaging_service_sid: message.messagingServiceSid,
      num_media: '0',
      num_segments: String(segmentsOf(message.body)),
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: message.status,
      subresource_uris: { media: `${uri}/Media.json` },
      to: message.to,
      uri: `${uri}.json`,
    };
  }
}

function write(res: ServerResponse, reply: Reply): void {
  // The client went away meanwhile (a held or delayed request of a killed process).
  if (res.destroyed) return;
  if (reply === null) {
    res.socket?.destroy();
    return;
  }
  const json = JSON.stringify(reply.payload);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

function twilioError({ status, code, message }: TwilioError): Reply {
  return {
    status,
    payload: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

function notFound(path: string): Reply {
  return twilioError({
    status: 404,
    code: 20404,
    message: `The requested resource ${path} was not found`,
  });
}

/** Twilio's date format: `Tue, 09 Jan 2024 12:00:00 +0000`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('\f^{}\\[~]|€');

/** Segments as Twilio counts them: GSM-7 (160, or 153 per part) unless a character forces UCS-2. */
function segmentsOf(body: string): number {
  let septets = 0;
  for (const char of body) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}
