/**
 * Shared pieces of the SignalR service tests: starting the service, signing tokens as the
 * Azure SDKs do, calling the REST API in both versions, a Functions-style negotiate endpoint,
 * and stock `@microsoft/signalr` clients that record what they receive.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { HttpTransportType, HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { startSignalRService, type LocalSignalRService, type SignalRServiceOptions } from '../../api/local/signalr/index.js';

export { HttpTransportType, HubConnectionState };

export const TRANSPORTS = [HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling] as const;
export type TransportKind = (typeof TRANSPORTS)[number];
export type ProtocolName = 'json' | 'messagepack';
export const PROTOCOLS: readonly ProtocolName[] = ['json', 'messagepack'];

/** Every transport/protocol pair the stock client can use (Server-Sent Events carry text only). */
export const COMBINATIONS = TRANSPORTS.flatMap((transport) =>
  PROTOCOLS.filter((protocol) => !(transport === HttpTransportType.ServerSentEvents && protocol === 'messagepack')).map((protocol) => ({
    transport,
    protocol,
    label: `${HttpTransportType[transport]} + ${protocol}`,
  })),
);

/** Starts a service on a free port and stops it after the test file (call it at the top level of the file). */
export async function startService(options: SignalRServiceOptions = {}): Promise<LocalSignalRService> {
  const service = await startSignalRService({ port: 0, ...options });
  after(() => service.stop());
  return service;
}

export interface ClientTokenOptions {
  hub: string;
  userId?: string;
  /** The claim carrying the user id; Azure's SDKs use `asrs.s.uid`. */
  userClaim?: 'asrs.s.uid' | 'nameid';
  accessKey?: string;
  /** Negative for an expired token. Default one hour, as Azure's. */
  expiresInSeconds?: number;
  audience?: string;
}

/** A client access token as the Azure SDKs sign it: HS256, audience without the port. */
export function clientToken(service: LocalSignalRService, options: ClientTokenOptions): Promise<string> {
  const claims: Record<string, string> = {};
  if (options.userId !== undefined) claims[options.userClaim ?? 'asrs.s.uid'] = options.userId;
  const host = new URL(service.endpoint).hostname;
  return sign(
    claims,
    options.audience ?? `http://${host}/client/?hub=${options.hub.toLowerCase()}`,
    options.accessKey ?? service.accessKey,
    options.expiresInSeconds ?? 3600,
  );
}

/** A REST API token: audience = the request URL, as Azure's REST API docs say. */
export function restToken(
  service: LocalSignalRService,
  url: string,
  options: { accessKey?: string; expiresInSeconds?: number } = {},
): Promise<string> {
  return sign({}, url, options.accessKey ?? service.accessKey, options.expiresInSeconds ?? 3600);
}

async function sign(claims: Record<string, string>, audience: string, key: string, expiresInSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(audience)
    .setIssuedAt(now - 60)
    .setNotBefore(now - 60)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(key));
}

export type ApiVersion = 'v1' | '2022-06-01';
export const API_VERSIONS: readonly ApiVersion[] = ['v1', '2022-06-01'];

/** The REST API as an app calls it, in one of its two versions. */
export class RestApi {
  constructor(
    readonly service: LocalSignalRService,
    readonly version: ApiVersion,
  ) {}

  url(hub: string, path: string): string {
    const base = this.version === 'v1' ? `/api/v1/hubs/${hub}` : `/api/hubs/${hub}`;
    const suffix = this.version === 'v1' ? '' : `${path.includes('?') ? '&' : '?'}api-version=2022-06-01`;
    return `${this.service.endpoint}${base}${path}${suffix}`;
  }

  async call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const audience = url.split('?')[0];
    const token = await restToken(this.service, audience);
    return fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private send(hub: string, path: string, target: string, args: unknown[]): Promise<Response> {
    const sendPath = this.version === 'v1' ? path : `${path}/:send`;
    return this.call('POST', this.url(hub, sendPath), { target, arguments: args });
  }

