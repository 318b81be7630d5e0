/**
 * Checks everything the widget receives from outside (SignalR frames, HTTP bodies) against the
 * contracts in api/live-message.ts, with the same bounds the API enforces on ingest. A value
 * that fails is rejected whole, with a reason; nothing half-checked reaches the chart.
 */
import type { HistoryResponse, LiveMessage, NegotiateResponse, SeriesColumns } from '../../api/live-message.js';
import { MAX_POINTS_PER_EVENT, MAX_SERIES_PER_EVENT, SERIES_NAME_MAX_LENGTH, isPlainObject } from '../../api/events/points-data.js';
import { streamNameProblem } from '../../api/streams/stream-name.js';

const EVENT_ID_MAX_LENGTH = 512;
const URL_MAX_LENGTH = 4096;
const ACCESS_TOKEN_MAX_LENGTH = 16_384;
/** More messages than any configured history bound would keep; anything beyond is not a history. */
const HISTORY_MAX_MESSAGES = 200_000;

export class MalformedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedError';
  }
}

function fail(message: string): never {
  throw new MalformedError(message);
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${where} is not a finite number`);
  return value;
}

function sequenceNumber(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`${where} is not a non-negative integer`);
  return value as number;
}

function numberColumn(value: unknown, where: string): number[] {
  if (!Array.isArray(value)) fail(`${where} is not an array`);
  for (let i = 0; i < value.length; i += 1) {
    const item: unknown = value[i];
    if (typeof item !== 'number' || !Number.isFinite(item)) fail(`${where}[${i}] is not a finite number`);
  }
  return value as number[];
}

function seriesColumns(value: unknown, where: string): SeriesColumns {
  if (!isPlainObject(value)) fail(`${where} is not an object`);
  const { name } = value;
  if (typeof name !== 'string' || name.length === 0 || name.length > SERIES_NAME_MAX_LENGTH) {
    fail(`${where}.name is not a string of 1 to ${SERIES_NAME_MAX_LENGTH} characters`);
  }
  const x = numberColumn(value.x, `${where}.x`);
  const y = numberColumn(value.y, `${where}.y`);
  if (x.length !== y.length) fail(`${where}.x and .y differ in length`);
  return { name, x, y };
}

/** A live message as sent to a stream's group (target `points`). */
export function readLiveMessage(value: unknown): LiveMessage {
  if (!isPlainObject(value)) fail('message is not an object');
  if (value.v !== 1) fail('message.v is not 1');
  const { stream, id, series } = value;
  const streamProblem = streamNameProblem(stream);
  if (streamProblem) fail(`message.stream ${streamProblem}`);
  if (typeof id !== 'string' || id.length > EVENT_ID_MAX_LENGTH) fail(`message.id is not a string of at most ${EVENT_ID_MAX_LENGTH} characters`);
  const seq = sequenceNumber(value.seq, 'message.seq');
  if (seq === 0) fail('message.seq is 0');
  const time = finite(value.time, 'message.time');
  // Count before checking columns, so an oversized message costs no more than its length fields.
  if (!Array.isArray(series) || series.length > MAX_SERIES_PER_EVENT) fail(`message.series is not an array of at most ${MAX_SERIES_PER_EVENT}`);
  let points = 0;
  for (const item of series) points += isPlainObject(item) && Array.isArray(item.x) ? item.x.length : 0;
  if (points > MAX_POINTS_PER_EVENT) fail(`message holds ${points} points; the limit is ${MAX_POINTS_PER_EVENT}`);
  return {
    v: 1,
    stream: stream as string,
    seq,
    id,
    time,
    series: series.map((item, index) => seriesColumns(item, `message.series[${index}]`)),
  };
}

/** `GET {hub}/streams/{stream}/history` body; every message must belong to `stream`. */
export function readHistoryResponse(value: unknown, stream: string): HistoryResponse {
  if (!isPlainObject(value)) fail('history is not an object');
  if (value.stream !== stream) fail('history.stream is not the requested stream');
  const lastSeq = sequenceNumber(value.lastSeq, 'history.lastSeq');
  const { messages } = value;
  if (!Array.isArray(messages) || messages.length > HISTORY_MAX_MESSAGES) fail('history.messages is not an array of bounded length');
  const checked = messages.map((item) => readLiveMessage(item));
  for (const message of checked) {
    if (message.stream !== stream) fail('history holds a message of another stream');
    if (message.seq > lastSeq) fail('history holds a message newer than history.lastSeq');
  }
  return { stream, lastSeq, messages: checked };
}

/** `POST {hub}/negotiate` body. */
export function readNegotiateResponse(value: unknown): NegotiateResponse {
  if (!isPlainObject(value)) fail('negotiate response is not an object');
  const { url, accessToken } = value;
  if (typeof url !== 'string' || url.length > URL_MAX_LENGTH || !/^https?:\/\//i.test(url)) fail('negotiate response url is not an http(s) URL');
  if (typeof accessToken !== 'string' || accessToken.length === 0 || accessToken.length > ACCESS_TOKEN_MAX_LENGTH) {
    fail('negotiate response accessToken is not a token');
  }
  return { url, accessToken };
}
