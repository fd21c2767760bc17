// The endpoint the benchmark's webhooks go to: node:http on loopback, in the runner's process,
// answering 204 at once. It counts what it received and when; it checks the signature of one
// delivery in SIGNATURE_SAMPLE only, so that it costs the runner little.
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

const SIGNATURE_SAMPLE = 500;

export interface WebhookReceiverStats {
  received: number;
  /** Distinct `webhook-id`s (an event delivered twice counts once here). */
  distinct: number;
  firstAt: number | null;
  lastAt: number | null;
  signaturesChecked: number;
  signaturesInvalid: number;
}

export class WebhookReceiver {
  private readonly ids = new Set<string>();
  private received = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private signaturesChecked = 0;
  private signaturesInvalid = 0;
  private verifier?: Webhook;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    const receiver = new WebhookReceiver(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      receiver.handle(request, response),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The endpoint's signing secret (`whsec_…`), once the API made it. */
  set secret(secret: string) {
    this.verifier = new Webhook(secret);
  }

  reset(): void {
    this.ids.clear();
    this.received = 0;
    this.firstAt = this.lastAt = null;
    this.signaturesChecked = this.signaturesInvalid = 0;
  }

  stats(): WebhookReceiverStats {
    return {
      received: this.received,
      distinct: this.ids.size,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      signaturesChecked: this.signaturesChecked,
      signaturesInvalid: this.signaturesInvalid,
    };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const now = Date.now();
      this.received++;
      this.firstAt ??= now;
      this.lastAt = now;
      this.ids.add(String(request.headers['webhook-id']));
      if (this.verifier && this.received % SIGNATURE_SAMPLE === 1) this.verify(request, chunks);
      response.writeHead(204).end();
    });
  }

  private verify(request: IncomingMessage, chunks: Buffer[]): void {
    this.signaturesChecked++;
    try {
      this.verifier!.verify(Buffer.concat(chunks).toString('utf8'), {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      });
    } catch {
      this.signaturesInvalid++;
    }
  }
}