  broadcast(hub: string, target: string, ...args: unknown[]) {
    return this.send(hub, '', target, args);
  }
  sendToGroup(hub: string, group: string, target: string, ...args: unknown[]) {
    return this.send(hub, `/groups/${encodeURIComponent(group)}`, target, args);
  }
  sendToUser(hub: string, user: string, target: string, ...args: unknown[]) {
    return this.send(hub, `/users/${encodeURIComponent(user)}`, target, args);
  }
  sendToConnection(hub: string, connectionId: string, target: string, ...args: unknown[]) {
    return this.send(hub, `/connections/${encodeURIComponent(connectionId)}`, target, args);
  }
  addConnectionToGroup(hub: string, group: string, connectionId: string) {
    return this.call('PUT', this.url(hub, `/groups/${encodeURIComponent(group)}/connections/${encodeURIComponent(connectionId)}`));
  }
  removeConnectionFromGroup(hub: string, group: string, connectionId: string) {
    return this.call('DELETE', this.url(hub, `/groups/${encodeURIComponent(group)}/connections/${encodeURIComponent(connectionId)}`));
  }
  addUserToGroup(hub: string, group: string, user: string, ttlInSeconds?: number) {
    const path =
      this.version === 'v1'
        ? `/groups/${encodeURIComponent(group)}/users/${encodeURIComponent(user)}`
        : `/users/${encodeURIComponent(user)}/groups/${encodeURIComponent(group)}`;
    return this.call('PUT', this.url(hub, ttlInSeconds === undefined ? path : `${path}?ttl=${ttlInSeconds}`));
  }
  removeUserFromGroup(hub: string, group: string, user: string) {
    return this.call('DELETE', this.url(hub, `/users/${encodeURIComponent(user)}/groups/${encodeURIComponent(group)}`));
  }
  removeUserFromAllGroups(hub: string, user: string) {
    return this.call('DELETE', this.url(hub, `/users/${encodeURIComponent(user)}/groups`));
  }
  closeConnection(hub: string, connectionId: string, reason?: string) {
    const path = `/connections/${encodeURIComponent(connectionId)}`;
    return this.call('DELETE', this.url(hub, reason === undefined ? path : `${path}?reason=${encodeURIComponent(reason)}`));
  }
  /** GET in v1, HEAD in 2022-06-01. */
  exists(hub: string, path: string) {
    return this.call(this.version === 'v1' ? 'GET' : 'HEAD', this.url(hub, path));
  }
}

/**
 * A Functions-style negotiate endpoint (`POST <base>/negotiate`) answering `{url, accessToken}`,
 * like the SignalRConnectionInfo binding; the user id comes from `x-ms-signalr-userid`.
 */
export async function startNegotiateEndpoint(service: LocalSignalRService, hub: string): Promise<string> {
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'POST' || path !== '/api/negotiate') {
      res.writeHead(404).end();
      return;
    }
    const userId = req.headers['x-ms-signalr-userid'];
    const accessToken = await clientToken(service, { hub, userId: typeof userId === 'string' ? userId : undefined });
    const body = JSON.stringify({ url: `${service.endpoint}/client/?hub=${hub}`, accessToken });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}

export interface ClientOptions {
  transport: TransportKind;
  protocol: ProtocolName;
  /** Direct: the service's `/client/?hub=` URL with an access token factory; else a Functions-style base URL. */
  url: string;
  accessTokenFactory?: () => string | Promise<string>;
  headers?: Record<string, string>;
  /** Automatic reconnect delays; short by default so tests do not wait on the stock 0/2/10/30 s. */
  reconnectDelaysInMs?: number[];
  /** Only this transport, or (false) the stock client's fallback through all of them. */
  onlyThisTransport?: boolean;
  /** The client's own time-outs (stock defaults: 30 s and 15 s). */
  serverTimeoutInMs?: number;
  keepAliveIntervalInMs?: number;
}

/** A started stock client that records every `message` invocation it receives. */
export class TestClient {
  readonly received: unknown[][] = [];
  readonly closes: (Error | undefined)[] = [];
  reconnects = 0;

  constructor(readonly connection: HubConnection) {
    connection.on('message', (...args: unknown[]) => this.received.push(args));
    connection.onreconnected(() => this.reconnects++);
    connection.onclose((error) => this.closes.push(error));
  }

