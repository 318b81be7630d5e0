/**
 * The y range while following live. Plotly's autorange refits the axis on every redraw, so a
 * noisy signal makes the axis (and every tick label) jump many times a second. Instead the
 * range is fitted with headroom and kept while the data stay inside it and fill a fair part
 * of it; fixed ends (`y-min`, `y-max`) are kept as given.
 */

/** Room left above and below the data when the range is fitted, as a fraction of the data span. */
const HEADROOM = 0.1;
/** Refit when the data shrink to less than this fraction of the range. */
const MIN_FILL = 0.4;

export interface FixedEnds {
  min?: number;
  max?: number;
}

export class StickyYRange {
  private range?: [number, number];

  /** The range for data spanning `extent` (undefined when there are no data and no fixed ends). */
  fit(extent: [number, number] | undefined, fixed: FixedEnds = {}): [number, number] | undefined {
    if (fixed.min !== undefined && fixed.max !== undefined) return [fixed.min, fixed.max];
    if (!extent) {
      this.range = undefined;
      return fixed.min !== undefined ? [fixed.min, fixed.min + 1] : fixed.max !== undefined ? [fixed.max - 1, fixed.max] : undefined;
    }
    const low = fixed.min ?? Math.min(extent[0], fixed.max ?? Infinity);
    const high = fixed.max ?? Math.max(extent[1], fixed.min ?? -Infinity);
    const current = this.range;
    const fits = current && low >= current[0] && high <= current[1] && high - low >= MIN_FILL * (current[1] - current[0]);
    if (!fits) {
      const pad = (high - low || Math.abs(high) || 1) * HEADROOM;
      this.range = [low - pad, high + pad];
    }
    const [from, to] = this.range as [number, number];
    return [fixed.min ?? from, fixed.max ?? to];
  }

  reset(): void {
    this.range = undefined;
  }
}

/** Lowest and highest y of the series, or undefined when they hold no points. */
export function yExtent(series: readonly { y: readonly number[] }[]): [number, number] | undefined {
  let low = Infinity;
  let high = -Infinity;
  for (const { y } of series) {
    for (const value of y) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  return low <= high ? [low, high] : undefined;
}
