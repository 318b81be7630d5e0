/**
 * What one store instance remembers of the streams it writes, so that a busy stream's next
 * transaction needs no reads: the counter row as last committed (with its ETag), the sizes of
 * the segment rows, the id buckets it read or wrote, and the seqs it sent above the counter's
 * sent watermark. None of it is trusted blindly: a transaction built from it is guarded by the
 * counter's ETag (every transaction writes the counter), so when another instance got in
 * between, storage refuses it and the store reads the truth again. What was known under an
 * older ETag is forgotten with it. Everything is bounded.
 */
import { type AcceptedId, type KnownBucket } from './id-buckets.js';

export interface CounterState {
  lastSeq: number;
  oldestSeq: number;
  storedPoints: number;
  /** Every seq up to this one reached SignalR or was trimmed (the sent watermark): a redelivery of one is dropped. */
  sentThrough: number;
}

export interface CachedCounter {
  state: CounterState;
  etag: string;
}

/** A stored segment row: `count` messages from seq `first`, `points` points in all. */
export interface SegmentSize {
  first: number;
  count: number;
  points: number;
}

const MAX_STREAMS = 1000;
const MAX_SEGMENTS_PER_STREAM = 20_000;
const MAX_KNOWN_IDS_PER_STREAM = 20_000;
/** A bucket not used this long is forgotten (read again if a late redelivery needs it), so memory follows the recent rate. */
const BUCKET_IDLE_IN_MS = 60_000;
const MAX_SENT_SEQS_PER_STREAM = 1000;
/** A transaction's segment holds at most this many messages. */
export const MAX_EVENTS_PER_TRANSACTION = 32;

export class StreamMemory {
  #counter: CachedCounter | undefined;
  /** Segment sizes by first seq: a segment row is written once, so a size stays true. */
  readonly #segments = new Map<number, SegmentSize>();
  /** No segment below this seq is kept. */
  #segmentsFrom = 1;
  /** Id buckets as known under the counter's ETag, with when each was last used, least recently used first. */
  readonly #buckets = new Map<number, { bucket: KnownBucket; usedAt: number }>();
  #knownIds = 0;
  /** Seqs this instance sent that the stored watermark may not cover yet, oldest first. */
  readonly #sentSeqs = new Set<number>();

  /** The counter row as this instance last committed or read it; undefined when it must be read again. */
  get counter(): CachedCounter | undefined {
    return this.#counter;
  }

