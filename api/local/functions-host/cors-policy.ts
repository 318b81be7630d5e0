/**
 * CORS for the local Functions host, as Azure's CORS setting with "Enable Access-Control-Allow-
 * Credentials" behaves: only listed origins, credentials allowed, and the request headers the
 * SignalR client and the widget send. `*` allows any origin (reflected, since credentials rule
 * out a literal `*`); use it only for local experiments.
 */

const ALLOWED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'x-requested-with',
  'x-signalr-user-agent',
  'x-realtime-plot-session',
];
const EXPOSED_RESPONSE_HEADERS = ['retry-after'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export class CorsPolicy {
  readonly #origins: Set<string>;
  readonly #anyOrigin: boolean;

  constructor(allowedOrigins: readonly string[]) {
    this.#origins = new Set(allowedOrigins.map((origin) => origin.toLowerCase()));
    this.#anyOrigin = this.#origins.has('*');
  }

  allows(origin: string | undefined): origin is string {
    return origin !== undefined && (this.#anyOrigin || this.#origins.has(origin.toLowerCase()));
  }

  /** Headers for an actual request (none for a request without an allowed Origin). */
  responseHeaders(origin: string | undefined): Record<string, string> {
    if (!this.allows(origin)) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': EXPOSED_RESPONSE_HEADERS.join(', '),
      vary: 'Origin',
    };
  }

  /** Headers for a preflight; without CORS headers when the origin is not allowed, so the browser refuses. */
  preflightHeaders(origin: string | undefined): Record<string, string> {
    if (!this.allows(origin)) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_REQUEST_HEADERS.join(', '),
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      vary: 'Origin',
    };
  }
}
