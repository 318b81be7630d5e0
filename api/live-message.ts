/**
 * The wire contracts between the Functions app and the widget: the live message sent to a
 * stream's SignalR group (target `points`), and the history response. Documented in README.
 */

/** SignalR target name of a live message. */
export const LIVE_MESSAGE_TARGET = 'points';

/** One series of one event, columnar so it maps straight onto `Plotly.extendTraces`. */
export interface SeriesColumns {
  /** Series name (legend label); the seed's array format names item i `series-<i+1>`. */
  name: string;
  /** x values: numbers as sent, ISO-8601 times as epoch milliseconds, missing x as the event time. */
  x: number[];
  /** y values, finite numbers, same length as `x`. */
  y: number[];
}

/** One accepted event of one stream, as sent to the stream's group and kept in the store. */
export interface LiveMessage {
  /** Contract version. */
  v: 1;
  /** The stream (= SignalR group) the message belongs to; one connection serves many widgets. */
  stream: string;
  /**
   * Per-stream sequence number assigned at ingest, one per accepted event, starting at 1 and
   * increasing by exactly 1: a widget that sees `seq` jump knows it missed messages and fetches
   * `history?afterSeq=<last seen>`; a `seq` it has seen already is a duplicate.
   */
  seq: number;
  /** The Event Grid / CloudEvents event id the message came from. */
  id: string;
  /** The event time, epoch milliseconds. */
  time: number;
  /** The points, one entry per series present in the event. */
  series: SeriesColumns[];
}

/** `GET /api/streams/{stream}/history` response body. */
export interface HistoryResponse {
  stream: string;
  /** The highest `seq` assigned so far for the stream (0 when none), so a client can tell it is up to date. */
  lastSeq: number;
  /** Stored messages, oldest first (ascending `seq`). */
  messages: LiveMessage[];
}

/** `POST /api/negotiate` response body (the shape of the SignalRConnectionInfo binding). */
export interface NegotiateResponse {
  url: string;
  accessToken: string;
}
