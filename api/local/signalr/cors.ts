/**
 * CORS as Azure SignalR and its emulator do it: an allowed origin (by default any) is allowed
 * with credentials by reflecting the request's `Origin` (a `*` would be refused by browsers when
 * credentials are included, and the stock client sends credentials by default). Another origin
 * gets no CORS headers, so its page cannot read the answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const PREFLIGHT_MAX_AGE_IN_SECONDS = 600;

/** Adds the CORS response headers for a request that carries an `Origin` in `allowedOrigins` (normalized origins, or `*`: any). */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): void {
  const origin = req.headers.origin;
  if (!origin) return;
  res.setHeader('Vary', 'Origin');
  if (!allowedOrigins.includes('*') && !allowedOrigins.includes(origin.toLowerCase())) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
}

/**
 * Answers an `OPTIONS` request. A preflight gets the method and headers it asks for (the
 * SignalR client asks for `authorization`, `x-requested-with` and `x-signalr-user-agent`).
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const requestedMethod = req.headers['access-control-request-method'];
  const requestedHeaders = req.headers['access-control-request-headers'];
  if (requestedMethod) res.setHeader('Access-Control-Allow-Methods', requestedMethod);
  if (requestedHeaders) res.setHeader('Access-Control-Allow-Headers', requestedHeaders);
  if (requestedMethod || requestedHeaders) {
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_IN_SECONDS));
  }
  res.setHeader('Allow', 'GET, HEAD, POST, PUT, DELETE, OPTIONS');
  res.writeHead(204, { 'Content-Length': 0 });
  res.end();
}
