import { EventEmitter } from 'node:events';
import {
  BatteryStatus,
  ConnectivityStatus,
  EXTERNAL_EVENT_TYPES,
  ExternalEventType,
  HttpCallError,
  HttpExchange,
  InboxSms,
  LocalMessage,
  OutgoingSms,
  PRIORITY_EXPEDITED,
  ProcessingState,
  RecipientOutcome,
  REPORT_RETRIES,
  Registration,
  SEND_RESULT_GENERIC_FAILURE,
  ServerMessage,
  SimCardSpec,
  WEBHOOK_EVENTS,
  WebhookConfig,
  WebhookDelivery,
  WebhookEvent,
  healthOf,
  importSetting,
  nanoId,
  readRegistration,
  readServerMessage,
  redact,
  smsPartsOf,
  stateOfRecipients,
} from './smsgate-app-model';
import {
  GsonDate,
  appSignature,
  gsonStringify,
  javaDateHash,
  javaStringHash,
  parseGsonDate,
} from './smsgate-gson';
import { OkHttpSseClient, appReconnectDelayMs } from './smsgate-sse-client';

export * from './smsgate-app-model';

export interface SmsGateAppSimulatorOptions {
  /** The API URL as typed into the app, e.g. https://host/api/mobile/v1 (no trailing slash). */
  baseUrl: string;
  /** The "Private Token" typed into the app. */
  privateToken: string;
  /** Sent as the device name; the app sends `<manufacturer>/<product>`. */
  name?: string;
  /** The phone's SIM cards (default: one, +15550000001 on "Simulated Carrier"). */
  simCards?: SimCardSpec[];
  appVersion?: string;
  /** The app's version code (days since 2022-06-15 at build time). */
  releaseId?: number;
  /** A registration kept from an earlier run: the phone starts as already registered. */
  registration?: Registration;
  /** The phone's UTC offset in minutes, which its dates are written in (default: this host's). */
  timeZoneOffsetMinutes?: number;
  /** What happens to each recipient's SMS (default: delivered after 20 + 20 ms). */
  outcome?: (sms: OutgoingSms) => RecipientOutcome | Promise<RecipientOutcome>;
  /** false: pull and "send" but never PATCH a state (a phone that goes quiet). */
  reportStates?: boolean;
  /** The periodic pull (the app: 15 minutes). */
  pullIntervalMs?: number;
  /** Delay before the n-th retry of a failed call (the app: WorkManager, 10 s doubling). */
  retryDelayMs?: (attempt: number) => number;
  /** Delay before the n-th retry of a webhook (the app: 5 s doubling, up to retry_count). */
  webhookRetryDelayMs?: (attempt: number) => number;
  sseReconnectDelayMs?: (attempt: number) => number;
  /**
   * The app asks its user to restart when `/settings` changes something; true acts on that at
   * once (the ping interval is read at start only).
   */
  restartOnSettingsChange?: boolean;
  /**
   * The app's Local server is on too: at start it asks `GET /device` (with the device token
   * when it has one, else no Authorization) for the phone's public IP.
   */
  localServerEnabled?: boolean;
  battery?: Partial<BatteryStatus>;
  connectivity?: Partial<ConnectivityStatus>;
  /** How many entries `calls`, `radioLog`, `reports`, `inbox` and `webhookLog` keep (default all). */
  recordLimit?: number;
}

/**
 * Plays the SMS Gateway for Android app (v1.68.0) in its "Cloud server" mode against any server
 * that speaks its mobile API, for tests and for users without a phone (docs/android.md). It
 * knows nothing of Switchboard's code: the app's source is its only contract.
 *
 * What it does, as the app does it:
 * - start: a registered phone PATCHes `/device`; an unregistered one (or one whose PATCH is
 *   refused with 401) POSTs `/device` with `Authorization: Bearer <private token>`. With no push
 *   token ("SSE only"), a registration opens `GET /events`.
 * - the app's start-up workers (pull messages, fetch `/webhooks`, fetch `/settings`) run once at
 *   start *with the registration they find then*: on a first start they find none, so a freshly
 *   registered phone fetches its webhooks and settings only when the server sends
 *   `WebhooksUpdated` / `SettingsUpdated`, or at its next start (or its 24-hour timer).
 * - pulls `GET /message?order=lifo|fifo` when the stream opens, on `MessageEnqueued`, on each
 *   ping, and every 15 minutes; a message it already has is re-reported, never sent twice.
 * - sends one message at a time (priority, then order), honours `scheduleAt`, fails an expired
 *   `validUntil` with "TTL expired", and reports every state change with `PATCH /message`
 *   (recipient states, the overall state, the `states` map of first times), retried on error.
 * - cancels on `MessageCancelled` or a pulled `Cancelling` message (only while still pending).
 * - posts signed webhooks (`X-Signature` = hex HMAC-SHA256 of body + `X-Timestamp`, keyed with
 *   `webhooks.signing_key` from `/settings`) for `sms:received`, `system:ping`, `sms:sent`,
 *   `sms:delivered`, `sms:failed`, `sms:cancelled` and `app:started`, to the URLs `/webhooks`
 *   listed for each event.
 */
