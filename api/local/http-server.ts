/**
 * What every local stand-in's HTTP server does alike: read a request body with a size bound,
 * listen and say where clients reach it, and close with its connections.
 */
import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  port: number;
  /** `http://<address>:<port>`; a wildcard bind is given as loopback. */
  origin: string;
}

/**
 * The request body, or `undefined` as soon as it is known to pass `maxBytes` (by Content-Length
 * or while reading); the rest is then drained unread, so the connection can carry the refusal.
 */
export function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.resume();
      resolve(undefined);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // A request destroyed without an error (no 'error' event) would otherwise never settle.
    request.on('close', () => {
      if (!request.complete) reject(new Error('The request was aborted while its body was being read.'));
    });
  });
}

/** Listens on `host:port` (0 picks a free port); a busy port rejects with a message naming both, `code` kept. */
export async function listen(server: Server, port: number, host: string): Promise<ListeningServer> {
  const listening = once(server, 'listening');
  server.listen(port, host);
  try {
    await listening;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The code stays on the error, so that callers can tell a busy port from other failures.
    if (code === 'EADDRINUSE') throw Object.assign(new Error(`Port ${port} on ${host} is already in use.`, { cause: error }), { code });
    throw error;
  }
  const address = server.address() as AddressInfo;
  return { port: address.port, origin: `http://${reachableHost(address.address)}:${address.port}` };
}

/** Stops listening and cuts every connection, idle or not. */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** The address to tell clients: a wildcard bind is reached on loopback; IPv6 needs brackets. */
function reachableHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
