/**
 * What one store instance remembers of the streams it writes, so that a busy stream's next
 * transaction needs no reads: the counter row as last committed (with its ETag), the point
 * counts of message rows, the event ids accepted lately, and the seqs it sent above the
 * counter's sent watermark. None of it is trusted blindly: a transaction built from it is
 * guarded by the counter's ETag and by creating the marker rows, so when another instance or a
 * redelivery got in between, storage refuses it and the store reads the truth again.
 * Everything is bounded.
 */
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

const MAX_STREAMS = 1000;
const MAX_POINT_COUNTS_PER_STREAM = 20_000;
const MAX_RECENT_IDS_PER_STREAM = 1000;
const MAX_SENT_SEQS_PER_STREAM = 1000;

export class StreamMemory {
  /** The counter row as this instance last committed or read it; undefined when it must be read again. */
  counter: CachedCounter | undefined;
  /** Point counts of message rows by seq: a seq's row is written once, so a count stays true. */
  readonly #pointCounts = new Map<number, number>();
  /** No count below this seq is kept. */
  #countsFrom = 1;
  /** Event ids this instance stored lately, oldest first. */
  readonly #recentIds = new Set<string>();
  /** Seqs this instance sent that the stored watermark may not cover yet, oldest first. */
  readonly #sentSeqs = new Set<number>();

  pointCount(seq: number): number | undefined {
    return this.#pointCounts.get(seq);
  }

  /**
   * Notes a committed transaction: the counter it wrote (remembered only with its new ETag), the
   * rows it created, the ids it accepted.
   */
  committed(state: CounterState, etag: string | undefined, created: readonly { seq: number; points: number }[], eventIds: readonly string[]): void {
    this.counter = etag === undefined ? undefined : { state, etag };
    this.#forgetCountsBelow(state.oldestSeq);
    for (const { seq, points } of created) this.notePointCount(seq, points);
    for (const id of eventIds) {
      this.#recentIds.delete(id);
      this.#recentIds.add(id);
      if (this.#recentIds.size > MAX_RECENT_IDS_PER_STREAM) this.#recentIds.delete(this.#recentIds.values().next().value!);
    }
  }

  notePointCount(seq: number, points: number): void {
    if (seq < this.#countsFrom) return;
    this.#pointCounts.set(seq, points);
    if (this.#pointCounts.size > MAX_POINT_COUNTS_PER_STREAM) this.#pointCounts.delete(this.#pointCounts.keys().next().value!);
  }

  /** Trimmed rows are gone for good: their counts go too (walking the seqs or the map, whichever is shorter). */
  #forgetCountsBelow(oldestSeq: number): void {
    if (oldestSeq <= this.#countsFrom) return;
    if (oldestSeq - this.#countsFrom <= this.#pointCounts.size) {
      for (let seq = this.#countsFrom; seq < oldestSeq; seq += 1) this.#pointCounts.delete(seq);
    } else {
      for (const seq of this.#pointCounts.keys()) if (seq < oldestSeq) this.#pointCounts.delete(seq);
    }
    this.#countsFrom = oldestSeq;
  }

  acceptedLately(eventId: string): boolean {
    return this.#recentIds.has(eventId);
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
