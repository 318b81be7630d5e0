/** What the local host writes back: status, headers, body. */

export interface LocalResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** The API's error shape, also for the host's own errors. */
export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): LocalResponse {
  return jsonResponse(status, { error: { code, message } }, headers);
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): LocalResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}