  /**
   * The counter as just read or written. Under an ETag other than the remembered one, someone
   * else wrote the stream meanwhile: the buckets known until now may be out of date.
   */
  adopt(counter: CachedCounter | undefined): void {
    if (counter?.etag !== this.#counter?.etag || counter === undefined) this.forgetBuckets();
    this.#counter = counter;
  }

  /** The counter as this instance just wrote it under the remembered ETag: what was known stays true. */
  wrote(counter: CachedCounter | undefined): void {
    if (counter === undefined) this.forget();
    else this.#counter = counter;
  }

  /** The stream must be read again before it is written. */
  forget(): void {
    this.adopt(undefined);
  }

  /** Notes a committed transaction: the counter it wrote (under its new ETag), the segment it created, the ids it accepted. */
  committed(state: CounterState, etag: string | undefined, segment: SegmentSize | undefined, accepted: ReadonlyMap<number, { chunk: number; ids: readonly AcceptedId[] }>): void {
    if (etag === undefined) return this.forget();
    this.#counter = { state, etag };
    this.#forgetSegmentsBelow(state.oldestSeq);
    if (segment) this.noteSegment(segment);
    for (const [number, { chunk, ids }] of accepted) {
      const bucket = this.#buckets.get(number)?.bucket;
      if (!bucket) continue;
      if (chunk !== bucket.chunk) Object.assign(bucket, { chunk, entriesInChunk: 0 });
      bucket.entriesInChunk += 1;
      for (const { hash, seq } of ids) bucket.ids.set(hash, seq);
      this.#knownIds += ids.length;
    }
    this.#boundBuckets();
  }

  segment(first: number): SegmentSize | undefined {
    return this.#segments.get(first);
  }

  /** The remembered segment holding `seq`, if any. */
  segmentHolding(seq: number): SegmentSize | undefined {
    for (let first = seq; first > seq - MAX_EVENTS_PER_TRANSACTION && first >= this.#segmentsFrom; first -= 1) {
      const segment = this.#segments.get(first);
      if (segment) return segment.first + segment.count > seq ? segment : undefined;
    }
    return undefined;
  }

  noteSegment(segment: SegmentSize): void {
    if (segment.first < this.#segmentsFrom) return;
    this.#segments.set(segment.first, segment);
    if (this.#segments.size > MAX_SEGMENTS_PER_STREAM) this.#segments.delete(this.#segments.keys().next().value!);
  }

  /** Trimmed segments are gone for good: their sizes go too. */
  #forgetSegmentsBelow(oldestSeq: number): void {
    if (oldestSeq <= this.#segmentsFrom) return;
    for (const first of this.#segments.keys()) if (first < oldestSeq) this.#segments.delete(first);
    this.#segmentsFrom = oldestSeq;
  }

  /** A bucket known under the current ETag, if any. */
  bucket(number: number): KnownBucket | undefined {
    const known = this.#buckets.get(number);
    if (!known) return undefined;
    this.#buckets.delete(number);
    this.#buckets.set(number, { bucket: known.bucket, usedAt: Date.now() });
    return known.bucket;
  }

  /** Notes a bucket as read under the current ETag. */
  noteBucket(number: number, bucket: KnownBucket): void {
    this.#dropBucket(number);
    this.#buckets.set(number, { bucket, usedAt: Date.now() });
    this.#knownIds += bucket.ids.size;
    this.#boundBuckets();
  }

  /** What is known of the buckets is not true any more (another writer, or ids pruned). */
  forgetBuckets(): void {
    this.#buckets.clear();
    this.#knownIds = 0;
  }

  /**
   * The least recently used buckets go first: those idle for a minute, then as many as the bound
   * needs (a bucket larger than the bound alone is read again when next needed).
   */
  #boundBuckets(): void {
    const idleBefore = Date.now() - BUCKET_IDLE_IN_MS;
    for (const [number, { usedAt }] of this.#buckets) {
      if (this.#knownIds <= MAX_KNOWN_IDS_PER_STREAM && usedAt >= idleBefore) break;
      this.#dropBucket(number);
    }
  }

  #dropBucket(number: number): void {
    const bucket = this.#buckets.get(number)?.bucket;
    if (!bucket) return;
    this.#knownIds -= bucket.ids.size;
    this.#buckets.delete(number);
  }

  /** Notes seqs whose messages reached SignalR. */
  noteSent(seqs: readonly number[]): void {
    for (const seq of seqs) this.#sentSeqs.add(seq);
    while (this.#sentSeqs.size > MAX_SENT_SEQS_PER_STREAM) this.#sentSeqs.delete(this.#sentSeqs.values().next().value!);
  }

  /**
   * How far the sent watermark of a counter may move: past every trimmed seq (a redelivery of
   * one is dropped whether it was sent or not, so an unsent one that was trimmed cannot hold the
   * watermark back for good), then past every following seq known sent, and no further.
   */
  sentThrough(counter: Pick<CounterState, 'sentThrough' | 'oldestSeq'>): number {
    let through = Math.max(counter.sentThrough, counter.oldestSeq - 1);
    while (this.#sentSeqs.has(through + 1)) through += 1;
    return through;
  }

  /** A watermark `to` was stored: the seqs it covers need no memory. */
  watermarkStored(to: number): void {
    for (const seq of this.#sentSeqs) if (seq <= to) this.#sentSeqs.delete(seq);
  }
}

/** Per partition, its memory; the least recently used stream is forgotten beyond `MAX_STREAMS`. */
export class StreamMemories {
  readonly #streams = new Map<string, StreamMemory>();

  of(pk: string): StreamMemory {
    let memory = this.#streams.get(pk);
    if (memory) this.#streams.delete(pk);
    else memory = new StreamMemory();
    this.#streams.set(pk, memory);
    if (this.#streams.size > MAX_STREAMS) this.#streams.delete(this.#streams.keys().next().value!);
    return memory;
  }
}
