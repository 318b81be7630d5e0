/**
 * Small HTTP helpers shared by every endpoint of the service: bounded body reading and error
 * responses in Azure's `ErrorDetail` shape (`{code, message}` plus the `x-ms-error-code` header).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../http-server.js';

/** An error that becomes an HTTP response with this status and `ErrorDetail` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The body and headers of an error response. */
export function errorResponse(error: HttpError, withBody = true): { body: string; headers: Record<string, string | number> } {
  const body = withBody ? JSON.stringify({ code: error.code, message: error.message }) : '';
  return {
    body,
    headers: {
      ...error.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'x-ms-error-code': error.code,
    },
  };
}

/** The request's URL; 400 for a target URL parsing cannot read as a path (e.g. `//:x`, read as a host). */
export function requestUrl(req: IncomingMessage): URL {
  if (!URL.canParse(req.url ?? '/', 'http://service')) throw new HttpError(400, 'InvalidRequestTarget', 'The request target is not a valid URL path.');
  return new URL(req.url ?? '/', 'http://service');
}

/** Writes `{code, message}` with `x-ms-error-code`; HEAD responses get the headers only. */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { body, headers } = errorResponse(error, req.method !== 'HEAD');
  res.writeHead(error.status, headers);
  res.end(body);
}

/** Ends a response that carries no body. */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a request body of at most `maxBytes`; a larger one is refused with 413 (the rest is drained unread), an aborted one with 400. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  let body: Buffer | undefined;
  try {
    body = await readBoundedBody(req, maxBytes);
  } catch {
    throw new HttpError(400, 'RequestAborted', 'The request was aborted while its body was being read.');
  }
  if (body === undefined) throw new HttpError(413, 'PayloadTooLarge', `The request body is larger than the limit of ${maxBytes} bytes.`);
  return body;
}
