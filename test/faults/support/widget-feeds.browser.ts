/**
 * Runs in Chromium: the widget's own connection and data code (the page's shared hub client, one
 * stream feed per stream, the series store a chart draws from), without Plotly, so a test can
 * read exactly what a widget would show. Exposed as `window.widgetFeeds`.
 */
import type { LiveMessage } from '../../../api/live-message.js';
import type { StatusState } from '../../../widget/connection/connection-status.js';
import { existingHubClient, hubClientFor } from '../../../widget/connection/hub-client-pool.js';
import { StreamFeed, type MessageSource } from '../../../widget/connection/stream-feed.js';
import { SeriesStore } from '../../../widget/data/series-store.js';

export interface AcceptedRecord {
  seq: number;
  id: string;
  source: MessageSource;
}

export interface FeedSnapshot {
  accepted: AcceptedRecord[];
  /** Every status the feed went through, in order. */
  statuses: string[];
  restarts: number;
  /** What the chart would draw: each series' points, sorted by x as the widget keeps them. */
  series: { name: string; x: number[]; y: number[] }[];
}

export interface WidgetFeeds {
  /** Opens a feed; `callerTokenUrl` makes its token provider fetch a caller token there (the page's own sign-in). */
  open(hub: string, stream: string, options?: { callerTokenUrl?: string }): void;
  snapshot(stream: string): FeedSnapshot;
  close(stream: string): void;
  /** Live frames the page's hub client dropped as malformed. */
  malformedCount(hub: string): number;
}

interface OpenFeed {
  feed: StreamFeed;
  accepted: AcceptedRecord[];
  statuses: string[];
  restarts: number;
  store: SeriesStore;
}

const feeds = new Map<string, OpenFeed>();

const widgetFeeds: WidgetFeeds = {
  open(hub, stream, options = {}) {
    const store = new SeriesStore({ maxPoints: 100_000 });
    const record = { accepted: [] as AcceptedRecord[], statuses: [] as string[], restarts: 0, store } as OpenFeed;
    const tokenUrl = options.callerTokenUrl;
    record.feed = new StreamFeed(
      hubClientFor(hub),
      stream,
      {
        accept(message: LiveMessage, source: MessageSource) {
          record.accepted.push({ seq: message.seq, id: message.id, source });
          store.add(message);
        },
        restart() {
          record.restarts += 1;
          store.clear();
        },
        statusChanged(state: StatusState) {
          record.statuses.push(state.error ? `${state.status}:${state.error.code}` : state.status);
        },
      },
      { tokenProvider: tokenUrl ? async () => (await fetch(tokenUrl, { cache: 'no-store' })).text() : undefined },
    );
    feeds.set(stream, record);
    record.feed.open();
  },
  snapshot(stream) {
    const record = feeds.get(stream);
    if (!record) throw new Error(`no feed for ${stream}`);
    return { accepted: [...record.accepted], statuses: [...record.statuses], restarts: record.restarts, series: record.store.copy() };
  },
  close(stream) {
    feeds.get(stream)?.feed.close();
    feeds.delete(stream);
  },
  malformedCount: (hub) => existingHubClient(hub)?.malformedCount ?? 0,
};

declare global {
  interface Window {
    widgetFeeds: WidgetFeeds;
  }
}

window.widgetFeeds = widgetFeeds;
