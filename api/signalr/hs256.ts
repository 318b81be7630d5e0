/** HS256 signing as Azure SignalR Service expects it: the key is the AccessKey's UTF-8 bytes. */
import { SignJWT, type JWTPayload } from 'jose';

export function accessKeyBytes(accessKey: string): Uint8Array {
  return new TextEncoder().encode(accessKey);
}

export interface SignOptions {
  audience: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** Seconds since the epoch; defaults to now. */
  issuedAt?: number;
}

/** A compact JWS with `aud`, `iat`, `nbf`, `exp` and the given claims. */
export function signHs256(key: Uint8Array, claims: JWTPayload, options: SignOptions): Promise<string> {
  const issuedAt = options.issuedAt ?? nowInSeconds();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(options.expiresAt)
    .sign(key);
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
