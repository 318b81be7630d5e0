/**
 * The spoken summary of a live chart: the latest value of each series, offered to an
 * `aria-live` region at most once per interval, so a screen reader hears the chart change
 * without being flooded at the data rate.
 */
import type { XAxisKind } from '../data/csv.js';

const DEFAULT_INTERVAL_IN_MS = 5000;
const MAX_SERIES_SPOKEN = 6;

export class LiveSummary {
  private timer?: ReturnType<typeof setTimeout>;
  private lastPublishedAt = -Infinity;
  private compose?: () => string;

  constructor(
    private readonly publish: (text: string) => void,
    private readonly intervalInMs = DEFAULT_INTERVAL_IN_MS,
  ) {}

  /** Asks for an update; `compose` runs when the update is due (at most once per interval). */
  offer(compose: () => string): void {
    this.compose = compose;
    if (this.timer) return;
    const wait = Math.max(0, this.lastPublishedAt + this.intervalInMs - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.compose = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const compose = this.compose;
    this.compose = undefined;
    if (!compose) return;
    this.lastPublishedAt = performance.now();
    this.publish(compose());
  }
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });

/** "Latest of boiler-7: inside 21.5, outside 3.2 (at 14:03:05)." */
export function summaryText(label: string, latest: readonly { name: string; x: number; y: number }[], xAxis: XAxisKind): string {
  if (latest.length === 0) return `${label}: no data yet.`;
  const spoken = latest.slice(0, MAX_SERIES_SPOKEN).map(({ name, y }) => `${name} ${numberFormat.format(y)}`);
  if (latest.length > MAX_SERIES_SPOKEN) spoken.push(`and ${latest.length - MAX_SERIES_SPOKEN} more series`);
  const newestX = Math.max(...latest.map((point) => point.x));
  const at = xAxis === 'time' ? new Date(newestX).toLocaleTimeString() : `x ${numberFormat.format(newestX)}`;
  return `Latest of ${label}: ${spoken.join(', ')} (at ${at}).`;
}
