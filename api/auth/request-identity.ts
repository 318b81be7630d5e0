/**
 * What a request proves about its caller: the access token `negotiate` issued (user id and the
 * streams granted to it), or a caller token from the page's identity provider.
 */
import type { HttpRequest } from '@azure/functions';
import { bearerToken } from '../http/bearer-token.js';
import { HttpProblem } from '../http/http-problem.js';
import type { Services } from '../services.js';
import type { VerifiedAccessToken } from '../signalr/client-access-tokens.js';
import { CallerTokenError, type VerifiedCallerToken } from './caller-tokens.js';

/** The verified access token of the request; 401 naming the problem otherwise. */
export async function requireAccessToken(request: HttpRequest, services: Services): Promise<VerifiedAccessToken> {
  const token = bearerToken(request);
  if (!token) {
    throw new HttpProblem(401, 'MissingAccessToken', 'send Authorization: Bearer <accessToken from negotiate>', {
      'www-authenticate': 'Bearer',
    });
  }
  const check = await services.clientTokens().verify(token);
  if (!check.valid) throw refused('InvalidAccessToken', check.reason);
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
  const caller = check.ours ? undefined : await verifyCallerToken(services, token);
  if (!caller) throw refused('InvalidAccessToken', check.reason);
  return caller.grantedStreams;
}

/**
 * A caller token verified, or undefined when caller tokens are not configured; 401 naming the
 * reason when it is refused (a key set that cannot be fetched is not the caller's fault: 503).
 */
export async function verifyCallerToken(services: Services, token: string): Promise<VerifiedCallerToken | undefined> {
  const verifier = services.callerTokens();
  if (!verifier) return undefined;
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof CallerTokenError && !error.transient) throw refused('InvalidCallerToken', error.message);
    throw error;
  }
}

function refused(code: string, reason: string): HttpProblem {
  return new HttpProblem(401, code, reason, { 'www-authenticate': 'Bearer error="invalid_token"' });
}
