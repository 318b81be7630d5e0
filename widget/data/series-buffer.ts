/**
 * The points of one series, kept sorted by x (points that arrive out of order are placed where
 * they belong; equal x keep arrival order). Old points are dropped from the front in O(1) and
 * the arrays are compacted in place, so memory stays within about twice the window.
 */

/** Compact once this many dropped slots lead the arrays and they outnumber the kept points. */
const COMPACT_AFTER = 1024;

export class SeriesBuffer {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private start = 0;

  get length(): number {
    return this.xs.length - this.start;
  }

  /** x of the i-th kept point (0 = oldest). */
  x(index: number): number {
    return this.xs[this.start + index];
  }

  y(index: number): number {
    return this.ys[this.start + index];
  }

  get lastX(): number | undefined {
    return this.length ? this.xs[this.xs.length - 1] : undefined;
  }

  insert(x: number, y: number): void {
    const end = this.xs.length;
    if (end === this.start || x >= this.xs[end - 1]) {
      this.xs.push(x);
      this.ys.push(y);
      return;
    }
    // After every point with the same x: equal x keep arrival order.
    const at = this.search(x, true);
    this.xs.splice(at, 0, x);
    this.ys.splice(at, 0, y);
  }

  /** Drops points with x below `minX`. */
  dropBefore(minX: number): void {
    while (this.start < this.xs.length && this.xs[this.start] < minX) this.start += 1;
    this.compact();
  }

  /** Drops the oldest points beyond `count`. */
  keepLast(count: number): void {
    if (this.length > count) this.start = this.xs.length - count;
    this.compact();
  }

  /** Index of the first kept point with x >= `value`. */
  lowerBound(value: number): number {
    return this.search(value, false) - this.start;
  }

  /** Index of the first kept point with x > `value`. */
  upperBound(value: number): number {
    return this.search(value, true) - this.start;
  }

  /** Binary search over the kept points: first index with x > value (upper) or x >= value. */
  private search(value: number, upper: boolean): number {
    let low = this.start;
    let high = this.xs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.xs[mid] < value || (upper && this.xs[mid] === value)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Copies of the kept points in [from, to) (indexes as for {@link x}). */
  columns(from = 0, to = this.length): { x: number[]; y: number[] } {
    return { x: this.xs.slice(this.start + from, this.start + to), y: this.ys.slice(this.start + from, this.start + to) };
  }

  private compact(): void {
    if (this.start < COMPACT_AFTER || this.start < this.length) return;
    const kept = this.length;
    this.xs.copyWithin(0, this.start);
    this.ys.copyWithin(0, this.start);
    this.xs.length = kept;
    this.ys.length = kept;
    this.start = 0;
  }
}
