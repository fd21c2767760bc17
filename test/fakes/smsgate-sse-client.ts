/**
 * The SMS Gateway for Android app's Server-Sent Events client, as its SSEManager builds it on
 * OkHttp's okhttp-sse 4.10: a plain OkHttpClient (so `User-Agent: okhttp/4.10.0`, not the app's),
 * `Authorization: Bearer <device token>`, `Accept: text/event-stream`, a one-hour read timeout.
 *
 * - The stream opens only on a 2xx whose Content-Type is `text/event-stream`; anything else is
 *   a failure.
 * - Events are dispatched on a blank line if they had at least one `data:` line; `event:` names
 *   them (an unnamed event is read as `MessageEnqueued` by the app); `:` comments, `id:` and
 *   `retry:` change nothing the app uses (it does not honour `retry`).
 * - After a failure or a clean end, it reconnects by itself: 5 s for attempts 1-5, 30 s for 6-10,
 *   60 s after that; an open stream resets the count.
 */

export interface SseCallbacks {
  onOpen(): void;
  onEvent(type: string | null, data: string): void;
  onFailure(error: Error, status?: number): void;
  onClosed(): void;
}

export interface SseClientOptions {
  url: string;
  token: string;
  /** The app's schedule by default; tests shorten it. */
  reconnectDelayMs?: (attempt: number) => number;
  readTimeoutMs?: number;
  userAgent?: string;
}

export function appReconnectDelayMs(attempt: number): number {
  if (attempt > 10) return 60_000;
  if (attempt > 5) return 30_000;
  return 5_000;
}

/** Splits a byte stream into SSE events the way OkHttp's ServerSentEventReader does. */
export class OkHttpSseParser {
  private buffer = '';
  private data: string[] | null = null;
  private type: string | null = null;

  constructor(private readonly dispatch: (type: string | null, data: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data !== null) this.dispatch(this.type, this.data.join('\n'));
      this.data = null;
      this.type = null;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') (this.data ??= []).push(value);
    else if (field === 'event') this.type = value === '' ? null : value;
    // id and retry are read by OkHttp but nothing in the app uses them.
  }
}

export class OkHttpSseClient {
  private abort: AbortController | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private disconnecting = false;

  constructor(
    private readonly options: SseClientOptions,
    private readonly callbacks: SseCallbacks,
  ) {}

  connect(): void {
    this.disconnecting = false;
    void this.run();
  }

  disconnect(): void {
    this.disconnecting = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.abort?.abort();
    this.abort = null;
    this.attempts = 0;
  }

  private async run(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const readTimeoutMs = this.options.readTimeoutMs ?? 3_600_000;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error('timeout')), readTimeoutMs);
    };
    try {
      armIdle();
      const response = await fetch(this.options.url, {
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'text/event-stream',
          'user-agent': this.options.userAgent ?? 'okhttp/4.10.0',
          'accept-encoding': 'gzip',
        },
        signal: abort.signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw Object.assign(new Error(`SSE answered ${response.status}`), {
          status: response.status,
        });
      }
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
      if (contentType.toLowerCase() !== 'text/event-stream') {
        await response.body?.cancel();
        throw Object.assign(new Error(`Invalid content-type: ${contentType || '(none)'}`), {
          status: response.status,
        });
      }
      this.attempts = 0;
      this.callbacks.onOpen();
      const parser = new OkHttpSseParser((type, data) => {
        if (!abort.signal.aborted) this.callbacks.onEvent(type, data);
      });
      const decoder = new TextDecoder();
      const reader = response.body!.getReader();
      for (;;) {
        armIdle();
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      clearTimeout(idle);
      if (this.disconnecting || abort.signal.aborted) return;
      this.callbacks.onClosed();
    } catch (error) {
      clearTimeout(idle);
      if (this.disconnecting) return;
      const status = (error as { status?: number }).status;
      this.callbacks.onFailure(error as Error, status);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.disconnecting) return;
    this.attempts++;
    const delay = (this.options.reconnectDelayMs ?? appReconnectDelayMs)(this.attempts);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.disconnecting) void this.run();
    }, delay);
  }
}
