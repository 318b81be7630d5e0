/**
 * Keys of the recent-points table. One partition per stream holds:
 * - `seq`: the stream's counter (last seq, oldest stored seq, stored point count, sent watermark);
 * - `m<inverted seq>`: one row per stored message; the inverted, zero-padded seq sorts the
 *   newest first, so reading recent points never scans older rows;
 * - `e<sha-256 of event id>`: one marker per accepted event id, for dropping redeliveries.
 */
import { createHash } from 'node:crypto';

export const COUNTER_ROW_KEY = 'seq';
export const MESSAGE_ROW_PREFIX = 'm';
/** First key after every message row key. */
export const MESSAGE_ROW_END = 'n';
export const MARKER_ROW_PREFIX = 'e';
export const MARKER_ROW_END = 'f';

const SEQ_DIGITS = 16;

/** Stream names contain `/`, which keys may not; `!` is not a stream name character, so this is reversible. */
export function partitionKey(stream: string): string {
  return stream.replaceAll('/', '!');
}

/** Row key of message `seq` (0 gives the key after every stored message). */
export function messageRowKey(seq: number): string {
  return MESSAGE_ROW_PREFIX + String(Number.MAX_SAFE_INTEGER - seq).padStart(SEQ_DIGITS, '0');
}

export function seqFromMessageRowKey(rowKey: string): number {
  return Number.MAX_SAFE_INTEGER - Number(rowKey.slice(MESSAGE_ROW_PREFIX.length));
}

/** Event ids are free text (up to any length the schema allows), so the key is their hash. */
export function markerRowKey(eventId: string): string {
  return MARKER_ROW_PREFIX + createHash('sha256').update(eventId, 'utf8').digest('hex');
}
