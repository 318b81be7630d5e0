/**
 * `POST /client/negotiate?hub=<hub>`: the second negotiate of the Serverless flow (the first one
 * goes to the Functions app, which redirects the client here with `{url, accessToken}`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { authenticate } from './access-token.js';
import { ClientConnection } from './client-connection.js';
import { HttpError, sendJson } from './http-io.js';
import { hubKey } from './names.js';
import type { ServiceContext } from './service-context.js';

/** In the order the stock client tries them. */
const AVAILABLE_TRANSPORTS = [
  { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
  { transport: 'ServerSentEvents', transferFormats: ['Text'] },
  { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
];

export function negotiate(ctx: ServiceContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'Negotiate takes POST.', { Allow: 'POST' });
  if (ctx.stopping) throw stopping();
  const hub = hubKey(url.searchParams.get('hub'));
  const { userId } = authenticate(req, url, ctx.key, hub);
  const version = requestedVersion(url);
  if (typeof version === 'string') {
    // ASP.NET Core answers a bad version in the negotiate body, which the client reports as is.
    sendJson(res, 200, { error: version });
    return;
  }
  if (ctx.registry.size >= ctx.options.maxConnections) {
    throw new HttpError(429, 'TooManyConnections', `The service holds its limit of ${ctx.options.maxConnections} connections.`);
  }
  const connectionId = randomBytes(16).toString('base64url');
  // Version 0 clients present the connection id itself when they connect.
  const token = version >= 1 ? randomBytes(32).toString('base64url') : connectionId;
  ctx.registry.register(new ClientConnection(connectionId, token, hub, userId, ctx.connectionHost));
  sendJson(
    res,
    200,
    version >= 1
      ? { negotiateVersion: 1, connectionId, connectionToken: token, availableTransports: AVAILABLE_TRANSPORTS }
      : { connectionId, availableTransports: AVAILABLE_TRANSPORTS },
  );
}

/** 0 or 1 (a higher request gets the highest the service speaks), or an error message. */
function requestedVersion(url: URL): number | string {
  const value = url.searchParams.get('negotiateVersion');
  if (value === null) return 0;
  if (!/^\d{1,9}$/.test(value)) return `The client requested an invalid protocol version '${value.slice(0, 32)}'`;
  return Math.min(Number(value), 1);
}

export function stopping(): HttpError {
  return new HttpError(503, 'ServiceStopping', 'The service is stopping.', { Connection: 'close' });
}
