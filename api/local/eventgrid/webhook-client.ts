/**
 * The HTTP client the topic calls webhooks with (handshakes and deliveries): keep-alive
 * connections, a time-out covering the whole exchange, and a bounded read of the answer.
 * `close()` ends every request still under way and frees the connections.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface WebhookRequest {
  method: 'POST' | 'OPTIONS';
  headers: Record<string, string>;
  body?: string;
}

export interface WebhookResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first `MAX_RESPONSE_BYTES` of the answer, as text. */
  body: string;
}

/** `TimedOut` / `ConnectionFailed` name the outcome as Event Grid's delivery logs do. */
export type WebhookResult =
  | { response: WebhookResponse }
  | { failure: 'TimedOut' | 'ConnectionFailed'; message: string };

/** Webhook answers matter only for the handshake (a short JSON body); the rest is not read. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export class WebhookClient {
  readonly #agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  readonly #underWay = new Set<http.ClientRequest>();
  #closed = false;

  send(url: URL, request: WebhookRequest, timeoutInMs: number): Promise<WebhookResult> {
    if (this.#closed) return Promise.resolve({ failure: 'ConnectionFailed', message: 'the topic is stopping' });
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: WebhookResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#underWay.delete(outgoing);
        resolve(result);
      };
      const headers = { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }) };
      const outgoing = transport.request(url, { method: request.method, headers, agent: this.#agents[url.protocol as 'http:' | 'https:'] }, (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        incoming.on('end', () => finish({
          response: {
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
          },
        }));
        incoming.on('error', (error) => finish({ failure: 'ConnectionFailed', message: error.message }));
      });
      const timer = setTimeout(() => {
        finish({ failure: 'TimedOut', message: `no complete answer within ${timeoutInMs} ms` });
        outgoing.destroy();
      }, timeoutInMs);
      this.#underWay.add(outgoing);
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        finish({ failure: 'ConnectionFailed', message: error.code ? `${error.code}: ${error.message}` : error.message }));
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.#closed = true;
    for (const request of this.#underWay) request.destroy();
    this.#underWay.clear();
    for (const agent of Object.values(this.#agents)) agent.destroy();
  }
}
