/**
 * The widget's SignalR access token for one hub: obtained from `POST {hub}/negotiate`, renewed
 * before it expires, and renewed with the previous token in the session header so the user id
 * (and with it the user's stream memberships) survives renegotiation.
 */
import type { NegotiateResponse } from '../../api/live-message.js';
import type { HubApi } from './hub-api.js';

/**
 * Supplies the caller's own token (a page with its own sign-in) for streams that need one.
 * Called before every negotiation, so it may return a refreshed token each time.
 */
export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

/** Renew this long before expiry at most (a quarter of the lifetime for short-lived tokens). */
const RENEW_BEFORE_EXPIRY_IN_MS = 5 * 60_000;

interface HeldToken extends NegotiateResponse {
  /** Local clock time at which to renew; Infinity when the token carries no expiry. */
  renewAt: number;
}

export class AccessTokenSession {
  private held?: HeldToken;
  private renewal?: Promise<HeldToken>;

  constructor(
    private readonly api: HubApi,
    private readonly callerToken: () => Promise<string | undefined>,
  ) {}

  /** When the held token is due for renewal (local clock); Infinity when none is held or it never expires. */
  get renewAt(): number {
    return this.held?.renewAt ?? Infinity;
  }

  /** The current token and service URL, negotiated first when missing or near expiry. */
  async fresh(): Promise<NegotiateResponse> {
    if (this.held && Date.now() < this.held.renewAt) return this.held;
    return this.renew();
  }

  /** Negotiates again now (after a 401, or when the caller's sign-in changed). Single-flight. */
  renew(): Promise<NegotiateResponse> {
    this.renewal ??= this.negotiate().finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  private async negotiate(): Promise<HeldToken> {
    const callerToken = await this.callerToken();
    const response = await this.api.negotiate({ callerToken, sessionToken: this.held?.accessToken });
    this.held = { ...response, renewAt: renewTime(response.accessToken, Date.now()) };
    return this.held;
  }
}

/**
 * When to renew a token received at `receivedAt`. The lifetime comes from the token's own
 * `iat`/`exp` and is applied to the local clock, so a skewed page clock does not matter.
 */
export function renewTime(accessToken: string, receivedAt: number): number {
  const claims = jwtClaims(accessToken);
  const exp = typeof claims?.exp === 'number' ? claims.exp : undefined;
  if (exp === undefined) return Infinity;
  const iat = typeof claims?.iat === 'number' ? claims.iat : undefined;
  const lifetimeInMs = iat !== undefined ? (exp - iat) * 1000 : exp * 1000 - receivedAt;
  return receivedAt + lifetimeInMs - Math.min(RENEW_BEFORE_EXPIRY_IN_MS, lifetimeInMs / 4);
}

function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const claims: unknown = JSON.parse(atob(base64));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
