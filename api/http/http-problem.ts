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

export function problemResponse(problem: HttpProblem): HttpResponseInit {
  return jsonResponse(problem.status, { error: { code: problem.code, message: problem.message } }, problem.headers);
}
