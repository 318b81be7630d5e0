/**
 * Access tokens as Azure SignalR checks them: HS256 JWTs signed with the AccessKey's UTF-8
 * bytes, with an expiry. Client tokens must also name the hub in their audience
 * (`{scheme}://{host}/client/?hub={hub}`); REST tokens' audiences are not compared, as in
 * Microsoft's emulator, because the SDKs disagree on their exact form, except that a client
 * token (audience `.../client/`, which every page holds) never opens the REST API, as in Azure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-io.js';
import { userId } from './names.js';

/** A token that is missing, malformed, badly signed, expired or for another hub. */
class AccessTokenError extends Error {}

/** The claims of a verified token. */
export type TokenClaims = Readonly<Record<string, unknown>>;

/** The Azure SDKs' user id claim; `nameid` is the one Azure's docs name. */
const USER_ID_CLAIMS = ['asrs.s.uid', 'nameid'] as const;

/** The bearer token of a request: the `Authorization` header, else the `access_token` query (browsers). */
function accessTokenOf(req: IncomingMessage, url: URL): string {
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

/**
 * Verifies a compact JWS: HS256 only, signature, and an expiry (required) that has not passed;
 * returns the claims. Synchronous HMAC, because every REST call and client request verifies one.
 */
function verifyAccessToken(token: string, key: Uint8Array, nowInMs = Date.now()): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AccessTokenError('The access token is malformed: it must be a JWT in compact form.');
  const header = decodeJsonPart(parts[0], 'header');
  if (header.alg !== 'HS256') throw new AccessTokenError('The access token must be signed with HS256.');
  // RFC 7515: extensions marked critical that are not understood make the token invalid.
  if (header.crit !== undefined)
    throw new AccessTokenError("The access token uses critical header extensions ('crit'), which are not supported.");
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const actual = Buffer.from(parts[2], 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new AccessTokenError('The access token signature is invalid: it must be HS256 signed with the AccessKey.');
  }
  const claims = decodeJsonPart(parts[1], 'payload');
  const now = nowInMs / 1000;
  if (typeof claims.exp !== 'number') throw new AccessTokenError("The access token has no expiry ('exp').");
  if (claims.exp <= now) throw new AccessTokenError('The access token has expired.');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) {
    throw new AccessTokenError("The access token is not valid yet ('nbf').");
  }
  return claims;
}

function decodeJsonPart(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new AccessTokenError(`The access token is malformed: its ${name} is not base64url JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AccessTokenError(`The access token is malformed: its ${name} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Whether a client token's audience names this service and hub. Azure signs the audience
 * without the port; one with the port is accepted too. The host is compared with the one the
 * client connected to, so the service can be reached as `localhost` or `127.0.0.1` alike.
 */
function clientAudienceMatches(audience: unknown, hub: string, requestHost: string | undefined): boolean {
  if (!requestHost) return false;
  let host: URL;
  try {
    host = new URL(`http://${requestHost}`);
  } catch {
    return false;
  }
  return audiences(audience).some((candidate: unknown) => {
    if (typeof candidate !== 'string') return false;
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

function audiences(audience: unknown): unknown[] {
  return typeof audience === 'string' ? [audience] : Array.isArray(audience) ? audience : [];
}

function isClientEndpoint(audience: unknown): boolean {
  if (typeof audience !== 'string') return false;
  try {
    return new URL(audience).pathname.replace(/\/+$/, '') === '/client';
  } catch {
    return false;
  }
}

function effectivePort(url: URL): string {
  return url.port === '' ? '80' : url.port;
}

/** The user id a token carries (`asrs.s.uid`, else `nameid`), or undefined for an anonymous client. */
export function userIdOf(claims: TokenClaims): string | undefined {
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
export function authenticate(
  req: IncomingMessage,
  url: URL,
  key: Uint8Array,
  clientHub?: string,
): { claims: TokenClaims; userId: string | undefined } {
  try {
    const claims = verifyAccessToken(accessTokenOf(req, url), key);
    if (clientHub !== undefined && !clientAudienceMatches(claims.aud, clientHub, req.headers.host)) {
      throw new AccessTokenError(
        `The access token's audience must be http(s)://<this host>/client/?hub=${clientHub} (the port may be left out).`,
      );
    }
    if (clientHub === undefined && audiences(claims.aud).some(isClientEndpoint)) {
      throw new AccessTokenError(
        "A client access token (audience '.../client/') cannot call the REST API; sign one for the request URL with the AccessKey.",
      );
    }
    return { claims, userId: userIdOf(claims) };
  } catch (error) {
    if (!(error instanceof AccessTokenError)) throw error;
    throw new HttpError(401, 'Unauthorized', error.message, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
}
