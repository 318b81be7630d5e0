/** 429 with `Retry-After` once a client has used up its requests for an operation. */
import type { HttpRequest } from '@azure/functions';
import type { RateLimitedOperation, Services } from '../services.js';
import { clientAddress } from './client-address.js';
import { HttpProblem } from './http-problem.js';

export function enforceRateLimit(services: Services, operation: RateLimitedOperation, request: HttpRequest): void {
  const limiter = services.rateLimiter(operation);
  if (!limiter) return;
  const decision = limiter.take(clientAddress(request, services.settings.rateLimits.trustedProxyHops));
  if (!decision.allowed) {
    throw new HttpProblem(
      429,
      'TooManyRequests',
      `too many ${operation} requests from this client; retry in ${decision.retryAfterInSeconds} s`,
      { 'retry-after': String(decision.retryAfterInSeconds) },
    );
  }
}
