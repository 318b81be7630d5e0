/** Tokens for API tests: caller tokens of a test identity provider, and access tokens signed like negotiate's. */
import { SignJWT } from 'jose';

export const CALLER_SECRET = 'caller-secret-that-is-at-least-32-bytes-long';
export const CALLER_ISSUER = 'https://id.example.test/';
export const CALLER_AUDIENCE = 'realtime-plot';

/** App settings that make the API accept caller tokens from `signCallerToken`. */
export const CALLER_SETTINGS = { CALLER_JWT_ISSUER: CALLER_ISSUER, CALLER_JWT_AUDIENCE: CALLER_AUDIENCE };
export const CALLER_SECRET_SETTINGS = { CALLER_JWT_SECRET: CALLER_SECRET, ...CALLER_SETTINGS };

export interface CallerTokenOptions {
  /** Lifetime (a jose time span); `null` leaves the `exp` claim out. */
  expiresIn?: string | null;
  /** When the token starts to be valid (a jose time span from now, e.g. '5m'). */
  notBefore?: string;
  issuer?: string;
  audience?: string;
  secret?: string;
}

export function signCallerToken(claims: Record<string, unknown>, options: CallerTokenOptions = {}): Promise<string> {
  const token = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(options.issuer ?? CALLER_ISSUER)
    .setAudience(options.audience ?? CALLER_AUDIENCE)
    .setIssuedAt();
  if (options.expiresIn !== null) token.setExpirationTime(options.expiresIn ?? '10m');
  if (options.notBefore !== undefined) token.setNotBefore(options.notBefore);
  return token.sign(new TextEncoder().encode(options.secret ?? CALLER_SECRET));
}

/** An access token for the test hub at the recording service (audience without the port). */
export function signAccessToken(accessKey: string, userId: string, options: { issuedAt?: number; lifetimeInSeconds?: number } = {}): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ 'asrs.s.uid': userId, nameid: userId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience('http://127.0.0.1/client/?hub=realtimeplot')
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + (options.lifetimeInSeconds ?? 3600))
    .sign(new TextEncoder().encode(accessKey));
}
