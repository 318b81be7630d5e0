/**
 * HTTP errors of the API: `{"error": {"code": "<Code>", "message": "<what is wrong>"}}`.
 * Messages name the problem and never carry secrets (keys, tokens, connection strings).
 */
import type { HttpResponseInit } from '@azure/functions';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

/** Every API response: JSON, never cached (tokens and fresh data). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    jsonBody: body,
    headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
  };
}

/** The body of every error response. */
export interface ProblemBody {
  error: { code: string; message: string };
}

export function problemResponse(problem: HttpProblem): HttpResponseInit {
  const body: ProblemBody = { error: { code: problem.code, message: problem.message } };
  return jsonResponse(problem.status, body, problem.headers);
}
