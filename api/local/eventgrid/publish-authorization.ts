/**
 * Checks a publish request's credentials as Event Grid does: the topic key in `aeg-sas-key`, or a
 * shared access signature in `aeg-sas-token` (also accepted as `Authorization: SharedAccessSignature
 * <token>`), built the way `@azure/eventgrid`'s `generateSharedAccessSignature` builds it:
 * `r=<url-encoded resource>&e=<url-encoded "M/d/yyyy h:mm:ss AM" UTC expiry>&s=<url-encoded
 * base64 HMAC-SHA256 of "r=...&e=..." keyed with the base64-decoded topic key>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PUBLISH_PATH } from './local-topic-defaults.js';

export type AuthorizationResult = { authorized: true } | { authorized: false; reason: string };

const SAS_AUTHORIZATION_PREFIX = 'sharedaccesssignature ';

export function authorizePublish(
  headers: IncomingHttpHeaders,
  topicKey: string,
  now: Date = new Date(),
): AuthorizationResult {
  const key = singleHeader(headers['aeg-sas-key']);
  if (key !== undefined) {
    return sameSecret(key, topicKey)
      ? { authorized: true }
      : { authorized: false, reason: 'the aeg-sas-key header does not hold a key of this topic' };
  }
  const token = sasTokenFrom(headers);
  if (token === undefined) {
    return { authorized: false, reason: 'the request has neither an aeg-sas-key nor an aeg-sas-token header' };
  }
  return verifySharedAccessSignature(token, topicKey, singleHeader(headers.host) ?? '', now);
}

function sasTokenFrom(headers: IncomingHttpHeaders): string | undefined {
  const token = singleHeader(headers['aeg-sas-token']);
  if (token !== undefined) return token;
  const authorization = singleHeader(headers.authorization);
  if (authorization?.toLowerCase().startsWith(SAS_AUTHORIZATION_PREFIX)) {
    return authorization.slice(SAS_AUTHORIZATION_PREFIX.length).trim();
  }
  return undefined;
}

/**
 * Verifies a SAS token for this topic: well formed, signed with the topic key, not expired, and
 * issued for this topic's publish endpoint (same host as the request, path `/api/events`).
 */
export function verifySharedAccessSignature(
  token: string,
  topicKey: string,
  requestHost: string,
  now: Date,
): AuthorizationResult {
  const parts = new Map<string, string>();
  for (const pair of token.split('&')) {
    const separator = pair.indexOf('=');
    if (separator > 0) parts.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  const resource = parts.get('r');
  const expiry = parts.get('e');
  const signature = parts.get('s');
  if (resource === undefined || expiry === undefined || signature === undefined) {
    return { authorized: false, reason: 'the SAS token is malformed (expected r=<resource>&e=<expiry>&s=<signature>)' };
  }
  const expected = createHmac('sha256', Buffer.from(topicKey, 'base64'))
    .update(`r=${resource}&e=${expiry}`)
    .digest('base64');
  if (!sameSecret(safeDecode(signature) ?? '', expected)) {
    return { authorized: false, reason: 'the SAS token signature was not made with a key of this topic' };
  }
  const expiresOn = parseServiceTime(safeDecode(expiry) ?? '');
  if (expiresOn === undefined) {
    return { authorized: false, reason: `the SAS token expiry '${safeDecode(expiry)}' is not of the form M/d/yyyy h:mm:ss AM` };
  }
  if (expiresOn.getTime() <= now.getTime()) {
    return { authorized: false, reason: `the SAS token expired at ${expiresOn.toISOString()}` };
  }
  const resourceProblem = resourceMismatch(safeDecode(resource) ?? '', requestHost);
  return resourceProblem === undefined ? { authorized: true } : { authorized: false, reason: resourceProblem };
}

function resourceMismatch(resource: string, requestHost: string): string | undefined {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return `the SAS token resource '${resource}' is not a URL`;
  }
  if (url.pathname.toLowerCase() !== PUBLISH_PATH || url.host.toLowerCase() !== requestHost.toLowerCase()) {
    return `the SAS token resource '${resource}' is not this topic's endpoint`;
  }
  return undefined;
}

/**
 * Parses .NET's en-US "M/d/yyyy h:mm:ss tt" in UTC, the form `@azure/eventgrid` writes
 * (e.g. "6/5/2020 12:09:03 PM").
 */
export function parseServiceTime(text: string): Date | undefined {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(text);
  if (!match) return undefined;
  const [, month, day, year, hour12, minute, second, half] = match;
  const hour = (Number(hour12) % 12) + (half === 'PM' ? 12 : 0);
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), hour, Number(minute), Number(second)));
  // Date.UTC rolls 2/30 over into March; a real expiry never does.
  return date.getUTCDate() === Number(day) && Number(hour12) >= 1 && Number(hour12) <= 12 ? date : undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  // Node bounds header sizes (16 KB in all), so no further bound is needed here.
  return Array.isArray(value) ? value[0] : value;
}