export class SmsGateAppSimulator extends EventEmitter {
  readonly baseUrl: string;
  readonly userAgent: string;
  /** Every call the app made to the mobile API (not the SSE stream, not webhooks). */
  readonly calls: HttpExchange[] = [];
  /** Every webhook attempt, with the exact bytes and headers. */
  readonly webhookLog: WebhookDelivery[] = [];
  /** Every SMS the radio was asked to send (one per recipient): a double send shows here. */
  readonly radioLog: OutgoingSms[] = [];
  /** The PATCH /message bodies as sent. */
  readonly reports: string[] = [];
  readonly inbox: InboxSms[] = [];
  readonly messages = new Map<string, LocalMessage>();

  private registrationInfo: Registration | null;
  private webhooks: WebhookConfig[] = [];
  private readonly storage = new Map<string, unknown>();
  private readonly simCards: SimCardSpec[];
  private readonly offsetMinutes: number;
  private sse: OkHttpSseClient | null = null;
  private sseOpen = false;
  private running = false;
  private pullTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pulling: Promise<void> | null = null;
  private pullAgain = false;
  private sending: Promise<void> | null = null;
  private sendAgain = false;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private reportChain: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextRowId = 1;
  private battery: BatteryStatus;
  private connectivity: ConnectivityStatus;
  private readonly receivedIds = new Set<string>();

  constructor(private readonly options: SmsGateAppSimulatorOptions) {
    super();
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.userAgent = `me.capcom.smsgateway/${options.appVersion ?? '1.68.0'}`;
    this.registrationInfo = options.registration ?? null;
    this.simCards = options.simCards ?? [
      {
        slotIndex: 0,
        phoneNumber: '+15550000001',
        carrierName: 'Simulated Carrier',
        iccid: '8901260000000000001',
      },
    ];
    this.offsetMinutes = options.timeZoneOffsetMinutes ?? -new Date().getTimezoneOffset();
    this.battery = { level: 80, plugged: 'none', charging: false, ...options.battery };
    this.connectivity = {
      online: true,
      transports: ['wifi'],
      cellular: 'None',
      ...options.connectivity,
    };
    // An EventEmitter without an 'error' listener throws; the app only logs.
    this.on('error', () => undefined);
  }

  // region Lifecycle

  get registration(): Registration | null {
    return this.registrationInfo;
  }

  get sseConnected(): boolean {
    return this.sseOpen;
  }

  /** The webhooks the phone holds (from `GET /webhooks`). */
  get webhookConfigs(): ReadonlyArray<{ id: string; url: string; event: WebhookEvent }> {
    return this.webhooks;
  }

  /** A setting as the app stored it from `GET /settings`, e.g. `webhooks.signing_key`. */
  setting(key: string): unknown {
    return this.storage.get(key);
  }

  /** The key the phone signs webhooks with: the server's, or one it made up (as the app does). */
  get signingKey(): string {
    let key = this.storage.get('webhooks.signing_key') as string | undefined;
    if (!key) {
      key = nanoId(8);
      this.storage.set('webhooks.signing_key', key);
    }
    return key;
  }

  get processingOrder(): 'lifo' | 'fifo' {
    return this.storage.get('messages.processing_order') === 'FIFO' ? 'fifo' : 'lifo';
  }

  /**
   * The app's start: register (or update), then its start-up workers with the registration they
   * find at that moment. Resolves once registered (and, when SSE starts, once it is asked to
   * connect). Throws (and stops) when registration fails, as the app shows "Failed to register
   * device"; start() may be called again.
   */
  async start(): Promise<Registration> {
    if (this.running) throw new Error('already started');
    this.running = true;
    const registeredBefore = this.registrationInfo !== null;

    void this.emitWebhook('app:started', { simCards: this.simCardsPayload(false) });
    this.startPing();
    if (this.options.localServerEnabled) void this.safely(() => this.fetchPublicIp());

    const startupWork = registeredBefore
      ? [this.safely(() => this.syncWebhooks()), this.safely(() => this.syncSettings())]
      : [];
    if (registeredBefore) this.requestPull();
    this.schedulePeriodicPull();

    let registration: Registration;
    try {
      registration = await this.registerOrUpdate();
    } catch (error) {
      // The app's RegistrationWorker would retry with backoff; here the caller decides.
      await this.stop();
      throw error;
    }
    await Promise.all(startupWork);
    // DeviceRegisteredEvent with no push token: the SSE foreground service starts.
    this.startSse();
    return registration;
  }

