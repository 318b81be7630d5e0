/**
 * `POST /api/unsubscribe` `{"stream": "<name>"}` with `Authorization: Bearer <accessToken>`:
 * removes the token's user from the stream's group. Anyone may leave any stream.
 */
import { enforceRateLimit } from '../http/enforce-rate-limit.js';
import { httpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/http-problem.js';
import { readStreamRequest } from '../http/stream-request.js';
import { currentServices } from '../services.js';
import type { FunctionDefinition } from './function-definition.js';

export const unsubscribe = httpHandler(async (request) => {
  const services = currentServices();
  // Shares the subscribe budget: both change group membership.
  enforceRateLimit(services, 'subscribe', request);
  const { token, stream } = await readStreamRequest(request, services);
  await services.signalR().removeUserFromGroup(stream, token.userId);
  return jsonResponse(200, { stream, userId: token.userId });
});

export const unsubscribeFunction: FunctionDefinition = {
  kind: 'http',
  name: 'unsubscribe',
  options: { methods: ['POST'], authLevel: 'anonymous', route: 'unsubscribe', handler: unsubscribe },
};
