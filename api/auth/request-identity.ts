/**
 * What a request proves about its caller: the access token `negotiate` issued (user id and the
 * streams granted to it), or, for reads, a caller token verified directly.
 */
import type { HttpRequest } from '@azure/functions';
import { bearerToken } from '../http/bearer-token.js';
import { HttpProblem } from '../http/http-problem.js';
import type { Services } from '../services.js';
import type { VerifiedAccessToken } from '../signalr/client-access-tokens.js';
import { CallerTokenError } from './caller-tokens.js';

/** The verified access token of the request; 401 naming the problem otherwise. */
export async function requireAccessToken(request: HttpRequest, services: Services): Promise<VerifiedAccessToken> {
  const token = bearerToken(request);
  if (!token) {
    throw new HttpProblem(401, 'MissingAccessToken', 'send Authorization: Bearer <accessToken from negotiate>', {
      'www-authenticate': 'Bearer',
    });
  }
  const check = await services.clientTokens().verify(token);
  if (!check.valid) throw new HttpProblem(401, 'InvalidAccessToken', check.reason, { 'www-authenticate': 'Bearer error="invalid_token"' });
  return check.token;
}

/**
 * The stream patterns the request's token grants: undefined without a token; from our access
 * token, or from a caller token when those are configured; 401 for a token that is neither.
 */
export async function grantedStreams(request: HttpRequest, services: Services): Promise<readonly string[] | undefined> {
  const token = bearerToken(request);
  if (!token) return undefined;
  const check = await services.clientTokens().verify(token);
  if (check.valid) return check.token.grantedStreams;
  const callerTokens = services.callerTokens();
  if (check.ours || !callerTokens) {
    throw new HttpProblem(401, 'InvalidAccessToken', check.reason, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  try {
    return (await callerTokens.verify(token)).grantedStreams;
  } catch (error) {
    if (error instanceof CallerTokenError && !error.transient) {
      throw new HttpProblem(401, 'InvalidCallerToken', error.message, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    throw error;
  }
}
