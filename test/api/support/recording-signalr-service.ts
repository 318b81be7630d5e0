/**
 * A SignalR Service for API tests that records what the API asks of it: every REST request
 * (method, path, query, body, verified token) answered with a configurable status, plus the
 * client side a stock `@microsoft/signalr` client needs to connect (negotiate and a WebSocket
 * with the JSON hub protocol handshake). Tokens are verified with the access key as the
 * service does; a bad signature gets 401.
 */
import { jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Claims of the verified Bearer token. */
  claims: Record<string, unknown>;
}

export interface ClientConnection {
  connectionId: string;
  claims: Record<string, unknown>;
  /** Where the client sent its token: `header` (Node) or `query` (browsers). */
  tokenIn: 'header' | 'query';
  socket: WebSocket;
}

export interface RecordingSignalRService {
  endpoint: string;
  connectionString: string;
  accessKey: string;
  requests: RecordedRestRequest[];
  connections: ClientConnection[];
  /** Status for the next REST requests (default: what Azure answers). */
  answerWith(status: number | undefined): void;
  /** Sends a hub invocation to every connected client. */
  broadcast(target: string, args: unknown[]): void;
  stop(): Promise<void>;
}

const RECORD_SEPARATOR = '\x1e';

export async function startRecordingSignalRService(accessKey = 'test-access-key-0123456789abcdefghijklmnopqrstuv'): Promise<RecordingSignalRService> {
  const key = new TextEncoder().encode(accessKey);
  const requests: RecordedRestRequest[] = [];
  const connections: ClientConnection[] = [];
  const pendingConnections = new Map<string, Record<string, unknown>>();
  let forcedStatus: number | undefined;

  const verify = async (token: string | undefined) => {
    if (!token) return undefined;
    try {
      return (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const claims = await verify(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]);
    if (!claims) return end(response, 401, { code: 'Unauthorized', message: 'invalid token' });

    if (url.pathname === '/client/negotiate') {
      const connectionId = randomUUID();
      pendingConnections.set(connectionId, claims);
      return end(response, 200, {
        negotiateVersion: 1,
        connectionId,
        connectionToken: connectionId,
        availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
      });
    }
    if (url.pathname.startsWith('/api/')) {
      requests.push({ method: request.method ?? '', path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined, claims });
      return end(response, forcedStatus ?? azureStatus(request.method ?? '', url.pathname));
    }
    end(response, 404);
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', async (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const headerToken = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const claims = await verify(headerToken ?? url.searchParams.get('access_token') ?? undefined);
    const connectionId = url.searchParams.get('id') ?? '';
    if (url.pathname !== '/client/' || !claims || !pendingConnections.has(connectionId)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    pendingConnections.delete(connectionId);
    sockets.handleUpgrade(request, socket, head, (ws) => {
      ws.once('message', () => {
        // The handshake request; any protocol request gets the JSON success answer.
        ws.send(`{}${RECORD_SEPARATOR}`);
        connections.push({ connectionId, claims, tokenIn: headerToken ? 'header' : 'query', socket: ws });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    connectionString: `Endpoint=http://127.0.0.1;Port=${port};AccessKey=${accessKey};Version=1.0;`,
    accessKey,
    requests,
    connections,
    answerWith(status) {
      forcedStatus = status;
    },
    broadcast(target, args) {
      for (const connection of connections) connection.socket.send(JSON.stringify({ type: 1, target, arguments: args }) + RECORD_SEPARATOR);
    },
    async stop() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Azure's answers (2022-06-01): 202 for sends, 200 for adds and checks, 204 for user removals. */
function azureStatus(method: string, path: string): number {
  if (method === 'POST') return 202;
  if (method === 'DELETE' && /\/users\/[^/]+\/groups/.test(path)) return 204;
  return 200;
}

function end(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}
