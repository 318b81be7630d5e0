/**
 * Client access tokens: what `negotiate` hands a client to connect to SignalR Service, and what
 * the client later shows `subscribe`/`history` to prove who it is. HS256 with the AccessKey,
 * `aud` = `{scheme}://{host}/client/?hub={hub lowercased}` (no port), user id in `asrs.s.uid`
 * and `nameid`; the stream patterns a caller token granted ride along in `rtp.streams`.
 */
import { errors, jwtVerify } from 'jose';
import type { SignalRServiceEndpoint } from './connection-string.js';
import { accessKeyBytes, nowInSeconds, signHs256 } from './hs256.js';

export const USER_ID_CLAIM = 'asrs.s.uid';
export const NAME_ID_CLAIM = 'nameid';
export const GRANTED_STREAMS_CLAIM = 'rtp.streams';

const USER_ID_MAX_LENGTH = 128;
/** Tokens longer than this are not ours and are not parsed. */
export const ACCESS_TOKEN_MAX_LENGTH = 8192;

export interface ClientAccessTokensOptions {
  hub: string;
  lifetimeInSeconds: number;
  /** Tolerated clock difference when checking `exp`/`nbf`. Default 60 s. */
  clockSkewInSeconds?: number;
}

export interface IssueOptions {
  userId: string;
  /** Stream patterns granted by a caller token. */
  grantedStreams?: readonly string[];
  /** Latest expiry (epoch seconds), e.g. the caller token's, so grants never outlive it. */
  notAfter?: number;
}

export interface VerifiedAccessToken {
  userId: string;
  grantedStreams: string[];
  /** Epoch seconds. */
  expiresAt: number;
  /** True when `exp` has passed (only possible when a grace period was asked for). */
  expired: boolean;
}

export type AccessTokenCheck =
  | { valid: true; token: VerifiedAccessToken }
  /** `ours`: signed with our key for our hub, yet unusable (e.g. expired past the grace period). */
  | { valid: false; ours: boolean; reason: string };

export class ClientAccessTokens {
  /** Where clients connect: `{endpoint}{:port}/client/?hub={hub}`. */
  readonly clientUrl: string;
  readonly audience: string;
  readonly #key: Uint8Array;
  readonly #lifetimeInSeconds: number;
  readonly #clockSkewInSeconds: number;

  constructor(endpoint: SignalRServiceEndpoint, options: ClientAccessTokensOptions) {
    this.clientUrl = `${endpoint.baseUrl}/client/?hub=${encodeURIComponent(options.hub)}`;
    this.audience = `${endpoint.audienceBase}/client/?hub=${encodeURIComponent(options.hub.toLowerCase())}`;
    this.#key = accessKeyBytes(endpoint.accessKey);
    this.#lifetimeInSeconds = options.lifetimeInSeconds;
    this.#clockSkewInSeconds = options.clockSkewInSeconds ?? 60;
  }

  issue(options: IssueOptions): Promise<string> {
    const now = nowInSeconds();
    const expiresAt = Math.min(now + this.#lifetimeInSeconds, options.notAfter ?? Number.POSITIVE_INFINITY);
    const claims: Record<string, unknown> = { [USER_ID_CLAIM]: options.userId, [NAME_ID_CLAIM]: options.userId };
    if (options.grantedStreams && options.grantedStreams.length > 0) claims[GRANTED_STREAMS_CLAIM] = [...options.grantedStreams];
    return signHs256(this.#key, claims, { audience: this.audience, expiresAt, issuedAt: now });
  }

  /**
   * Checks signature, audience and expiry. With `graceInSeconds`, a token that expired no longer
   * than that ago is still accepted (marked `expired`): enough to keep a user id, not to read.
   */
  async verify(token: string, options: { graceInSeconds?: number } = {}): Promise<AccessTokenCheck> {
    if (token.length > ACCESS_TOKEN_MAX_LENGTH) return { valid: false, ours: false, reason: 'access token is too long' };
    let payload: Record<string, unknown>;
    let expired = false;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        audience: this.audience,
        clockTolerance: this.#clockSkewInSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        const grace = options.graceInSeconds ?? 0;
        const exp = typeof error.payload.exp === 'number' ? error.payload.exp : 0;
        if (nowInSeconds() - exp > grace + this.#clockSkewInSeconds) {
          return { valid: false, ours: true, reason: 'access token has expired; negotiate again' };
        }
        payload = error.payload;
        expired = true;
      } else if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
        return { valid: false, ours: false, reason: 'access token was issued for another SignalR hub' };
      } else if (error instanceof errors.JWTClaimValidationFailed) {
        return { valid: false, ours: true, reason: `access token claim "${error.claim}" is not valid` };
      } else {
        return { valid: false, ours: false, reason: 'access token is not one issued by this API' };
      }
    }
    const userId = payload[USER_ID_CLAIM] ?? payload[NAME_ID_CLAIM];
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > USER_ID_MAX_LENGTH) {
      return { valid: false, ours: true, reason: 'access token has no user id' };
    }
    const granted = payload[GRANTED_STREAMS_CLAIM];
    const grantedStreams = Array.isArray(granted) ? granted.filter((entry): entry is string => typeof entry === 'string') : [];
    return { valid: true, token: { userId, grantedStreams, expiresAt: payload.exp as number, expired } };
  }
}