  /** The app's "Offline": stops the stream, timers and workers. Local messages are kept. */
  async stop(): Promise<void> {
    this.running = false;
    this.sse?.disconnect();
    this.sse = null;
    this.sseOpen = false;
    for (const timer of [this.pullTimer, this.pingTimer, this.scheduleTimer, ...this.timers]) {
      if (timer) clearTimeout(timer);
    }
    this.timers.clear();
    this.pullTimer = this.pingTimer = this.scheduleTimer = null;
    await Promise.allSettled([this.pulling, this.sending, this.reportChain]);
  }

  async restart(): Promise<Registration> {
    await this.stop();
    return this.start();
  }

  private async registerOrUpdate(): Promise<Registration> {
    const current = this.registrationInfo;
    if (current) {
      try {
        await this.call('PATCH', '/device', current.token, {
          id: current.id,
          pushToken: null,
          simCards: this.simCardsPayload(true),
        });
        this.emit('registered', current);
        return current;
      } catch (error) {
        if (!(error instanceof HttpCallError) || error.status !== 401) throw error;
      }
    }
    const body = await this.call('POST', '/device', this.options.privateToken, {
      name: this.options.name ?? 'Simulated/smsgate_sim',
      pushToken: null,
      simCards: this.simCardsPayload(true),
    });
    const registration = readRegistration(body);
    this.registrationInfo = registration;
    this.emit('registered', registration);
    return registration;
  }

  private simCardsPayload(redacted: boolean) {
    return this.simCards.map((sim) => ({
      slotIndex: sim.slotIndex,
      simNumber: sim.slotIndex + 1,
      phoneNumber: redacted ? redact(sim.phoneNumber) : (sim.phoneNumber ?? null),
      carrierName: redacted ? redact(sim.carrierName) : (sim.carrierName ?? null),
      iccid: redacted ? redact(sim.iccid) : (sim.iccid ?? null),
    }));
  }

  // endregion

  // region HTTP

