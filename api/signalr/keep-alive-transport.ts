/**
 * One HTTP exchange over kept-alive connections (node:http / node:https), for the REST client.
 * `fetch` costs several times as much CPU a request (web streams, abort signals), which `ingest`
 * pays on every send. The time-out covers the whole exchange; only a bounded prefix of the answer
 * is read, the rest is dropped.
 *
 * Idle connections are closed after `idleSocketTimeoutInMs`, before servers usually close
 * theirs (Node's default is 5 s). A request on a reused connection that fails with a reset or a
 * broken pipe (most often the server closed that idle connection as the request went out) is
 * sent once more, on a connection of its own, within what is left of the time-out, as Node's
 * documentation advises. The server may have received the first one: only calls that may be
 * repeated go through here (REST calls to SignalR are; clients drop a seq they have seen).
 */
import http from 'node:http';
import https from 'node:https';

export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutInMs: number;
  /** Bytes of the answer's body to read; the rest is dropped. */
  maxBodyBytes: number;
}

export interface ExchangeResponse {
  status: number;
  /** Up to `maxBodyBytes` of the body, as text. */
  body: string;
}

/** No answer: `timedOut`, or the network error's code. */
export class NoAnswerError extends Error {
  constructor(
    readonly timedOut: boolean,
    readonly code: string,
  ) {
    super(timedOut ? 'timed out' : code);
    this.name = 'NoAnswerError';
  }
}

export interface KeepAliveTransportOptions {
  /** How long an idle connection is kept. Default 4 s, under the 5 s after which Node's servers close theirs. */
  idleSocketTimeoutInMs?: number;
}

/** What a reused connection closed by the server fails with. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** A kept-alive connection turned out closed before the request got an answer: worth one more try. */
class StaleConnectionError extends NoAnswerError {
  constructor(code: string) {
    super(false, code);
  }
}

export class KeepAliveTransport {
  readonly #agents: Record<'http:' | 'https:', http.Agent>;

  constructor(options: KeepAliveTransportOptions = {}) {
    const timeout = options.idleSocketTimeoutInMs ?? 4000;
    this.#agents = { 'http:': new http.Agent({ keepAlive: true, timeout }), 'https:': new https.Agent({ keepAlive: true, timeout }) };
  }

  async exchange(url: URL, request: ExchangeRequest): Promise<ExchangeResponse> {
    const deadline = Date.now() + request.timeoutInMs;
    try {
      return await this.#attempt(url, request, request.timeoutInMs, true);
    } catch (error) {
      const left = deadline - Date.now();
      if (!(error instanceof StaleConnectionError) || left <= 0) throw error;
      return this.#attempt(url, request, left, false);
    }
  }

  /** One request within `timeoutInMs`, on a pooled connection or (`pooled` false) on a new one of its own. */
  #attempt(url: URL, request: ExchangeRequest, timeoutInMs: number, pooled: boolean): Promise<ExchangeResponse> {
    const secure = url.protocol === 'https:';
    const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (finish: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        finish();
      };
      const outgoing = (secure ? https : http).request(url, { method: request.method, headers, agent: pooled ? this.#agents[secure ? 'https:' : 'http:'] : false }, (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          if (size >= request.maxBodyBytes) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        incoming.on('end', () => settle(() => resolve({
          status: incoming.statusCode ?? 0,
          body: size === 0 ? '' : Buffer.concat(chunks).subarray(0, request.maxBodyBytes).toString('utf8'),
        })));
        incoming.on('error', (error: NodeJS.ErrnoException) => settle(() => reject(new NoAnswerError(false, error.code ?? error.message))));
      });
      const timer = setTimeout(() => {
        settle(() => reject(new NoAnswerError(true, 'ETIMEDOUT')));
        outgoing.destroy();
      }, timeoutInMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => settle(() => {
        const code = error.code ?? error.message;
        reject(outgoing.reusedSocket && STALE_CONNECTION_CODES.has(code) ? new StaleConnectionError(code) : new NoAnswerError(false, code));
      }));
      outgoing.end(request.body);
    });
  }
}
