/**
 * CSV export of the points on view (RFC 4180: comma separated, CRLF, fields quoted when needed).
 * Text fields that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a
 * leading apostrophe, so a series named `=HYPERLINK(...)` stays text.
 */
import type { SeriesColumnsCopy } from './series-store.js';

export type XAxisKind = 'time' | 'number';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvText(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function xText(x: number, xAxis: XAxisKind): string {
  if (xAxis === 'number') return String(x);
  const time = new Date(x);
  return Number.isNaN(time.getTime()) ? String(x) : time.toISOString();
}

/** One row per point: `series,x,y`; x as an ISO-8601 time on a time axis. */
export function seriesToCsv(series: readonly SeriesColumnsCopy[], xAxis: XAxisKind): string {
  const rows = [`series,${xAxis === 'time' ? 'time' : 'x'},y`];
  for (const { name, x, y } of series) {
    const label = csvText(name);
    for (let i = 0; i < x.length; i += 1) rows.push(`${label},${xText(x[i], xAxis)},${y[i]}`);
  }
  return `${rows.join('\r\n')}\r\n`;
}
