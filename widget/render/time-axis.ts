/**
 * Plotly draws date axes in UTC only. To show the reader's local time, times are handed to
 * Plotly shifted by the local UTC offset, and values read back from Plotly (a user's zoom) are
 * shifted back. The offset is taken at the newest point, so a window that spans a daylight
 * saving change is off by that hour on one side of it.
 */

/** Milliseconds to add to an epoch time to get the local wall-clock time as if it were UTC. */
export function localTimeShiftInMs(at: number): number {
  const offsetInMinutes = new Date(at).getTimezoneOffset();
  return Number.isFinite(offsetInMinutes) ? -offsetInMinutes * 60_000 : 0;
}

/** An axis value from Plotly (a number, or a date string on date axes) as an x value. */
export function fromPlotlyAxisValue(value: unknown, shiftInMs: number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value - shiftInMs : undefined;
  if (typeof value !== 'string') return undefined;
  // Plotly writes dates as "2026-12-03 18:00:05.123" (UTC, without a zone).
  const time = Date.parse(`${value.trim().replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`);
  return Number.isNaN(time) ? undefined : time - shiftInMs;
}
