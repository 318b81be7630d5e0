/**
 * `GET /api/streams/{stream}/history?limit=N&afterSeq=S`: the stream's newest stored messages
 * holding at most `limit` points (default and maximum RECENT_POINTS_PER_STREAM), oldest first,
 * only those with `seq > afterSeq` when given. Readable under the rule of `subscribe`: public
 * streams by anyone, others with a token that grants them.
 */
import type { HttpRequest } from '@azure/functions';
import { grantedStreams } from '../auth/request-identity.js';
import { readAccess } from '../auth/stream-access.js';
import { enforceRateLimit } from '../http/enforce-rate-limit.js';
import { httpHandler } from '../http/http-handler.js';
import { HttpProblem, jsonResponse } from '../http/http-problem.js';
import { currentServices } from '../services.js';
import { streamFromRouteParameter, streamNameProblem } from '../streams/stream-name.js';
import type { FunctionDefinition } from './function-definition.js';

export const history = httpHandler(async (request) => {
  const services = currentServices();
  enforceRateLimit(services, 'history', request);
  const stream = streamFromRouteParameter(request.params.stream ?? '');
  const problem = streamNameProblem(stream);
  if (problem) throw new HttpProblem(400, 'InvalidStreamName', `stream name ${problem}`);
  const maxPoints = services.settings.recentPointsPerStream;
  const limit = integerQuery(request, 'limit', 1, maxPoints) ?? maxPoints;
  const afterSeq = integerQuery(request, 'afterSeq', 0, Number.MAX_SAFE_INTEGER);

  const granted = await grantedStreams(request, services);
  const access = readAccess({ stream, publicStreams: services.settings.publicStreams, grantedStreams: granted });
  if (!access.allowed) {
    if (granted === undefined) {
      throw new HttpProblem(401, 'AccessTokenRequired', access.reason, { 'www-authenticate': 'Bearer' });
    }
    throw new HttpProblem(403, 'StreamNotReadable', access.reason);
  }
  return jsonResponse(200, await services.store().readRecent(stream, { maxPoints: limit, afterSeq }));
});

function integerQuery(request: HttpRequest, name: string, min: number, max: number): number | undefined {
  const raw = request.query.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpProblem(400, 'InvalidQuery', `${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

export const historyFunction: FunctionDefinition = {
  kind: 'http',
  name: 'history',
  options: { methods: ['GET'], authLevel: 'anonymous', route: 'streams/{stream}/history', handler: history },
};
