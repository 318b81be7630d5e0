/** Options of the local SignalR service, their defaults (Azure's and the emulator's where they exist) and their checks. */
import { normalizeOrigin } from '../allowed-origin.js';

/** Microsoft's emulator's default key, so that its documented connection string works here too. */
export const DEFAULT_ACCESS_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
export const DEFAULT_PORT = 8888;
export const DEFAULT_HOST = '127.0.0.1';

export interface SignalRServiceOptions {
  /** TCP port; 0 picks a free one. Default 8888, as the emulator. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** The AccessKey tokens are signed with. Default: the emulator's key. */
  accessKey?: string;
  /** Connections (from negotiate until they end) the service holds at most; negotiate answers 429 beyond. Default 10,000. */
  maxConnections?: number;
  /** Largest frame a client may send, and largest REST request body. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Bytes queued for one connection before it is dropped as not reading. Default 4 MiB. */
  maxBufferedBytesPerConnection?: number;
  /** A ping goes to a connection that was sent nothing for this long. Default 15 s (the stock client gives up after 30 s of silence). */
  keepAliveIntervalInMs?: number;
  /** A connection the client sent nothing on for this long is closed. Default 30 s (the stock client pings every 15 s). */
  clientTimeoutInMs?: number;
  /** Time from transport connect to hub handshake. Default 15 s. */
  handshakeTimeoutInMs?: number;
  /** Time a negotiated connection may wait for its transport, and a long-polling client between polls. Default 15 s. */
  disconnectTimeoutInMs?: number;
  /** A long poll with nothing to deliver returns empty after this long. Default 90 s. */
  longPollTimeoutInMs?: number;
  /**
   * Origins (`scheme://host[:port]`) whose pages may call the client endpoints, with credentials
   * (Azure SignalR's CORS setting). Default `['*']`: any origin, as Azure's default.
   */
  allowedOrigins?: readonly string[];
  /** Receives one line per connection event; default: silent. */
  log?: (line: string) => void;
}

export type ResolvedOptions = Required<SignalRServiceOptions>;

export function resolveOptions(options: SignalRServiceOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    accessKey: options.accessKey ?? DEFAULT_ACCESS_KEY,
    maxConnections: options.maxConnections ?? 10_000,
    maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024,
    maxBufferedBytesPerConnection: options.maxBufferedBytesPerConnection ?? 4 * 1024 * 1024,
    keepAliveIntervalInMs: options.keepAliveIntervalInMs ?? 15_000,
    clientTimeoutInMs: options.clientTimeoutInMs ?? 30_000,
    handshakeTimeoutInMs: options.handshakeTimeoutInMs ?? 15_000,
    disconnectTimeoutInMs: options.disconnectTimeoutInMs ?? 15_000,
    longPollTimeoutInMs: options.longPollTimeoutInMs ?? 90_000,
    allowedOrigins: (options.allowedOrigins ?? ['*']).map((origin) => {
      try {
        return normalizeOrigin(origin);
      } catch (error) {
        throw new RangeError(`allowedOrigins: ${(error as Error).message}`);
      }
    }),
    log: options.log ?? (() => undefined),
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, not ${resolved.port}.`);
  }
  if (resolved.accessKey.length === 0) throw new RangeError('accessKey must not be empty.');
  for (const name of POSITIVE_INTEGERS) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, not ${value}.`);
  }
  if (resolved.maxBufferedBytesPerConnection < resolved.maxFrameBytes) {
    throw new RangeError('maxBufferedBytesPerConnection must be at least maxFrameBytes, or a largest message could never be sent.');
  }
  return resolved;
}

const POSITIVE_INTEGERS = [
  'maxConnections',
  'maxFrameBytes',
  'maxBufferedBytesPerConnection',
  'keepAliveIntervalInMs',
  'clientTimeoutInMs',
  'handshakeTimeoutInMs',
  'disconnectTimeoutInMs',
  'longPollTimeoutInMs',
] as const;

/** How often time-outs are checked: often enough for the shortest one configured. */
export function sweepIntervalInMs(options: ResolvedOptions): number {
  const shortest = Math.min(
    options.keepAliveIntervalInMs,
    options.clientTimeoutInMs,
    options.handshakeTimeoutInMs,
    options.disconnectTimeoutInMs,
    options.longPollTimeoutInMs,
  );
  return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
}
