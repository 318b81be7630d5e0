/**
 * Which messages of one stream a widget has, by `seq` (one per accepted event, from 1, no holes):
 * tells duplicates from new messages and notices gaps, so that only the missing range is
 * fetched from history. Memory is bounded: past {@link MAX_TRACKED_AHEAD} out-of-order
 * messages, the older gaps are given up (their points would have left any window by then).
 */

export const MAX_TRACKED_AHEAD = 4096;

export class SequenceTracker {
  /** Every message up to this seq is in (or was given up); undefined until the first history sync. */
  private contiguous: number | undefined;
  /** Seqs received beyond `contiguous + 1`. */
  private readonly ahead = new Set<number>();

  /** True when `seq` is new (and records it), false for a duplicate. */
  accept(seq: number): boolean {
    if (this.contiguous !== undefined && seq <= this.contiguous) return false;
    if (this.ahead.has(seq)) return false;
    if (this.contiguous !== undefined && seq === this.contiguous + 1) {
      this.contiguous = seq;
      this.absorbAhead();
      return true;
    }
    this.ahead.add(seq);
    if (this.ahead.size > MAX_TRACKED_AHEAD) this.giveUpOldestGaps();
    return true;
  }

  /** The `afterSeq` to ask history for: undefined means "the recent past" (a first backfill). */
  get syncAfter(): number | undefined {
    return this.contiguous;
  }

  /** A sync is due: never synced, or messages are missing below some received one. */
  get needsSync(): boolean {
    return this.contiguous === undefined || this.ahead.size > 0;
  }

  /**
   * Records a history answer: everything up to `lastSeq` was delivered, or is older than the
   * history keeps and will not come. (A `lastSeq` below {@link syncAfter} means the server's
   * sequence started over; the caller resets instead.)
   */
  settle(lastSeq: number): void {
    this.contiguous = Math.max(this.contiguous ?? lastSeq, lastSeq);
    for (const seq of this.ahead) if (seq <= this.contiguous) this.ahead.delete(seq);
    this.absorbAhead();
  }

  reset(): void {
    this.contiguous = undefined;
    this.ahead.clear();
  }

  /** Treats the older half of the tracked seqs as contiguous (rare, so the sort is cheap overall). */
  private giveUpOldestGaps(): void {
    const sorted = [...this.ahead].sort((a, b) => a - b);
    this.contiguous = sorted[Math.floor(sorted.length / 2)];
    for (const seq of sorted) {
      if (seq > this.contiguous) break;
      this.ahead.delete(seq);
    }
    this.absorbAhead();
  }

  private absorbAhead(): void {
    if (this.contiguous === undefined) return;
    while (this.ahead.delete(this.contiguous + 1)) this.contiguous += 1;
  }
}
