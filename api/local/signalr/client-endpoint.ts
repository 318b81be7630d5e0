/**
 * `/client/?hub=<hub>&id=<connectionToken>`: where a negotiated connection opens its transport
 * (WebSocket upgrade, SSE or long-polling GET), sends (POST, for SSE and long polling) and ends
 * (DELETE, long polling). Every request is authenticated like negotiate, for the same user.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { authenticate } from './access-token.js';
import type { ClientConnection } from './client-connection.js';
import { errorResponse, HttpError, readBody, requestUrl, sendEmpty } from './http-io.js';
import { hubKey } from './names.js';
import { stopping } from './negotiate.js';
import type { ServiceContext } from './service-context.js';
import { LongPollingTransport } from './transports/long-polling-transport.js';
import { ServerSentEventsTransport } from './transports/server-sent-events-transport.js';
import type { TransportName } from './transports/server-transport.js';
import { WebSocketTransport } from './transports/websocket-transport.js';

export function isClientPath(pathname: string): boolean {
  return pathname === '/client/' || pathname === '/client';
}

/** Connections with a POST being read: the protocol allows one send at a time. */
const sending = new WeakSet<ClientConnection>();

export async function handleConnectRequest(ctx: ServiceContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const connection = connectionFor(ctx, req, url);
  const limits = ctx.options;
  switch (req.method) {
    case 'GET': {
      if (req.headers.accept?.includes('text/event-stream')) {
        ensureNoTransport(connection, 'ServerSentEvents');
        connection.attach(new ServerSentEventsTransport(res, connection, ctx.batcher, limits.maxBufferedBytesPerConnection));
        return;
      }
      let transport = connection.transport;
      if (!transport) {
        transport = new LongPollingTransport(connection, {
          maxBufferedBytes: limits.maxBufferedBytesPerConnection,
          longPollTimeoutInMs: limits.longPollTimeoutInMs,
          disconnectTimeoutInMs: limits.disconnectTimeoutInMs,
        });
        connection.attach(transport);
      }
      if (!(transport instanceof LongPollingTransport)) throw transportMismatch(transport.name, 'LongPolling');
      transport.poll(res);
      return;
    }
    case 'POST': {
      const transport = connection.transport;
      if (!transport) throw new HttpError(400, 'NotConnected', 'The connection has no transport yet: connect before sending.');
      if (transport instanceof WebSocketTransport) {
        throw new HttpError(405, 'MethodNotAllowed', 'POST requests are not allowed for WebSocket connections.', { Allow: 'GET' });
      }
      if (sending.has(connection)) throw new HttpError(409, 'Conflict', 'Another send request is in progress for this connection.');
      sending.add(connection);
      try {
        connection.receive(await readBody(req, limits.maxFrameBytes));
      } finally {
        sending.delete(connection);
      }
      sendEmpty(res, 200);
      return;
    }
    case 'DELETE': {
      if (!(connection.transport instanceof LongPollingTransport)) {
        throw new HttpError(400, 'InvalidRequest', 'Cannot terminate this connection using the DELETE endpoint.');
      }
      connection.abort('the client ended the connection');
      sendEmpty(res, 202);
      return;
    }
    default:
      throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed here.`, { Allow: 'GET, POST, DELETE' });
  }
}

export function handleUpgrade(ctx: ServiceContext, server: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  try {
    const url = requestUrl(req);
    if (!isClientPath(url.pathname)) throw new HttpError(404, 'NotFound', `No WebSocket endpoint at ${url.pathname}.`);
    if (ctx.stopping) throw stopping();
    const connection = connectionFor(ctx, req, url);
    ensureNoTransport(connection, 'WebSockets');
    server.handleUpgrade(req, socket, head, (webSocket) => {
      connection.attach(new WebSocketTransport(webSocket, socket, connection, ctx.batcher, ctx.options.maxBufferedBytesPerConnection));
    });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    rejectUpgrade(socket, error);
  }
}

function connectionFor(ctx: ServiceContext, req: IncomingMessage, url: URL): ClientConnection {
  const token = url.searchParams.get('id');
  if (!token) throw new HttpError(400, 'ConnectionIdRequired', 'Connection ID required.');
  const hub = hubKey(url.searchParams.get('hub'));
  const connection = ctx.registry.withToken(token);
  if (!connection || connection.hub !== hub) throw new HttpError(404, 'ConnectionNotFound', 'No connection with that ID.');
  const { userId } = authenticate(req, url, ctx.key, hub);
  if (userId !== connection.userId) {
    throw new HttpError(403, 'Forbidden', 'The access token is for another user than the one that negotiated this connection.');
  }
  return connection;
}

function ensureNoTransport(connection: ClientConnection, requested: TransportName): void {
  if (connection.transport) throw transportMismatch(connection.transport.name, requested);
}

function transportMismatch(current: TransportName, requested: TransportName): HttpError {
  return current === requested
    ? new HttpError(409, 'Conflict', `The connection already has an active ${current} transport.`)
    : new HttpError(400, 'InvalidRequest', `Cannot change transports mid-connection (from ${current} to ${requested}).`);
}

function rejectUpgrade(socket: Duplex, error: HttpError): void {
  const { body, headers } = errorResponse(error);
  const head = Object.entries({ ...headers, Connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n${head}\r\n${body}`);
}