  private async call(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    token: string | null,
    body?: unknown,
  ): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      'user-agent': this.userAgent,
      accept: 'application/json',
      'accept-charset': 'UTF-8',
      'accept-encoding': 'gzip',
    };
    const text = body === undefined ? null : gsonStringify(body);
    if (text !== null) headers['content-type'] = 'application/json';
    const exchange: HttpExchange = { method, url, headers, body: text, status: null };
    this.record(this.calls, exchange);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: text ?? undefined });
    } catch (error) {
      exchange.error = (error as Error).message;
      throw new HttpCallError(`${method} ${path}: ${(error as Error).message}`, null);
    }
    exchange.status = response.status;
    const responseText = await response.text();
    // Ktor's expectSuccess: any non-2xx throws.
    if (response.status < 200 || response.status > 299) {
      throw new HttpCallError(
        `${method} ${path} answered ${response.status}: ${responseText.slice(0, 200)}`,
        response.status,
      );
    }
    if (method === 'PATCH') return undefined;
    // ContentNegotiation only turns application/json into objects; anything else fails body().
    const contentType = (response.headers.get('content-type') ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (contentType !== 'application/json') {
      throw new HttpCallError(
        `${method} ${path}: Content-Type "${contentType}" is not application/json`,
        response.status,
      );
    }
    try {
      return JSON.parse(responseText) as unknown;
    } catch {
      throw new HttpCallError(`${method} ${path}: the body is not JSON`, response.status);
    }
  }

  /** GatewayService.getPublicIP: `GET /device`, read for its `externalIp`. */
  async fetchPublicIp(): Promise<string> {
    const body = (await this.call('GET', '/device', this.token)) as { externalIp?: unknown } | null;
    if (typeof body?.externalIp !== 'string') {
      throw new Error('GET /device: "externalIp" must be a string');
    }
    this.emit('public-ip', body.externalIp);
    return body.externalIp;
  }

  private get token(): string | null {
    return this.registrationInfo?.token ?? null;
  }

  private async safely(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.emit('error', error);
    }
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running) work();
    }, ms);
    this.timers.add(timer);
  }

  private record<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > (this.options.recordLimit ?? Infinity)) list.shift();
  }

  private retryDelay(attempt: number): number {
    return (this.options.retryDelayMs ?? ((n) => 10_000 * 2 ** (n - 1)))(attempt);
  }

  // endregion

  // region Settings and webhooks

  /** The SettingsUpdateWorker: `GET /settings`, applied section by section like the app. */
  async syncSettings(): Promise<void> {
    const token = this.token;
    if (!token) return;
    const body = await this.call('GET', '/settings', token);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new Error('GET /settings: the answer is not a JSON object');
    }
    let changed = false;
    for (const [section, values] of Object.entries(body as Record<string, unknown>)) {
      if (!['encryption', 'gateway', 'messages', 'ping', 'logs', 'webhooks'].includes(section))
        continue;
      if (values === null || typeof values !== 'object' || Array.isArray(values)) {
        throw new Error(`GET /settings: "${section}" is not an object`);
      }
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        changed = importSetting(this.storage, section, key, value) || changed;
      }
    }
    this.emit('settings', Object.fromEntries(this.storage));
    if (changed && this.options.restartOnSettingsChange && this.running) {
      this.startPing();
    }
  }

  /** The WebhooksUpdateWorker: `GET /webhooks` replaces the phone's cloud webhooks. */
  async syncWebhooks(): Promise<void> {
    const token = this.token;
    if (!token) {
      this.webhooks = [];
      return;
    }
    const body = await this.call('GET', '/webhooks', token);
    if (!Array.isArray(body)) throw new Error('GET /webhooks: the answer is not a JSON array');
    this.webhooks = body.map((item: unknown, index) => {
      const hook = item as Record<string, unknown> | null;
      if (!hook || typeof hook.id !== 'string' || typeof hook.url !== 'string') {
        throw new Error(`GET /webhooks: item ${index} needs string "id" and "url"`);
      }
      if (!WEBHOOK_EVENTS.includes(hook.event as WebhookEvent)) {
        throw new Error(
          `GET /webhooks: item ${index} has an unknown event ${JSON.stringify(hook.event)}`,
        );
      }
      return { id: hook.id, url: hook.url, event: hook.event as WebhookEvent };
    });
    this.emit('webhooks', this.webhooks);
  }

  // endregion

  // region SSE

  private startSse(): void {
    const token = this.token;
    if (!token || !this.running) return;
    this.sse?.disconnect();
    this.sse = new OkHttpSseClient(
      {
        url: `${this.baseUrl}/events`,
        token,
        reconnectDelayMs: this.options.sseReconnectDelayMs ?? appReconnectDelayMs,
      },
      {
        onOpen: () => {
          this.sseOpen = true;
          this.emit('sse:open');
          this.requestPull();
        },
        onEvent: (type, data) => {
          this.emit('sse:event', type, data);
          this.routeEvent(type, data);
        },
        onFailure: (error, status) => {
          this.sseOpen = false;
          this.emit('sse:failure', error, status);
        },
        onClosed: () => {
          this.sseOpen = false;
          this.emit('sse:closed');
        },
      },
    );
    this.sse.connect();
  }

  private routeEvent(name: string | null, data: string): void {
    const type = (name ?? 'MessageEnqueued') as ExternalEventType;
    if (!EXTERNAL_EVENT_TYPES.includes(type)) {
      this.emit('error', new Error(`Unknown event type: ${name}`));
      return;
    }
    switch (type) {
      case 'MessageEnqueued':
        this.requestPull();
        return;
      case 'WebhooksUpdated':
        void this.safely(() => this.syncWebhooks());
        return;
      case 'SettingsUpdated':
        void this.safely(() => this.syncSettings());
        return;
      case 'MessageCancelled': {
        let messageId: unknown;
        try {
          messageId = (JSON.parse(data) as { messageId?: unknown } | null)?.messageId;
        } catch {
          messageId = undefined;
        }
        if (typeof messageId !== 'string') {
          this.emit('error', new Error(`MessageCancelled without a messageId: ${data}`));
          return;
        }
        this.cancelLocal(messageId);
        return;
      }
      case 'MessagesExportRequested':
        this.exportInbox(data);
        return;
    }
  }

  private exportInbox(data: string): void {
    try {
      const payload = JSON.parse(data) as {
        since?: unknown;
        until?: unknown;
        triggerWebhooks?: unknown;
      };
      const since = parseGsonDate(payload.since, 'since');
      const until = parseGsonDate(payload.until, 'until');
      if (!since || !until) throw new Error('since and until are required');
      const trigger =
        payload.triggerWebhooks === undefined || payload.triggerWebhooks === null
          ? true
          : String(payload.triggerWebhooks) === 'true';
      if (!trigger) return;
      for (const sms of this.inbox) {
        if (sms.receivedAt >= since && sms.receivedAt <= until) this.emitReceived(sms);
      }
    } catch (error) {
      this.emit('error', error);
    }
  }

  // endregion

  // region Messages: pull

  /** PullMessagesWorker.start: pull now (REPLACE); calls made meanwhile run one more pull. */
  requestPull(): void {
    if (!this.running) return;
    this.schedulePeriodicPull();
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = this.pullLoop().finally(() => {
      this.pulling = null;
    });
  }

  /** Pulls now and resolves when that pull (and the one it may have queued) is done. */
  async pullNow(): Promise<void> {
    this.requestPull();
    while (this.pulling) await this.pulling;
  }

  private schedulePeriodicPull(): void {
    if (this.pullTimer) clearTimeout(this.pullTimer);
    this.pullTimer = setTimeout(
      () => this.requestPull(),
      this.options.pullIntervalMs ?? 15 * 60_000,
    );
  }

  private async pullLoop(attempt = 1): Promise<void> {
    do {
      this.pullAgain = false;
      try {
        await this.pullOnce();
      } catch (error) {
        this.emit('error', error);
        this.later(this.retryDelay(attempt), () => {
          if (!this.pulling) {
            this.pulling = this.pullLoop(attempt + 1).finally(() => {
              this.pulling = null;
            });
          }
        });
        return;
      }
    } while (this.pullAgain && this.running);
  }

  private async pullOnce(): Promise<void> {
    const token = this.token;
    if (!token) return;
    const body = await this.call('GET', `/message?order=${this.processingOrder}`, token);
    if (!Array.isArray(body)) throw new Error('GET /message: the answer is not a JSON array');
    const messages = body.map((item, index) =>
      readServerMessage(item, index, (error) => this.emit('error', error)),
    );
    this.emit(
      'pulled',
      messages.map((message) => message?.id ?? null),
    );
    for (const message of messages) {
      if (!message) continue;
      try {
        this.processMessage(message);
      } catch (error) {
        this.emit('error', error);
      }
    }
  }

  private processMessage(message: ServerMessage): void {
    switch (message.state) {
      case null:
      case 'Pending':
        break;
      case 'Cancelling': {
        const local = this.messages.get(message.id);
        if (!local) {
          // Not known here: confirm the cancellation at once.
          this.queueReport({
            id: message.id,
            state: 'Cancelled',
            recipients: message.phoneNumbers.map((phoneNumber) => ({
              phoneNumber,
              state: 'Cancelled',
            })),
            states: new Map([['Cancelled', new GsonDate(new Date(), this.offsetMinutes)]]),
          });
          return;
        }
        this.cancelLocal(message.id);
        return;
      }
      default:
        return;
    }
    if (this.messages.has(message.id)) {
      // Already taken: say where it stands, do not send it again.
      this.stateChanged(message.id);
      return;
    }
    const now = new Date();
    const local: LocalMessage = {
      id: message.id,
      rowId: this.nextRowId++,
      text: message.text,
      data: message.data,
      withDeliveryReport: message.withDeliveryReport ?? true,
      simNumber: message.simNumber,
      validUntil: message.validUntil,
      scheduleAt: message.scheduleAt,
      priority: message.priority ?? 0,
      createdAt: message.createdAt ?? now,
      state: 'Pending',
      partsCount: null,
      recipients: message.phoneNumbers.map((phoneNumber) => ({
        phoneNumber,
        state: 'Pending',
        error: null,
      })),
      states: new Map([['Pending', now]]),
    };
    this.messages.set(local.id, local);
    this.emit('message', local);
    this.requestSend();
  }

  // endregion

  // region Messages: send

  private requestSend(): void {
    if (!this.running) return;
    if (this.sending) {
      this.sendAgain = true;
      return;
    }
    this.sending = this.sendLoop().finally(() => {
      this.sending = null;
    });
  }

  private nextPending(now: Date): LocalMessage | null {
    const lifo = this.processingOrder === 'lifo';
    const candidates = [...this.messages.values()].filter(
      (m) => m.state === 'Pending' && (!m.scheduleAt || m.scheduleAt <= now),
    );
    candidates.sort(
      (a, b) =>
        b.priority - a.priority ||
        (lifo
          ? b.createdAt.getTime() - a.createdAt.getTime()
          : a.createdAt.getTime() - b.createdAt.getTime()) ||
        (lifo ? b.rowId - a.rowId : a.rowId - b.rowId),
    );
    return candidates[0] ?? null;
  }

  private async sendLoop(): Promise<void> {
    let previousPriority = -128;
    do {
      this.sendAgain = false;
      for (;;) {
        if (!this.running) return;
        const message = this.nextPending(new Date());
        if (!message) break;
        const sent = await this.sendMessage(message);
        if (!sent) continue;
        if (message.priority >= PRIORITY_EXPEDITED && previousPriority < message.priority) {
          previousPriority = message.priority;
          continue;
        }
        previousPriority = message.priority;
        await this.sendInterval();
      }
    } while (this.sendAgain && this.running);
    this.scheduleNextScheduled();
  }

  private async sendInterval(): Promise<void> {
    const min = (this.storage.get('messages.send_interval_min') as number | undefined) ?? 0;
    const max = this.storage.get('messages.send_interval_max') as number | undefined;
    if (max === undefined || min > max) return;
    const seconds = min + Math.floor(Math.random() * (max - min + 1));
    if (seconds > 0) await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }

  private scheduleNextScheduled(): void {
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleTimer = null;
    const next = [...this.messages.values()]
      .filter((m) => m.state === 'Pending' && m.scheduleAt && m.scheduleAt.getTime() > Date.now())
      .map((m) => m.scheduleAt!.getTime())
      .sort((a, b) => a - b)[0];
    if (next !== undefined && this.running) {
      this.scheduleTimer = setTimeout(() => this.requestSend(), Math.max(0, next - Date.now()));
    }
  }

  /** The app's sendMessage: true when the radio was asked to send. */
  private async sendMessage(message: LocalMessage): Promise<boolean> {
    if (message.validUntil && message.validUntil.getTime() < Date.now()) {
      this.updateState(message.id, null, 'Failed', 'TTL expired');
      return false;
    }
    let simNumber: number | null;
    try {
      simNumber = this.selectSim(message);
    } catch (error) {
      this.updateState(
        message.id,
        null,
        'Failed',
        `Can't send message: ${(error as Error).message}`,
      );
      return false;
    }
    message.partsCount = message.data ? 1 : smsPartsOf(message.text ?? '');
    for (const recipient of [...message.recipients]) {
      if (recipient.state !== 'Pending') continue;
      const sms: OutgoingSms = {
        messageId: message.id,
        phoneNumber: recipient.phoneNumber,
        text: message.text,
        data: message.data,
        simNumber,
        partsCount: message.partsCount,
        withDeliveryReport: message.withDeliveryReport,
      };
      let outcome: RecipientOutcome;
      try {
        outcome = (await this.options.outcome?.(sms)) ?? { result: 'delivered' };
      } catch (error) {
        outcome = { result: 'rejected', error: (error as Error).message };
      }
      if (outcome.result === 'rejected') {
        this.updateState(
          message.id,
          recipient.phoneNumber,
          'Failed',
          `sendSMS: ${outcome.error ?? 'rejected'}`,
        );
        continue;
      }
      this.record(this.radioLog, sms);
      this.emit('radio', sms);
      this.updateState(message.id, recipient.phoneNumber, 'Processed');
      this.radioResult(message, recipient.phoneNumber, outcome);
    }
    return true;
  }

  private selectSim(message: LocalMessage): number | null {
    if (message.simNumber !== null) {
      const slot = message.simNumber - 1;
      if (!this.simCards.some((sim) => sim.slotIndex === slot)) {
        throw new Error(`SIM ${slot + 1} not found`);
      }
      return message.simNumber;
    }
    const slots = this.simCards.map((sim) => sim.slotIndex).sort((a, b) => a - b);
    if (slots.length === 0) throw new Error('No SIMs found');
    const mode = this.storage.get('messages.sim_selection_mode') ?? 'OSDefault';
    if (mode === 'OSDefault') return null;
    const slot =
      mode === 'RoundRobin'
        ? slots[message.rowId % slots.length]
        : slots[Math.floor(Math.random() * slots.length)];
    message.simNumber = slot + 1;
    return message.simNumber;
  }

  /** The radio's sent and delivered broadcasts, some time after the send. */
  private radioResult(message: LocalMessage, phoneNumber: string, outcome: RecipientOutcome): void {
    if (outcome.result === 'silent') return;
    this.later(outcome.sentAfterMs ?? 20, () => {
      if (outcome.result === 'failed') {
        this.updateState(
          message.id,
          phoneNumber,
          'Failed',
          outcome.error ?? SEND_RESULT_GENERIC_FAILURE,
        );
        return;
      }
      this.updateState(message.id, phoneNumber, 'Sent');
      if (!message.withDeliveryReport || outcome.result === 'sent') return;
      this.later(outcome.deliveredAfterMs ?? 20, () => {
        if (outcome.result === 'undelivered') {
          this.updateState(
            message.id,
            phoneNumber,
            'Failed',
            outcome.error ?? 'Delivery result: 1',
          );
        } else {
          this.updateState(message.id, phoneNumber, 'Delivered');
        }
      });
    });
  }

  // endregion

  // region Messages: state

  /** The app's updateState: recipient(s) first (a Failed one never changes), then the message. */
  private updateState(
    id: string,
    phone: string | null,
    state: ProcessingState,
    error: string | null = null,
  ): void {
    const message = this.messages.get(id);
    if (!message) return;
    for (const recipient of message.recipients) {
      if (phone !== null && recipient.phoneNumber !== phone) continue;
      if (recipient.state === 'Failed') continue;
      recipient.state = state;
      recipient.error = error;
    }
    this.syncMessageState(message);
    this.emit('state', message, phone, state);
    this.stateChanged(id);
    this.emitStateWebhooks(
      message,
      phone === null ? message.recipients.map((r) => r.phoneNumber) : [phone],
      state,
      error,
    );
  }

  /** The app's getMessage: the message's state follows its recipients' (Failed sticks). */
  private syncMessageState(message: LocalMessage): void {
    const computed = stateOfRecipients(message.recipients);
    if (computed === message.state) return;
    if (message.state !== 'Failed') message.state = computed;
    if (!message.states.has(computed)) message.states.set(computed, new Date());
  }

  /** MessagesService.cancelMessage: only a pending message is cancelled; others are left. */
  cancelLocal(id: string): void {
    const message = this.messages.get(id);
    if (!message || message.state === 'Cancelled' || message.state !== 'Pending') return;
    message.state = 'Cancelled';
    if (!message.states.has('Cancelled')) message.states.set('Cancelled', new Date());
    for (const recipient of message.recipients) {
      if (recipient.state === 'Failed') continue;
      recipient.state = 'Cancelled';
      recipient.error = null;
    }
    this.emit('state', message, null, 'Cancelled');
    this.stateChanged(id);
    this.emitStateWebhooks(
      message,
      message.recipients.map((r) => r.phoneNumber),
      'Cancelled',
      null,
    );
  }

  /** SendStateWorker.start: report what the message looks like when the report runs. */
  private stateChanged(id: string): void {
    this.queueReport(null, id);
  }

  private queueReport(
    fixed: {
      id: string;
      state: ProcessingState;
      recipients: Array<{ phoneNumber: string; state: ProcessingState }>;
      states: Map<ProcessingState, GsonDate>;
    } | null,
    id?: string,
    attempt = 1,
  ): void {
    if (this.options.reportStates === false) return;
    this.reportChain = this.reportChain.then(async () => {
      const token = this.token;
      if (!token || !this.running) return;
      const patch = fixed ?? this.patchOf(id!);
      if (!patch) return;
      try {
        const body = [patch];
        this.record(this.reports, gsonStringify(body));
        await this.call('PATCH', '/message', token, body);
        this.emit('reported', patch);
      } catch (error) {
        this.emit('error', error);
        if (attempt < REPORT_RETRIES) {
          this.later(this.retryDelay(attempt), () => this.queueReport(fixed, id, attempt + 1));
        }
      }
    });
  }

  /** GatewayApi.MessagePatchRequest, in its field order. */
  private patchOf(id: string) {
    const message = this.messages.get(id);
    if (!message) return null;
    this.syncMessageState(message);
    return {
      id: message.id,
      state: message.state,
      recipients: message.recipients.map((r) => ({
        phoneNumber: r.phoneNumber,
        state: r.state,
        error: r.error,
      })),
      states: new Map(
        [...message.states.entries()].map(([state, at]) => [
          state,
          new GsonDate(at, this.offsetMinutes),
        ]),
      ),
    };
  }

  // endregion

  // region Webhooks out

  /** An SMS arrives at the phone: `sms:received` to every such webhook. Returns first attempts. */
  async receiveSms(
    from: string,
    text: string,
    options: { simNumber?: number; receivedAt?: Date } = {},
  ): Promise<WebhookDelivery[]> {
    const sim =
      options.simNumber === undefined
        ? this.simCards[0]
        : this.simCards.find((card) => card.slotIndex === options.simNumber! - 1);
    if (options.simNumber !== undefined && !sim)
      throw new Error(`no SIM ${options.simNumber} in this phone`);
    // The SMSC's timestamp, which has whole seconds.
    const receivedAt = options.receivedAt ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    const sms: InboxSms = {
      from,
      text,
      receivedAt,
      subscriptionId: sim ? (sim.subscriptionId ?? sim.slotIndex + 1) : null,
    };
    const key = `${this.inboxHash(sms)}`;
    if (this.receivedIds.has(key)) return [];
    this.receivedIds.add(key);
    this.record(this.inbox, sms);
    return this.emitReceived(sms);
  }

  /** InboxMessage.Text.hashCode(), the app's id for a received SMS (as unsigned hex). */
  private inboxHash(sms: InboxSms): number {
    let hash = javaStringHash(sms.from);
    hash = (Math.imul(hash, 31) + javaDateHash(sms.receivedAt)) | 0;
    hash = (Math.imul(hash, 31) + (sms.subscriptionId ?? 0)) | 0;
    return (Math.imul(hash, 31) + javaStringHash(sms.text)) | 0;
  }

  private emitReceived(sms: InboxSms): Promise<WebhookDelivery[]> {
    const sim = this.simCards.find(
      (card) => (card.subscriptionId ?? card.slotIndex + 1) === sms.subscriptionId,
    );
    // SmsEventPayload.SmsReceived: own fields, then MessageEventPayload's.
    return this.emitWebhook('sms:received', {
      message: sms.text,
      receivedAt: new GsonDate(sms.receivedAt, this.offsetMinutes),
      messageId: (this.inboxHash(sms) >>> 0).toString(16),
      sender: sms.from,
      recipient: sim?.phoneNumber ?? null,
      simNumber: sim ? sim.slotIndex + 1 : null,
      phoneNumber: sms.from,
    });
  }

  /** A ping now, with the health the app reports (battery, connectivity, failed messages). */
  ping(): Promise<WebhookDelivery[]> {
    const promise = this.emitWebhook('system:ping', {
      health: healthOf({
        messages: this.messages.values(),
        battery: this.battery,
        connectivity: this.connectivity,
        version: this.userAgent.split('/')[1],
        releaseId: this.options.releaseId ?? 1490,
      }),
    });
    // The gateway module pulls on every ping, too.
    this.requestPull();
    return promise;
  }

  setBattery(battery: Partial<BatteryStatus>): void {
    this.battery = { ...this.battery, ...battery };
  }

  setConnectivity(connectivity: Partial<ConnectivityStatus>): void {
    this.connectivity = { ...this.connectivity, ...connectivity };
  }

  private startPing(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    const seconds = this.storage.get('ping.interval_seconds') as number | undefined;
    if (!seconds || !this.running) return;
    const tick = () => {
      void this.ping();
      this.pingTimer = setTimeout(tick, seconds * 1000);
    };
    tick();
  }

  /** sms:sent / sms:delivered / sms:failed / sms:cancelled, one per recipient. */
  private emitStateWebhooks(
    message: LocalMessage,
    phones: string[],
    state: ProcessingState,
    error: string | null,
  ): void {
    const event = (
      {
        Sent: 'sms:sent',
        Delivered: 'sms:delivered',
        Failed: 'sms:failed',
        Cancelled: 'sms:cancelled',
      } as const
    )[state as 'Sent' | 'Delivered' | 'Failed' | 'Cancelled'];
    if (!event) return;
    const sender =
      message.simNumber !== null
        ? (this.simCards.find((sim) => sim.slotIndex === message.simNumber! - 1)?.phoneNumber ??
          null)
        : null;
    const now = new GsonDate(new Date(), this.offsetMinutes);
    for (const recipient of phones) {
      const own =
        event === 'sms:sent'
          ? { partsCount: message.partsCount ?? -1, sentAt: now }
          : event === 'sms:delivered'
            ? { deliveredAt: now }
            : event === 'sms:failed'
              ? { failedAt: now, reason: error ?? 'Unknown' }
              : { cancelledAt: now };
      void this.emitWebhook(event, {
        ...own,
        messageId: message.id,
        sender,
        recipient,
        simNumber: message.simNumber,
        phoneNumber: recipient,
      });
    }
  }

  /** WebHooksService.emit: one signed POST per webhook registered for the event. */
  private emitWebhook(event: WebhookEvent, payload: unknown): Promise<WebhookDelivery[]> {
    const deviceId = this.registrationInfo?.id;
    if (!deviceId || !this.running) return Promise.resolve([]);
    const hooks = this.webhooks.filter((hook) => hook.event === event);
    return Promise.all(
      hooks.map((hook) => {
        // WebHookEventDTO, in its field order; written once, then re-sent as the same bytes.
        const body = gsonStringify({ id: nanoId(), webhookId: hook.id, event, deviceId, payload });
        return this.postWebhook(event, hook.url, body, 1);
      }),
    );
  }

  private async postWebhook(
    event: WebhookEvent,
    url: string,
    body: string,
    attempt: number,
  ): Promise<WebhookDelivery> {
    // PayloadSigningPlugin: a fresh timestamp (seconds) and signature on every attempt.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: 'application/json',
      'accept-charset': 'UTF-8',
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': appSignature(this.signingKey, body, timestamp),
    };
    const delivery: WebhookDelivery = { event, url, attempt, headers, body, status: null };
    this.record(this.webhookLog, delivery);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      });
      delivery.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    this.emit('webhook', delivery);
    const ok = delivery.status !== null && delivery.status >= 200 && delivery.status <= 299;
    const retries = (this.storage.get('webhooks.retry_count') as number | undefined) ?? 15;
    if (!ok && attempt < retries) {
      const delay = (this.options.webhookRetryDelayMs ?? ((n) => 5_000 * 2 ** (n - 1)))(attempt);
      this.later(delay, () => void this.postWebhook(event, url, body, attempt + 1));
    }
    return delivery;
  }

  // endregion
}
