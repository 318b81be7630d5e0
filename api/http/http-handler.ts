/** Wraps an HTTP function so that every failure becomes a JSON error with a clear, safe message. */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { CallerTokenError } from '../auth/caller-tokens.js';
import { SettingsError } from '../settings.js';
import { SignalRRestError } from '../signalr/rest-client.js';
import { StoreUnavailableError } from '../store/recent-points-store.js';
import { HttpProblem, problemResponse } from './http-problem.js';

export function httpHandler(work: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>): HttpHandler {
  return async (request, context) => {
    try {
      return await work(request, context);
    } catch (error) {
      return problemResponse(asProblem(error, context));
    }
  };
}

function asProblem(error: unknown, context: InvocationContext): HttpProblem {
  if (error instanceof HttpProblem) return error;
  // Details go to the function log; the caller gets what it can act on.
  context.error(error);
  if (error instanceof SettingsError) return new HttpProblem(500, 'ServerMisconfigured', error.message);
  if (error instanceof SignalRRestError) {
    const answer = error.status === undefined ? 'did not answer' : `answered ${error.status}`;
    return new HttpProblem(error.transient ? 503 : 502, 'SignalRUnavailable', `SignalR Service ${answer}; try again later`, retryAfter(error.transient));
  }
  if (error instanceof StoreUnavailableError) {
    return new HttpProblem(503, 'StorageUnavailable', 'the recent-points store is unavailable; try again later', retryAfter(true));
  }
  if (error instanceof CallerTokenError && error.transient) {
    return new HttpProblem(503, 'IdentityProviderUnavailable', `${error.message}; try again later`, retryAfter(true));
  }
  return new HttpProblem(500, 'InternalError', `unexpected error (invocation ${context.invocationId}); see the function log`);
}

function retryAfter(transient: boolean): Record<string, string> {
  return transient ? { 'retry-after': '5' } : {};
}
