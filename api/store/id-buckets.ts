/**
 * Accepted event ids of one time bucket, as chunk rows hold them: every transaction that accepts
 * events of the bucket adds one property (`b<seq>`: `seq:hash,seq:hash,...`) to the bucket's
 * newest chunk by an upsert-merge, so recording needs no read of the row, and a chunk that is
 * full (an entity has at most 252 properties) gives way to the next.
 */
import { chunkFromIdBucketRowKey } from './table-keys.js';

const ENTRY_PROPERTY_PREFIX = 'b';
export const MAX_ENTRIES_PER_CHUNK = 200;

/** A bucket as one store instance knows it: the hashes accepted, each with its seq, and where the next entries go. */
export interface KnownBucket {
  ids: Map<string, number>;
  chunk: number;
  entriesInChunk: number;
}

export interface AcceptedId {
  hash: string;
  seq: number;
}

export const emptyBucket = (): KnownBucket => ({ ids: new Map(), chunk: 0, entriesInChunk: 0 });

/** The property that notes `accepted` (consecutive transactions never share a first seq). */
export function entryProperty(accepted: readonly AcceptedId[]): Record<string, string> {
  return { [`${ENTRY_PROPERTY_PREFIX}${accepted[0].seq}`]: accepted.map(({ seq, hash }) => `${seq}:${hash}`).join(',') };
}

/** A bucket as its chunk rows say. */
export function bucketFromRows(rows: readonly Record<string, unknown>[]): KnownBucket {
  const bucket = emptyBucket();
  for (const row of rows) {
    const chunk = chunkFromIdBucketRowKey(String(row.rowKey));
    let entries = 0;
    for (const [name, value] of Object.entries(row)) {
      if (!name.startsWith(ENTRY_PROPERTY_PREFIX) || typeof value !== 'string') continue;
      entries += 1;
      for (const entry of value.split(',')) {
        const colon = entry.indexOf(':');
        bucket.ids.set(entry.slice(colon + 1), Number(entry.slice(0, colon)));
      }
    }
    if (chunk >= bucket.chunk) Object.assign(bucket, { chunk, entriesInChunk: entries });
  }
  return bucket;
}