  /** Waits until a message with this first argument has arrived. */
  async receives(first: unknown, what = `message ${JSON.stringify(first)}`): Promise<unknown[]> {
    let found: unknown[] | undefined;
    await eventually(() => (found = this.received.find((args) => deepEqual(args[0], first))) !== undefined, what);
    return found!;
  }
}

export function buildClient(options: ClientOptions): TestClient {
  const builder = new HubConnectionBuilder()
    .withUrl(options.url, {
      transport: options.onlyThisTransport === false ? undefined : options.transport,
      accessTokenFactory: options.accessTokenFactory,
      headers: options.headers,
    })
    .withAutomaticReconnect(options.reconnectDelaysInMs ?? [0, 200, 500, 1000, 1000, 2000, 2000, 5000, 5000])
    .configureLogging(LogLevel.None);
  if (options.protocol === 'messagepack') builder.withHubProtocol(new MessagePackHubProtocol());
  if (options.serverTimeoutInMs !== undefined) builder.withServerTimeout(options.serverTimeoutInMs);
  if (options.keepAliveIntervalInMs !== undefined) builder.withKeepAliveInterval(options.keepAliveIntervalInMs);
  return new TestClient(builder.build());
}

/** Builds and starts a client; it is stopped after the test file. */
export async function connectClient(options: ClientOptions): Promise<TestClient> {
  const client = buildClient(options);
  after(() => client.connection.stop());
  await client.connection.start();
  return client;
}

/** A stock client connected straight to the service over WebSockets (JSON unless told), with a token for `token`'s hub and user. */
export function connectDirect(service: LocalSignalRService, token: ClientTokenOptions, options: Partial<ClientOptions> = {}): Promise<TestClient> {
  return connectClient({
    transport: HttpTransportType.WebSockets,
    protocol: 'json',
    url: `${service.endpoint}/client/?hub=${token.hub}`,
    accessTokenFactory: () => clientToken(service, token),
    ...options,
  });
}

/** Waits (up to a generous time-out, for a loaded machine) until the condition holds. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutInMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutInMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface NegotiateResult {
  status: number;
  body: Record<string, unknown>;
}

/** `POST /client/negotiate` as a client sends it. */
export async function negotiateRaw(
  service: LocalSignalRService,
  hub: string,
  token: string,
  query = '&negotiateVersion=1',
): Promise<NegotiateResult> {
  const response = await fetch(`${service.endpoint}/client/negotiate?hub=${hub}${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * A hand-driven WebSocket client speaking the JSON hub protocol, for what the stock client never
 * does (malformed frames, silence, not reading). Frames it receives are parsed and kept.
 */
export class RawJsonClient {
  readonly frames: Record<string, unknown>[] = [];
  readonly closed: Promise<number>;
  private constructor(
    readonly socket: WebSocket,
    readonly connectionId: string,
  ) {
    socket.on('message', (data: Buffer) => {
      for (const text of data.toString('utf8').split('\u001e')) if (text) this.frames.push(JSON.parse(text) as Record<string, unknown>);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code: number) => resolve(code)));
  }

  /** Negotiates, opens the WebSocket and (unless `handshake` is false) completes the JSON handshake. */
  static async connect(
    service: LocalSignalRService,
    options: { hub: string; userId?: string; handshake?: boolean },
  ): Promise<RawJsonClient> {
    const token = await clientToken(service, { hub: options.hub, userId: options.userId });
    const { body } = await negotiateRaw(service, options.hub, token);
    const socket = new WebSocket(
      `${service.endpoint.replace('http', 'ws')}/client/?hub=${options.hub}&id=${String(body.connectionToken)}`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const client = new RawJsonClient(socket, String(body.connectionId));
    after(() => socket.terminate());
    if (options.handshake !== false) {
      client.send('{"protocol":"json","version":1}\u001e');
      await client.next((frame) => Object.keys(frame).length === 0, 'the handshake response');
    }
    return client;
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Waits for a received frame matching the predicate. */
  async next(matches: (frame: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    await eventually(() => (found = this.frames.find(matches)) !== undefined, what);
    return found!;
  }
}
