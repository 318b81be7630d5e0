/**
 * A local stand-in of Azure SignalR Service in Serverless mode: client negotiate and the three
 * transports under `/client/`, the data-plane REST API under `/api/`, in one HTTP server.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { listen } from '../http-server.js';
import { handleConnectRequest, handleUpgrade, isClientPath } from './client-endpoint.js';
import type { ConnectionHost } from './client-connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { formatConnectionString } from './connection-string.js';
import { answerPreflight, applyCors } from './cors.js';
import type { HubProtocol } from './hub-message.js';
import { HttpError, requestUrl, sendError } from './http-io.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
import { negotiate } from './negotiate.js';
import { resolveOptions, sweepIntervalInMs, type SignalRServiceOptions } from './options.js';
import { handleRestRequest } from './rest-api.js';
import type { ServiceContext } from './service-context.js';
import { WriteBatcher } from './transports/write-batcher.js';

export type { SignalRServiceOptions } from './options.js';

export interface LocalSignalRService {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly accessKey: string;
  /** `Endpoint=http://127.0.0.1;Port=<port>;AccessKey=<key>;Version=1.0;` */
  readonly connectionString: string;
  /** Closes every connection (with a Close message that allows reconnecting) and frees the port. */
  stop(): Promise<void>;
}

/** How long stop() lets clients receive their Close message before cutting what is left. */
const STOP_GRACE_IN_MS = 2000;
/** Expired user-group memberships are swept this often (they are also ignored whenever met). */
const EXPIRY_SWEEP_INTERVAL_IN_MS = 60_000;

export async function startSignalRService(options: SignalRServiceOptions = {}): Promise<LocalSignalRService> {
  const resolved = resolveOptions(options);
  const log = resolved.log;
  const registry = new ConnectionRegistry();
  const protocols = new Map<string, HubProtocol>([
    ['json', new JsonHubProtocol(resolved.maxFrameBytes)],
    ['messagepack', new MessagePackHubProtocol(resolved.maxFrameBytes)],
  ]);
  const connectionHost: ConnectionHost = {
    protocols,
    limits: resolved,
    activate(connection) {
      registry.join(connection);
      log(
        `connected ${connection.id} hub=${connection.hub} user=${connection.userId ?? '(none)'} ${connection.transport!.name} ${connection.protocol!.name}`,
      );
    },
    deactivate(connection, reason) {
      registry.leave(connection);
      log(`disconnected ${connection.id}: ${reason}`);
    },
    dispose: (connection) => registry.unregister(connection),
  };
  const ctx: ServiceContext = {
    options: resolved,
    key: new TextEncoder().encode(resolved.accessKey),
    registry,
    connectionHost,
    batcher: new WriteBatcher(),
    stopping: false,
  };

  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: resolved.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const server = http.createServer((req, res) => {
    serve(ctx, req, res).catch((error: unknown) => fail(req, res, error));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    try {
      handleUpgrade(ctx, webSockets, req, socket, head);
    } catch (error) {
      log(`upgrade failed: ${(error as Error).stack ?? String(error)}`);
      socket.destroy();
    }
  });

  function fail(req: http.IncomingMessage, res: http.ServerResponse, error: unknown): void {
    if (error instanceof HttpError) {
      sendError(req, res, error);
      return;
    }
    log(`internal error on ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
    sendError(req, res, new HttpError(500, 'InternalError', 'The service failed to handle the request.'));
  }

  const { port, origin } = await listen(server, resolved.port, resolved.host);

  let lastExpirySweep = Date.now();
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const connection of [...registry.connections()]) connection.tick(now);
    if (now - lastExpirySweep >= EXPIRY_SWEEP_INTERVAL_IN_MS) {
      lastExpirySweep = now;
      registry.removeExpired(now);
    }
  }, sweepIntervalInMs(resolved));

  let stopped: Promise<void> | undefined;
  return {
    endpoint: origin,
    port,
    accessKey: resolved.accessKey,
    connectionString: formatConnectionString({ endpoint: `http://${new URL(origin).hostname}`, port, accessKey: resolved.accessKey }),
    stop() {
      stopped ??= (async () => {
        ctx.stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const connection of [...registry.connections()]) connection.close('The service is stopping.', true);
        await until(() => registry.size === 0, STOP_GRACE_IN_MS);
        clearInterval(sweeper);
        for (const connection of [...registry.connections()]) connection.abort('the service stopped');
        server.closeAllConnections();
        await closed;
      })();
      return stopped;
    },
  };
}

async function serve(ctx: ServiceContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  applyCors(req, res, ctx.options.allowedOrigins);
  if (req.method === 'OPTIONS') {
    answerPreflight(req, res);
    return;
  }
  const url = requestUrl(req);
  if (url.pathname === '/client/negotiate') return negotiate(ctx, req, res, url);
  if (isClientPath(url.pathname)) return handleConnectRequest(ctx, req, res, url);
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return handleRestRequest(ctx, req, res, url);
  throw new HttpError(404, 'NotFound', `Nothing is served at ${url.pathname}.`);
}

async function until(condition: () => boolean, timeoutInMs: number): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
