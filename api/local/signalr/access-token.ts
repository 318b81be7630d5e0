/**
 * Access tokens as Azure SignalR checks them: HS256 JWTs signed with the AccessKey's UTF-8
 * bytes, with an expiry. Client tokens must also name the hub in their audience
 * (`{scheme}://{host}/client/?hub={hub}`); REST tokens' audiences are not compared, as in
 * Microsoft's emulator, because the SDKs disagree on their exact form.
 */
import type { IncomingMessage } from 'node:http';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { HttpError } from './http-io.js';
import { userId } from './names.js';

/** A token that is missing, malformed, badly signed, expired or for another hub. */
export class AccessTokenError extends Error {}

/** The Azure SDKs' user id claim; `nameid` is the one Azure's docs name. */
const USER_ID_CLAIMS = ['asrs.s.uid', 'nameid'] as const;

/** The bearer token of a request: the `Authorization` header, else the `access_token` query (browsers). */
export function accessTokenOf(req: IncomingMessage, url: URL): string {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new AccessTokenError("The Authorization header must be 'Bearer <token>'.");
    return match[1];
  }
  const query = url.searchParams.get('access_token');
  if (query) return query;
  throw new AccessTokenError('An access token is required (Authorization: Bearer <token>, or access_token in the query).');
}

/** Verifies signature, algorithm and expiry (required); returns the claims. */
export async function verifyAccessToken(token: string, key: Uint8Array): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] });
    return payload;
  } catch (error) {
    throw new AccessTokenError(describeJoseError(error));
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired.';
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return 'The access token signature is invalid: it must be HS256 signed with the AccessKey.';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The access token must be signed with HS256.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The access token was refused: ${error.message}.`;
  return 'The access token is malformed.';
}

/**
 * Whether a client token's audience names this service and hub. Azure signs the audience
 * without the port; one with the port is accepted too. The host is compared with the one the
 * client connected to, so the service can be reached as `localhost` or `127.0.0.1` alike.
 */
export function clientAudienceMatches(audience: JWTPayload['aud'], hub: string, requestHost: string | undefined): boolean {
  if (!requestHost) return false;
  let host: URL;
  try {
    host = new URL(`http://${requestHost}`);
  } catch {
    return false;
  }
  const candidates = typeof audience === 'string' ? [audience] : (audience ?? []);
  return candidates.some((candidate) => {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return false;
    }
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname.toLowerCase() === host.hostname.toLowerCase() &&
      (url.port === '' || url.port === effectivePort(host)) &&
      url.pathname === '/client/' &&
      url.searchParams.get('hub')?.toLowerCase() === hub
    );
  });
}

function effectivePort(url: URL): string {
  return url.port === '' ? '80' : url.port;
}

/** The user id a token carries (`asrs.s.uid`, else `nameid`), or undefined for an anonymous client. */
export function userIdOf(claims: JWTPayload): string | undefined {
  for (const name of USER_ID_CLAIMS) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new AccessTokenError(`The '${name}' claim must be a string.`);
    try {
      return userId(value);
    } catch (error) {
      throw new AccessTokenError(`The '${name}' claim is invalid: ${(error as Error).message}`);
    }
  }
  return undefined;
}

/**
 * Authenticates a request: a valid token, and for client requests (`clientHub` given) an
 * audience naming that hub. Failures become 401 with the reason.
 */
export async function authenticate(
  req: IncomingMessage,
  url: URL,
  key: Uint8Array,
  clientHub?: string,
): Promise<{ claims: JWTPayload; userId: string | undefined }> {
  try {
    const claims = await verifyAccessToken(accessTokenOf(req, url), key);
    if (clientHub !== undefined && !clientAudienceMatches(claims.aud, clientHub, req.headers.host)) {
      throw new AccessTokenError(
        `The access token's audience must be http(s)://<this host>/client/?hub=${clientHub} (the port may be left out).`,
      );
    }
    return { claims, userId: userIdOf(claims) };
  } catch (error) {
    if (!(error instanceof AccessTokenError)) throw error;
    throw new HttpError(401, 'Unauthorized', error.message, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
}
