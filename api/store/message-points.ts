/** Point counting and trimming of live messages (columnar series). */
import type { LiveMessage, SeriesColumns } from '../live-message.js';

export function countPoints(message: Pick<LiveMessage, 'series'>): number {
  return message.series.reduce((total, series) => total + series.x.length, 0);
}

/**
 * The message with only its `count` newest points: those with the largest x (the later point of
 * a series wins a tie), kept in their original order; series left empty are dropped.
 */
export function newestPoints(message: LiveMessage, count: number): LiveMessage {
  if (countPoints(message) <= count) return message;
  const points: { x: number; series: number; index: number }[] = [];
  message.series.forEach((series, seriesIndex) => {
    series.x.forEach((x, index) => points.push({ x, series: seriesIndex, index }));
  });
  points.sort((a, b) => b.x - a.x || b.index - a.index || b.series - a.series);
  const kept = message.series.map((series) => new Array<boolean>(series.x.length).fill(false));
  for (const point of points.slice(0, Math.max(0, count))) kept[point.series][point.index] = true;
  const series: SeriesColumns[] = [];
  message.series.forEach((columns, seriesIndex) => {
    const keep = kept[seriesIndex];
    const x = columns.x.filter((_, index) => keep[index]);
    if (x.length > 0) series.push({ name: columns.name, x, y: columns.y.filter((_, index) => keep[index]) });
  });
  return { ...message, series };
}
