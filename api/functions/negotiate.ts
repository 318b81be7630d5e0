/**
 * `POST /api/negotiate` -> `{url, accessToken}`: where to connect to SignalR Service and the
 * token to connect with. A stock `@microsoft/signalr` client pointed at `<base>/api` follows it.
 *
 * Who the caller is:
 * - user id: kept from a previous access token of ours (header `x-realtime-plot-session`, or
 *   the Bearer token, which a stock client re-sends on reconnect) that verifies and expired no
 *   longer than SESSION_GRACE_HOURS ago, so group memberships follow the user; else a new one.
 * - granted streams: from a caller token (`Authorization: Bearer`, when caller tokens are
 *   configured), copied into the access token, which then expires no later than the caller
 *   token; or carried over from an unexpired previous access token, keeping its expiry.
 */
import { randomUUID } from 'node:crypto';
import { verifyCallerToken } from '../auth/request-identity.js';
import { bearerToken } from '../http/bearer-token.js';
import { enforceRateLimit } from '../http/enforce-rate-limit.js';
import { httpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/http-problem.js';
import type { NegotiateResponse } from '../live-message.js';
import { currentServices } from '../services.js';
import type { FunctionDefinition } from './function-definition.js';

export const SESSION_HEADER = 'x-realtime-plot-session';

export const negotiate = httpHandler(async (request) => {
  const services = currentServices();
  enforceRateLimit(services, 'negotiate', request);
  const tokens = services.clientTokens();

  const grace = { graceInSeconds: services.settings.sessionGraceInSeconds };
  const bearer = bearerToken(request);
  const session = request.headers.get(SESSION_HEADER)?.trim() || undefined;
  const sessionCheck = session ? await tokens.verify(session, grace) : undefined;
  const bearerCheck = bearer ? await tokens.verify(bearer, grace) : undefined;
  const previous = [sessionCheck, bearerCheck].map((check) => (check?.valid ? check.token : undefined)).find(Boolean);
  // A Bearer token signed with our key (even one expired too long ago) is never a caller token;
  // any other is one when caller tokens are configured, and is ignored otherwise.
  const bearerIsOurs = bearerCheck !== undefined && (bearerCheck.valid || bearerCheck.ours);
  const caller = bearer !== undefined && !bearerIsOurs ? await verifyCallerToken(services, bearer) : undefined;

  let grantedStreams: readonly string[] = [];
  let notAfter: number | undefined;
  if (caller) {
    grantedStreams = caller.grantedStreams;
    notAfter = caller.expiresAt;
  } else if (previous && !previous.expired && previous.grantedStreams.length > 0) {
    grantedStreams = previous.grantedStreams;
    notAfter = previous.expiresAt;
  }

  const accessToken = await tokens.issue({ userId: previous?.userId ?? randomUUID(), grantedStreams, notAfter });
  const body: NegotiateResponse = { url: tokens.clientUrl, accessToken };
  return jsonResponse(200, body);
});

export const negotiateFunction: FunctionDefinition = {
  kind: 'http',
  name: 'negotiate',
  options: { methods: ['POST'], authLevel: 'anonymous', route: 'negotiate', handler: negotiate },
};
