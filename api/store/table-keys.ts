/**
 * Keys of the recent-points table. One partition per stream holds:
 * - `seq`: the stream's counter (last seq, oldest stored seq, stored point count, sent watermark);
 * - `m<inverted first seq>`: one segment row per transaction, holding the messages it stored
 *   (consecutive seqs); the inverted, zero-padded seq sorts the newest first, so reading recent
 *   points never scans older rows;
 * - `e<time bucket>-<chunk>`: the ids of the events accepted with an event time in one
 *   10-second bucket, a few transactions' worth in each chunk row, for dropping redeliveries;
 * - `e<sha-256 of event id>`: a marker of its own for an event without a time of its own.
 */
import { createHash } from 'node:crypto';

export const COUNTER_ROW_KEY = 'seq';
export const SEGMENT_ROW_PREFIX = 'm';
/** First key after every segment row key. */
export const SEGMENT_ROW_END = 'n';
/** Accepted event ids, in buckets and in markers of their own, share one key range (pruned together). */
export const EVENT_ID_ROW_PREFIX = 'e';
export const EVENT_ID_ROW_END = 'f';

const SEQ_DIGITS = 16;
/** Event times are bucketed by this span: a bucket is read once, then known, while a stream is busy. */
export const ID_BUCKET_SPAN_IN_MS = 10_000;
/** Bucket numbers are shifted to stay positive for any ISO-8601 year (0000 to 9999). */
const BUCKET_OFFSET = 10 ** 11;
const BUCKET_DIGITS = 12;
const CHUNK_DIGITS = 4;

/** Stream names contain `/`, which keys may not; `!` is not a stream name character, so this is reversible. */
export function partitionKey(stream: string): string {
  return stream.replaceAll('/', '!');
}

/** Row key of the segment whose first message has seq `firstSeq`. */
export function segmentRowKey(firstSeq: number): string {
  return SEGMENT_ROW_PREFIX + String(Number.MAX_SAFE_INTEGER - firstSeq).padStart(SEQ_DIGITS, '0');
}

export function firstSeqFromSegmentRowKey(rowKey: string): number {
  return Number.MAX_SAFE_INTEGER - Number(rowKey.slice(SEGMENT_ROW_PREFIX.length));
}

/** The bucket of an event time (epoch ms). */
export function idBucketOf(time: number): number {
  return Math.floor(time / ID_BUCKET_SPAN_IN_MS) + BUCKET_OFFSET;
}

export function idBucketRowKey(bucket: number, chunk: number): string {
  return `${EVENT_ID_ROW_PREFIX}${String(bucket).padStart(BUCKET_DIGITS, '0')}-${String(chunk).padStart(CHUNK_DIGITS, '0')}`;
}

/** Row keys `[from, to)` of every chunk of a bucket. */
export function idBucketRowRange(bucket: number): { from: string; to: string } {
  const prefix = `${EVENT_ID_ROW_PREFIX}${String(bucket).padStart(BUCKET_DIGITS, '0')}`;
  return { from: `${prefix}-`, to: `${prefix}.` };
}

/** A bucket chunk's key, as against a marker's (`e` and hex digits only). */
export function isIdBucketRowKey(rowKey: string): boolean {
  return rowKey.startsWith(EVENT_ID_ROW_PREFIX) && rowKey.includes('-');
}

export function chunkFromIdBucketRowKey(rowKey: string): number {
  return Number(rowKey.slice(rowKey.lastIndexOf('-') + 1));
}

/** Event ids are free text (up to any length the schema allows), so buckets hold 96 bits of their hash. */
export function idHash(eventId: string): string {
  return createHash('sha256').update(eventId, 'utf8').digest('base64url').slice(0, 16);
}

/** Marker of an event without a time of its own: the full hash, as a key. */
export function markerRowKey(eventId: string): string {
  return EVENT_ID_ROW_PREFIX + createHash('sha256').update(eventId, 'utf8').digest('hex');
}
