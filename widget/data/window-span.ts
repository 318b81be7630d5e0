/**
 * The `window` attribute: how much x the chart keeps, ending at the newest point. `30s`, `5m`,
 * `1.5h`, `2d`, `250ms`, or a plain number (milliseconds on a time axis, x units on a number axis).
 */

const UNIT_IN_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SPAN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\s*$/i;

/** The span, or undefined for an empty value; throws a readable error for anything else. */
export function parseWindowSpan(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const match = SPAN.exec(value);
  const span = match ? Number(match[1]) * UNIT_IN_MS[(match[2] ?? 'ms').toLowerCase()] : NaN;
  if (!(span > 0) || !Number.isFinite(span)) {
    throw new RangeError(`window="${value.slice(0, 40)}" is not a span like 30s, 5m, 1h, 2d, 250ms or a positive number`);
  }
  return span;
}
