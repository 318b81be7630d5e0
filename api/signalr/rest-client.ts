/**
 * The SignalR Service data-plane REST API (version 2022-06-01), as used against Azure and the
 * local service alike. Every request carries an HS256 token whose `aud` is the request URL
 * without the query, as the Management SDK signs it; a token is reused for its URL until a
 * minute before it expires.
 */
import type { SignalRServiceEndpoint } from './connection-string.js';
import { accessKeyBytes, nowInSeconds, signHs256 } from './hs256.js';
import { KeepAliveTransport, NoAnswerError, type ExchangeResponse } from './keep-alive-transport.js';

export const REST_API_VERSION = '2022-06-01';

/** What a send delivers: a hub method invocation on the receiving clients. */
export interface HubInvocation {
  target: string;
  arguments: unknown[];
}

/** A REST call that failed: the status (when there was a response) says whether to retry. */
export class SignalRRestError extends Error {
  constructor(
    readonly operation: string,
    /** HTTP status, or undefined when no response came (network error, timeout). */
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`SignalR Service ${operation} failed: ${detail}`);
    this.name = 'SignalRRestError';
  }

  /** Worth retrying later: no response, timeouts, throttling and server errors. */
  get transient(): boolean {
    return this.status === undefined || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface SignalRRestClientOptions {
  hub: string;
  /** Per request. Default 10 s. */
  timeoutInMs?: number;
}

const REST_TOKEN_LIFETIME_IN_SECONDS = 300;
/** A cached token is replaced this long before it expires, so that clock skew never makes it stale. */
const REST_TOKEN_RENEW_BEFORE_IN_SECONDS = 60;
/** Audiences with a cached token (each group, user or connection path is one). */
const MAX_CACHED_TOKENS = 1000;
const ERROR_BODY_MAX_LENGTH = 512;

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export class SignalRRestClient {
  readonly #hubUrl: string;
  readonly #key: Uint8Array;
  readonly #timeoutInMs: number;
  readonly #transport = new KeepAliveTransport();
  /** Per audience, the token and when to stop using it (seconds since the epoch); oldest first. */
  readonly #tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(endpoint: SignalRServiceEndpoint, options: SignalRRestClientOptions) {
    this.#hubUrl = `${endpoint.baseUrl}/api/hubs/${encodeURIComponent(options.hub.toLowerCase())}`;
    this.#key = accessKeyBytes(endpoint.accessKey);
    this.#timeoutInMs = options.timeoutInMs ?? 10_000;
  }

  sendToAll(message: HubInvocation): Promise<void> {
    return this.#send('sendToAll', '/:send', message);
  }

  sendToGroup(group: string, message: HubInvocation): Promise<void> {
    return this.#send('sendToGroup', `/groups/${segment(group)}/:send`, message);
  }

  sendToUser(userId: string, message: HubInvocation): Promise<void> {
    return this.#send('sendToUser', `/users/${segment(userId)}/:send`, message);
  }

  sendToConnection(connectionId: string, message: HubInvocation): Promise<void> {
    return this.#send('sendToConnection', `/connections/${segment(connectionId)}/:send`, message);
  }

  /**
   * Adds a user (all of its connections, present and future) to a group. Membership lasts
   * `ttlInSeconds` when given, else as long as the service keeps it.
   */
  async addUserToGroup(group: string, userId: string, options: { ttlInSeconds?: number } = {}): Promise<void> {
    const query: Record<string, string> = {};
    if (options.ttlInSeconds !== undefined) query.ttl = String(Math.max(1, Math.floor(options.ttlInSeconds)));
    await this.#call('addUserToGroup', 'PUT', `/users/${segment(userId)}/groups/${segment(group)}`, { query });
  }

  async removeUserFromGroup(group: string, userId: string): Promise<void> {
    await this.#call('removeUserFromGroup', 'DELETE', `/users/${segment(userId)}/groups/${segment(group)}`);
  }

  async removeUserFromAllGroups(userId: string): Promise<void> {
    await this.#call('removeUserFromAllGroups', 'DELETE', `/users/${segment(userId)}/groups`);
  }

  async addConnectionToGroup(group: string, connectionId: string): Promise<void> {
    await this.#call('addConnectionToGroup', 'PUT', `/groups/${segment(group)}/connections/${segment(connectionId)}`);
  }

  async removeConnectionFromGroup(group: string, connectionId: string): Promise<void> {
    await this.#call('removeConnectionFromGroup', 'DELETE', `/groups/${segment(group)}/connections/${segment(connectionId)}`);
  }

  async closeConnection(connectionId: string, options: { reason?: string } = {}): Promise<void> {
    const query: Record<string, string> = {};
    if (options.reason !== undefined) query.reason = options.reason;
    await this.#call('closeConnection', 'DELETE', `/connections/${segment(connectionId)}`, { query });
  }

  groupExists(group: string): Promise<boolean> {
    return this.#exists('groupExists', `/groups/${segment(group)}`);
  }

  userExists(userId: string): Promise<boolean> {
    return this.#exists('userExists', `/users/${segment(userId)}`);
  }

  connectionExists(connectionId: string): Promise<boolean> {
    return this.#exists('connectionExists', `/connections/${segment(connectionId)}`);
  }

  userInGroup(group: string, userId: string): Promise<boolean> {
    return this.#exists('userInGroup', `/users/${segment(userId)}/groups/${segment(group)}`);
  }

  async #send(operation: string, path: string, message: HubInvocation): Promise<void> {
    await this.#call(operation, 'POST', path, { body: message });
  }

  async #exists(operation: string, path: string): Promise<boolean> {
    const status = await this.#call(operation, 'HEAD', path, { notFoundIsAnswer: true });
    return status !== 404;
  }

  /** Sends one request; resolves with the status when it is 2xx (or an expected 404). */
  async #call(
    operation: string,
    method: Method,
    path: string,
    options: { query?: Record<string, string>; body?: unknown; notFoundIsAnswer?: boolean } = {},
  ): Promise<number> {
    const url = new URL(`${this.#hubUrl}${path}`);
    url.searchParams.set('api-version', REST_API_VERSION);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const token = await this.#token(`${url.origin}${url.pathname}`);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      body = JSON.stringify(options.body);
    }

    let response: ExchangeResponse;
    try {
      response = await this.#transport.exchange(url, { method, headers, body, timeoutInMs: this.#timeoutInMs, maxBodyBytes: ERROR_BODY_MAX_LENGTH });
    } catch (error) {
      const detail = error instanceof NoAnswerError && error.timedOut ? `no answer within ${this.#timeoutInMs} ms` : `no answer (${networkCause(error)})`;
      throw new SignalRRestError(operation, undefined, `${detail} from ${method} ${url.origin}${url.pathname}`);
    }
    const ok = response.status >= 200 && response.status < 300;
    if (ok || (options.notFoundIsAnswer && response.status === 404)) return response.status;
    throw new SignalRRestError(operation, response.status, `${method} ${url.pathname} answered ${response.status}${errorDetail(response.body)}`);
  }

  /** A token for `audience`, signed once and reused until shortly before it expires. */
  async #token(audience: string): Promise<string> {
    const now = nowInSeconds();
    const cached = this.#tokens.get(audience);
    if (cached && now < cached.renewAt) return cached.token;
    const token = await signHs256(this.#key, {}, { audience, issuedAt: now, expiresAt: now + REST_TOKEN_LIFETIME_IN_SECONDS });
    this.#tokens.delete(audience);
    if (this.#tokens.size >= MAX_CACHED_TOKENS) this.#tokens.delete(this.#tokens.keys().next().value!);
    this.#tokens.set(audience, { token, renewAt: now + REST_TOKEN_LIFETIME_IN_SECONDS - REST_TOKEN_RENEW_BEFORE_IN_SECONDS });
    return token;
  }
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

function networkCause(error: unknown): string {
  if (error instanceof NoAnswerError) return error.code;
  return error instanceof Error ? error.message : String(error);
}

/** The service's error message (`{code, message}` or text) from the start of its answer. */
function errorDetail(body: string): string {
  const text = body.trim();
  if (!text) return '';
  try {
    const parsed = JSON.parse(text) as { message?: unknown; code?: unknown };
    const message = typeof parsed.message === 'string' ? parsed.message : undefined;
    const code = typeof parsed.code === 'string' ? parsed.code : undefined;
    if (message || code) return `: ${[code, message].filter(Boolean).join(' ')}`;
  } catch {
    // not JSON: use the text as it is
  }
  return `: ${text}`;
}
