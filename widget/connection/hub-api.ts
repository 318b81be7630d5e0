/**
 * The HTTP half of the server contract (README "HTTP API"): negotiate, subscribe, unsubscribe
 * and history under the widget's `hub` URL. Every failure becomes a {@link HubRequestError} with
 * a reason code and a sentence a page author can act on; every body is size-bounded and checked.
 */
import type { HistoryResponse, NegotiateResponse } from '../../api/live-message.js';
import type { ErrorCode } from './connection-status.js';
import { MalformedError, readHistoryResponse, readNegotiateResponse } from './live-message-guard.js';

/** Header that carries the previous access token, so the user id survives renegotiation. */
export const SESSION_HEADER = 'x-realtime-plot-session';

const REQUEST_TIMEOUT_IN_MS = 20_000;
const SMALL_BODY_MAX_BYTES = 64 * 1024;
const HISTORY_BODY_MAX_BYTES = 32 * 1024 * 1024;
const SERVER_MESSAGE_MAX_LENGTH = 300;

export class HubRequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubRequestError';
  }
}

export interface HistoryQuery {
  /** Only messages with a larger `seq`; without it, the newest messages the server keeps. */
  afterSeq?: number;
}

export class HubApi {
  /** The `hub` URL without trailing slashes. */
  readonly hubUrl: string;

  constructor(hubUrl: string) {
    this.hubUrl = hubUrl.replace(/\/+$/, '');
  }

  async negotiate(options: { callerToken?: string; sessionToken?: string } = {}): Promise<NegotiateResponse> {
    const headers: Record<string, string> = {};
    if (options.callerToken) headers.authorization = `Bearer ${options.callerToken}`;
    if (options.sessionToken) headers[SESSION_HEADER] = options.sessionToken;
    const body = await this.request('POST', '/negotiate', { headers, what: 'negotiate' });
    return checked(() => readNegotiateResponse(body), 'negotiate');
  }

  async subscribe(stream: string, accessToken: string): Promise<void> {
    await this.request('POST', '/subscribe', { accessToken, json: { stream }, what: `subscribe to "${stream}"`, stream });
  }

  async unsubscribe(stream: string, accessToken: string): Promise<void> {
    // keepalive lets the request finish when the element leaves because the page is unloading.
    await this.request('POST', '/unsubscribe', { accessToken, json: { stream }, what: `unsubscribe from "${stream}"`, stream, keepalive: true });
  }

  async history(stream: string, query: HistoryQuery, accessToken: string): Promise<HistoryResponse> {
    const search = query.afterSeq === undefined ? '' : `?afterSeq=${query.afterSeq}`;
    const path = `/streams/${encodeURIComponent(stream)}/history${search}`;
    const body = await this.request('GET', path, { accessToken, what: `history of "${stream}"`, stream, maxBytes: HISTORY_BODY_MAX_BYTES });
    return checked(() => readHistoryResponse(body, stream), `history of "${stream}"`);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    options: {
      what: string;
      stream?: string;
      accessToken?: string;
      headers?: Record<string, string>;
      json?: unknown;
      keepalive?: boolean;
      maxBytes?: number;
    },
  ): Promise<unknown> {
    const url = `${this.hubUrl}${path}`;
    const headers: Record<string, string> = { ...options.headers };
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
        // The API authenticates with bearer tokens; cookies would only complicate CORS.
        credentials: 'omit',
        keepalive: options.keepalive,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS),
      });
    } catch (cause) {
      throw new HubRequestError(
        'hub-unreachable',
        `Cannot reach the hub at ${this.hubUrl} (${describeFetchFailure(cause)}): check the hub URL, the network and the API's CORS settings.`,
      );
    }
    const text = await readBoundedText(response, options.maxBytes ?? SMALL_BODY_MAX_BYTES, options.what);
    if (!response.ok) throw this.statusError(response.status, text, options.what, options.stream);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new HubRequestError('bad-response', `The hub's answer to ${options.what} is not JSON: is ${this.hubUrl} a realtime-plot API?`, response.status);
    }
  }

  private statusError(status: number, body: string, what: string, stream?: string): HubRequestError {
    const detail = serverMessage(body);
    const suffix = detail ? `: ${detail}` : '.';
    if (status === 404 && !stream) {
      return new HubRequestError('hub-not-found', `No realtime-plot API at ${this.hubUrl} (HTTP 404 from ${what}): check the hub attribute.`, status);
    }
    if (status === 401) return new HubRequestError('unauthorized', `The hub refused the sign-in for ${what} (HTTP 401)${suffix}`, status);
    if (status === 403 && stream) return new HubRequestError('stream-forbidden', `Not allowed to read stream "${stream}" (HTTP 403)${suffix}`, status);
    if (status === 429) return new HubRequestError('server-error', `The hub is limiting requests (HTTP 429) for ${what}; retrying later.`, status);
    return new HubRequestError('server-error', `The hub failed ${what} (HTTP ${status})${suffix}`, status);
  }
}

function checked<T>(read: () => T, what: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof MalformedError) throw new HubRequestError('bad-response', `The hub's answer to ${what} does not follow the contract: ${error.message}.`);
    throw error;
  }
}

/** The response body as text, refusing bodies larger than `maxBytes`. */
async function readBoundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const tooLarge = () => new HubRequestError('bad-response', `The hub's answer to ${what} is larger than ${maxBytes} bytes.`, response.status);
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HubRequestError) throw error;
    throw new HubRequestError('hub-unreachable', `The connection to the hub broke while reading ${what}.`, response.status);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** The API's `{"error": {"message"}}`, shortened; anything else is not shown. */
function serverMessage(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const message = (parsed as { error?: { message?: unknown } })?.error?.message;
    if (typeof message !== 'string' || message === '') return undefined;
    return message.length > SERVER_MESSAGE_MAX_LENGTH ? `${message.slice(0, SERVER_MESSAGE_MAX_LENGTH)}...` : message;
  } catch {
    return undefined;
  }
}

function describeFetchFailure(cause: unknown): string {
  if (cause instanceof DOMException && cause.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_IN_MS / 1000} s`;
  return 'network error';
}
