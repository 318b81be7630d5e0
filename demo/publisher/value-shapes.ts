/**
 * Shapes of the values a publisher sends, one source per stream and one value per series per
 * sample. `random` is the original sample's: whole numbers from 1 to 99.
 */

export const VALUE_SHAPES = ['random-walk', 'sine', 'sawtooth', 'random'] as const;
export type ValueShape = (typeof VALUE_SHAPES)[number];

/** Samples per cycle of `sine` and `sawtooth`: 30 s at the default 2 events/s. */
export const SHAPE_PERIOD_IN_SAMPLES = 60;

/** Values of sample `index` (0, 1, 2, ... in order), one per series. */
export type ValueSource = (index: number) => number[];

export function createValueSource(shape: ValueShape, seriesCount: number, random: () => number = Math.random): ValueSource {
  // Series are spread out (phase or level) so they can be told apart on a chart.
  const series = Array.from({ length: seriesCount }, (_, i) => i);
  const phase = (i: number): number => i / Math.max(seriesCount, 1);
  switch (shape) {
    case 'random':
      return () => series.map(() => 1 + Math.floor(random() * 99));
    case 'sine':
      return (index) => series.map((i) => round(50 + 40 * Math.sin(2 * Math.PI * (index / SHAPE_PERIOD_IN_SAMPLES + phase(i)))));
    case 'sawtooth':
      return (index) => series.map((i) => round(100 * ((index / SHAPE_PERIOD_IN_SAMPLES + phase(i)) % 1)));
    case 'random-walk': {
      const levels = series.map((i) => 20 + 60 * phase(i));
      return () => levels.map((level, i) => {
        // Steps of at most 2 either way, reflected at 0 and 100 so the walk stays on the chart.
        const next = level + (random() * 4 - 2);
        levels[i] = next < 0 ? -next : next > 100 ? 200 - next : next;
        return round(levels[i]);
      });
    }
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
