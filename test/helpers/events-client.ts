import { NestExpressApplication } from '@nestjs/platform-express';
import WebSocket from 'ws';
import { urlOf } from './test-app';

export interface ReceivedEvent {
  type: string;
  data: Record<string, unknown>;
}

/** A `/ws/events` client that records every frame, for assertions. */
export class EventsClient {
  readonly events: ReceivedEvent[] = [];
  closeCode?: number;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.events.push(JSON.parse(data.toString())));
    socket.on('close', (code) => (this.closeCode = code));
  }

  /** Connects with the credential in a header, or (`inFirstFrame`) in a first auth frame. */
  static async connect(
    app: NestExpressApplication,
    credential: { apiKey?: string; token?: string },
    inFirstFrame = false,
    /** false: never answer the server's pings (a client that went silent). */
    autoPong = true,
  ): Promise<EventsClient> {
    const url = urlOf(app).replace(/^http/, 'ws') + '/ws/events';
    const headers: Record<string, string> = {};
    if (!inFirstFrame && credential.apiKey) headers['X-API-Key'] = credential.apiKey;
    if (!inFirstFrame && credential.token) headers.Authorization = `Bearer ${credential.token}`;
    const socket = new WebSocket(url, { headers, autoPong });
    const client = new EventsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    if (inFirstFrame) {
      socket.send(JSON.stringify({ type: 'auth', token: credential.apiKey ?? credential.token }));
    }
    return client;
  }

  /** Resolves with the first recorded event that matches, waiting up to `timeoutMs`. */
  async waitFor(
    match: (event: ReceivedEvent) => boolean,
    timeoutMs = 10_000,
  ): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.type))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async waitForClose(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closeCode ?? -1;
  }

  close(): void {
    this.socket.close();
  }
}
