/** Strict ISO-8601 times (what Event Grid, CloudEvents and publishers send) to epoch milliseconds. */

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch milliseconds, or undefined when `text` is not an ISO-8601 date or date-time. A date-time
 * without an offset is taken as UTC (as Event Grid writes times), not as the server's local time.
 */
export function parseIsoTime(text: string): number | undefined {
  if (text.length > 40) return undefined;
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const [, date, time, offset] = match;
  const normalized = time === undefined ? date : `${date}T${time}${offset ?? 'Z'}`;
  const milliseconds = Date.parse(normalized);
  return Number.isFinite(milliseconds) ? milliseconds : undefined;
}
