/**
 * `POST /api/subscribe` `{"stream": "<name>"}` with `Authorization: Bearer <accessToken>`: adds
 * the token's user to the stream's group. User-group membership covers every connection of the
 * user, present and future, so it survives reconnects; the only identity used is the verified
 * token's, so nobody can move another user or connection.
 *
 * Membership lasts SUBSCRIPTION_TTL_SECONDS; for a stream readable only through a grant, no
 * longer than the access token, so that access ends with the caller token it came from.
 */
import { readAccess } from '../auth/stream-access.js';
import { enforceRateLimit } from '../http/enforce-rate-limit.js';
import { httpHandler } from '../http/http-handler.js';
import { HttpProblem, jsonResponse } from '../http/http-problem.js';
import { readStreamRequest } from '../http/stream-request.js';
import { currentServices } from '../services.js';
import { nowInSeconds } from '../signalr/hs256.js';
import type { FunctionDefinition } from './function-definition.js';

export const subscribe = httpHandler(async (request) => {
  const services = currentServices();
  enforceRateLimit(services, 'subscribe', request);
  const { token, stream } = await readStreamRequest(request, services);
  const access = readAccess({ stream, publicStreams: services.settings.publicStreams, grantedStreams: token.grantedStreams });
  if (!access.allowed) throw new HttpProblem(403, 'StreamNotReadable', access.reason);

  let ttlInSeconds = services.settings.subscriptionTtlInSeconds;
  if (access.via === 'grant') ttlInSeconds = Math.max(1, Math.min(ttlInSeconds, token.expiresAt - nowInSeconds()));
  await services.signalR().addUserToGroup(stream, token.userId, { ttlInSeconds });
  return jsonResponse(200, { stream, userId: token.userId });
});

export const subscribeFunction: FunctionDefinition = {
  kind: 'http',
  name: 'subscribe',
  options: { methods: ['POST'], authLevel: 'anonymous', route: 'subscribe', handler: subscribe },
};
