/**
 * All series of one widget, bounded by its window: at most `maxPoints` per series and, when a
 * span is set, only points within `span` of the newest x. Series are kept in order of first
 * appearance (the legend order), at most {@link MAX_SERIES} of them.
 */
import type { LiveMessage } from '../../api/live-message.js';
import { MAX_SERIES_PER_EVENT } from '../../api/events/points-data.js';
import { SeriesBuffer } from './series-buffer.js';

/** Series per widget; a stream that names more gets the first ones drawn and the rest counted. */
export const MAX_SERIES = MAX_SERIES_PER_EVENT;

export interface WindowBounds {
  /** Points kept per series. */
  maxPoints: number;
  /** Kept x range, ending at the newest x (milliseconds on a time axis); unbounded when left out. */
  span?: number;
}

export interface SeriesColumnsCopy {
  name: string;
  x: number[];
  y: number[];
}

export class SeriesStore {
  readonly series = new Map<string, SeriesBuffer>();
  /** Points of series beyond {@link MAX_SERIES}, not kept. */
  droppedPoints = 0;
  /** Changes whenever the kept points change. */
  revision = 0;
  private newestX = -Infinity;

  constructor(private bounds: WindowBounds) {}

  get window(): WindowBounds {
    return this.bounds;
  }

  /** The newest x seen since the last clear (the right edge of a live view). */
  get newest(): number | undefined {
    return Number.isFinite(this.newestX) ? this.newestX : undefined;
  }

  get pointCount(): number {
    let count = 0;
    for (const buffer of this.series.values()) count += buffer.length;
    return count;
  }

  setWindow(bounds: WindowBounds): void {
    this.bounds = bounds;
    this.trim();
    this.revision += 1;
  }

  add(message: LiveMessage): void {
    for (const { name, x, y } of message.series) {
      let buffer = this.series.get(name);
      if (!buffer) {
        if (this.series.size >= MAX_SERIES) {
          this.droppedPoints += x.length;
          continue;
        }
        buffer = new SeriesBuffer();
        this.series.set(name, buffer);
      }
      for (let i = 0; i < x.length; i += 1) {
        buffer.insert(x[i], y[i]);
        if (x[i] > this.newestX) this.newestX = x[i];
      }
    }
    this.trim();
    this.revision += 1;
  }

  clear(): void {
    this.series.clear();
    this.newestX = -Infinity;
    this.droppedPoints = 0;
    this.revision += 1;
  }

  /** An independent copy (the frozen view of a paused chart). */
  clone(): SeriesStore {
    const copy = new SeriesStore(this.bounds);
    for (const { name, x, y } of this.copy()) {
      const buffer = new SeriesBuffer();
      for (let i = 0; i < x.length; i += 1) buffer.insert(x[i], y[i]);
      copy.series.set(name, buffer);
    }
    copy.newestX = this.newestX;
    copy.revision = this.revision;
    return copy;
  }

  /** Copies of the kept points, optionally only those with x in [from, to]. */
  copy(range?: [number, number]): SeriesColumnsCopy[] {
    return [...this.series].map(([name, buffer]) => {
      const from = range ? buffer.lowerBound(range[0]) : 0;
      const to = range ? buffer.upperBound(range[1]) : buffer.length;
      return { name, ...buffer.columns(from, Math.max(from, to)) };
    });
  }

  /** The newest point of each series (for the spoken summary). */
  latest(): { name: string; x: number; y: number }[] {
    const points: { name: string; x: number; y: number }[] = [];
    for (const [name, buffer] of this.series) {
      if (buffer.length) points.push({ name, x: buffer.x(buffer.length - 1), y: buffer.y(buffer.length - 1) });
    }
    return points;
  }

  private trim(): void {
    const { maxPoints, span } = this.bounds;
    const minX = span === undefined ? undefined : this.newestX - span;
    for (const buffer of this.series.values()) {
      if (minX !== undefined) buffer.dropBefore(minX);
      buffer.keepLast(maxPoints);
    }
  }
}
