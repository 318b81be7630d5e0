/**
 * The stack's demo publisher: the demo feeds published through the topic with the publisher
 * module, continuously until stopped, and bursts on request (the demo page's "Run" button).
 */
import { runPublisher, type PublisherSummary } from '../../../demo/publisher/publisher.js';
import { publisherOptions } from '../../../demo/publisher/publisher-options.js';
import type { TopicAccess } from './azure-services.js';
import { BURST_FEED, BURST_MAX_EVENTS, type DemoFeed } from './demo-streams.js';
import type { LogLine } from './labelled-log.js';

export interface DemoPublisher {
  /** Publishes `events` events to the burst stream as fast as its rate; resolves when they are sent. */
  burst(events: number): Promise<PublisherSummary>;
  stop(): Promise<void>;
}

/** Bursts under way at once; another one is refused rather than queued. */
const MAX_BURSTS_IN_FLIGHT = 2;
const PROGRESS_INTERVAL_IN_MS = 30_000;

export function startDemoPublisher(topic: TopicAccess, feeds: readonly DemoFeed[], log: LogLine): DemoPublisher {
  const stopping = new AbortController();
  const runs = new Set<Promise<unknown>>();
  const track = <T>(run: Promise<T>): Promise<T> => {
    runs.add(run);
    void run.finally(() => runs.delete(run)).catch(() => undefined);
    return run;
  };
  let bursts = 0;

  for (const feed of feeds) {
    void track(
      runPublisher(feedOptions(topic, feed), {
        signal: stopping.signal,
        progressIntervalInMs: PROGRESS_INTERVAL_IN_MS,
        onProgress: (progress) => log(`${feed.stream}: ${progress.sent} events sent, ${progress.failed} failed`),
      }).then(
        (summary) => {
          if (summary.endedBy === 'failure') log(`${feed.stream} stopped: ${summary.failures.map((failure) => failure.message).join('; ')}`);
        },
        (error: unknown) => log(`${feed.stream} stopped: ${(error as Error).message}`),
      ),
    );
  }
  log(`publishing ${feeds.map((feed) => `${feed.stream} (${feed.ratePerSecond}/s)`).join(', ')} to ${topic.endpoint}`);

  return {
    async burst(events) {
      if (!Number.isInteger(events) || events < 1 || events > BURST_MAX_EVENTS) {
        throw new RangeError(`events must be a whole number from 1 to ${BURST_MAX_EVENTS}.`);
      }
      if (stopping.signal.aborted) throw new Error('the demo publisher is stopping.');
      if (bursts >= MAX_BURSTS_IN_FLIGHT) throw new Error(`${MAX_BURSTS_IN_FLIGHT} bursts are already under way.`);
      bursts += 1;
      try {
        const summary = await track(runPublisher({ ...feedOptions(topic, BURST_FEED), count: events }, { signal: stopping.signal }));
        log(`burst: ${summary.sent} events to ${BURST_FEED.stream}${summary.failed ? `, ${summary.failed} failed` : ''}`);
        return summary;
      } finally {
        bursts -= 1;
      }
    },
    async stop() {
      stopping.abort();
      await Promise.allSettled([...runs]);
    },
  };
}

/** `npm run publish`'s defaults for one feed. */
function feedOptions(topic: TopicAccess, feed: DemoFeed) {
  return publisherOptions({
    endpoint: topic.endpoint,
    credential: { key: topic.key },
    streams: [feed.stream],
    series: feed.series,
    ratePerSecond: feed.ratePerSecond,
    shape: feed.shape,
    format: feed.format,
  });
}
