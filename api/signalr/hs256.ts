/**
 * HS256 signing as Azure SignalR Service expects it: the key is the AccessKey's UTF-8 bytes.
 * Signed with node:crypto's HMAC directly: a general JOSE library costs close to a millisecond
 * a token, which `ingest` would pay on every send.
 */
import { createHmac } from 'node:crypto';

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

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** A compact JWS with `aud`, `iat`, `nbf`, `exp` and the given claims. */
export function signHs256(key: Uint8Array, claims: Readonly<Record<string, unknown>>, options: SignOptions): Promise<string> {
  const issuedAt = options.issuedAt ?? nowInSeconds();
  const payload = { ...claims, aud: options.audience, iat: issuedAt, nbf: issuedAt, exp: options.expiresAt };
  const signingInput = `${HEADER}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', key).update(signingInput).digest('base64url');
  return Promise.resolve(`${signingInput}.${signature}`);
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
