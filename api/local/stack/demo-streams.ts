/**
 * The streams of the demo pages and what feeds them: three fed continuously by the stack's
 * publisher (one per chart type and x kind), and one fed only by the demo page's "Run" button.
 */
import type { DataFormat } from '../../../demo/publisher/event-builder.js';
import type { ValueShape } from '../../../demo/publisher/value-shapes.js';

export interface DemoFeed {
  stream: string;
  series: string[];
  shape: ValueShape;
  /** `points` has time x (the publish time); `seed` has number x (the sample index). */
  format: DataFormat;
  ratePerSecond: number;
}

/** Readable anonymously in the local stack (`PUBLIC_STREAMS` unless set). */
export const DEMO_STREAM_PATTERN = 'demo/*';

export const CONTINUOUS_FEEDS: readonly DemoFeed[] = [
  { stream: 'demo/temperature', series: ['inside', 'outside'], shape: 'random-walk', format: 'points', ratePerSecond: 2 },
  { stream: 'demo/vibration', series: ['axial', 'radial'], shape: 'sine', format: 'points', ratePerSecond: 5 },
  // The original sample's array format: values only, so the series are series-1, series-2, ...
  { stream: 'demo/levels', series: ['series-1', 'series-2', 'series-3'], shape: 'sawtooth', format: 'seed', ratePerSecond: 1 },
];

/** The original sample's "Run": two series of whole numbers from 1 to 99, here as a fast burst. */
export const BURST_FEED: DemoFeed = { stream: 'demo/run', series: ['series-1', 'series-2'], shape: 'random', format: 'points', ratePerSecond: 50 };
export const BURST_DEFAULT_EVENTS = 100;
export const BURST_MAX_EVENTS = 1000;
