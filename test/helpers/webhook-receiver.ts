import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A webhook receiver on a free port: records every request and answers what `answer` says
 * (204 by default). `stop()` and `start()` again on the same port play an endpoint going down
 * and coming back.
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  answer: (request: ReceivedWebhook) => ReceiverAnswer | Promise<ReceiverAnswer> = () => ({
    status: 204,
  });
  private server?: Server;
  private port = 0;

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.listen();
    return receiver;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          receivedAt: Date.now(),
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(received);
        void Promise.resolve(this.answer(received)).then((answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The requests whose body is this event type, verified and parsed with `secret`. */
  verified(secret: string): Array<{ headers: IncomingHttpHeaders; payload: WebhookPayload }> {
    const webhook = new Webhook(secret);
    return this.requests.map((request) => ({
      headers: request.headers,
      payload: webhook.verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }) as WebhookPayload,
    }));
  }
}

export interface WebhookPayload {
  id: string;
  type: string;
  createdAt: string;
  accountId: string;
  sequence: number;
  data: Record<string, unknown>;
}
