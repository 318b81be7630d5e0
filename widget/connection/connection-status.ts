/**
 * What a widget tells its user about its connection: one status and, for `error`, a reason code
 * and a readable message. Shared by the hub client (connection-wide states) and a widget's
 * stream feed (per-stream states such as a refused subscription).
 */

/**
 * - `idle`: not connected to a page, or `hub`/`stream` not set yet.
 * - `connecting`: negotiating, connecting, subscribing or loading history for the first time.
 * - `live`: subscribed and up to date; new points arrive as they are published.
 * - `reconnecting`: the connection was lost; retrying with backoff, for as long as the page is open.
 * - `offline`: the browser reports no network; retrying as soon as it is back.
 * - `error`: something needs attention (see {@link ErrorCode}); still retrying where retrying can help.
 */
export type RealtimePlotStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'error';

/**
 * - `invalid-attribute`: `hub` or `stream` is malformed (not retried until it changes).
 * - `hub-unreachable`: no answer from the hub URL (network, DNS, CORS or the server is down).
 * - `hub-not-found`: the hub URL answers but has no realtime-plot API (HTTP 404): check `hub`.
 * - `unauthorized`: the API refused the caller's sign-in (HTTP 401).
 * - `stream-forbidden`: the stream is not readable with the caller's sign-in (HTTP 403).
 * - `bad-response`: the API answered something that is not the documented contract.
 * - `server-error`: the API failed (HTTP 5xx) or refused the request (other HTTP 4xx).
 */
export type ErrorCode =
  | 'invalid-attribute'
  | 'hub-unreachable'
  | 'hub-not-found'
  | 'unauthorized'
  | 'stream-forbidden'
  | 'bad-response'
  | 'server-error';

export interface PlotError {
  code: ErrorCode;
  /** A sentence for people, e.g. shown in the widget's status line. */
  message: string;
}

export interface StatusState {
  status: RealtimePlotStatus;
  /** Set when `status` is `error`, or when `reconnecting` was caused by a failed request. */
  error?: PlotError;
}

export function sameStatus(a: StatusState, b: StatusState): boolean {
  return a.status === b.status && a.error?.code === b.error?.code && a.error?.message === b.error?.message;
}
