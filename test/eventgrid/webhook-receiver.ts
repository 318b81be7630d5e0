/**
 * A real webhook for tests: an HTTP server on 127.0.0.1 that records every request and answers
 * as told. By default it passes both validation handshakes and accepts deliveries with 200.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What to answer; `hang` never answers (the topic's time-out must end it). */
export type WebhookAnswer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export type WebhookBehaviour = (request: ReceivedRequest) => WebhookAnswer;

export const acceptEverything: WebhookBehaviour = (request): WebhookAnswer => {
  if (request.method === 'OPTIONS') {
    return { status: 200, headers: { 'webhook-allowed-origin': String(request.headers['webhook-request-origin']) } };
  }
  if (request.headers['aeg-event-type'] === 'SubscriptionValidation') {
    const [event] = JSON.parse(request.body) as { data: { validationCode: string } }[];
    return { status: 200, body: JSON.stringify({ validationResponse: event.data.validationCode }), headers: { 'content-type': 'application/json' } };
  }
  return { status: 200 };
};

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  behaviour: WebhookBehaviour;
  #server: http.Server | undefined;
  #port: number;

  private constructor(port: number, behaviour: WebhookBehaviour) {
    this.#port = port;
    this.behaviour = behaviour;
  }

  static async start(options: { behaviour?: WebhookBehaviour; port?: number } = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(options.port ?? 0, options.behaviour ?? acceptEverything);
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/webhook?functionName=ingest`;
  }

  /** Deliveries (`aeg-event-type: Notification`) received so far. */
  notifications(): ReceivedRequest[] {
    return this.requests.filter((request) => request.headers['aeg-event-type'] === 'Notification');
  }

  /** Every event of every delivery, in arrival order (a CloudEvents delivery holds one object). */
  deliveredEvents(): Record<string, unknown>[] {
    return this.notifications().flatMap((request) => {
      const parsed = JSON.parse(request.body) as Record<string, unknown> | Record<string, unknown>[];
      return Array.isArray(parsed) ? parsed : [parsed];
    });
  }

  /** Waits (polling) until `condition` holds; fails after `timeoutInMs` with `what`. */
  async waitFor(what: string, condition: () => boolean, timeoutInMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutInMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async listen(): Promise<void> {
    const server = http.createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(request);
        const answer = this.behaviour(request);
        if (answer === 'hang') return;
        outgoing.writeHead(answer.status, answer.headers);
        outgoing.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening (the port then refuses connections) and drops open connections. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
