/**
 * Publishes generated points to an Event Grid topic at a steady rate: sample n of every stream
 * is due n / rate seconds after the start; due events are sent in requests of `batchSize`, with
 * at most `maxRequestsInFlight` requests under way (when the topic is slower than the rate, the
 * run goes as fast as the topic allows and catches up). Used by `npm run publish`, the local
 * stack and the benchmarks, in-process.
 *
 * A refusal the same request would get again (wrong key or endpoint, an event the topic
 * rejects), or an unreachable topic before anything was sent, ends the run; other failures are
 * counted and the run goes on.
 */
import { buildEvent, eventData } from './event-builder.js';
import { describePublishFailure } from './publish-failure.js';
import { createPublisherClient } from './publisher-client.js';
import { checkPublisherOptions, type PublisherOptions } from './publisher-options.js';
import { createValueSource } from './value-shapes.js';

export interface PublisherProgress {
  /** Events the topic accepted. */
  sent: number;
  /** Events of requests that failed (after the client's retries). */
  failed: number;
  requests: number;
  elapsedInMs: number;
  /** Accepted events per second since the start. */
  eventsPerSecond: number;
}

export interface PublisherSummary extends PublisherProgress {
  /** Events the run was to send (count x streams), or undefined for a run without a count. */
  planned: number | undefined;
  endedBy: 'count' | 'duration' | 'signal' | 'failure';
  /** Distinct failures (at most `MAX_DISTINCT_FAILURES`), first one first, with how many requests each. */
  failures: { message: string; requests: number }[];
}

export interface PublisherHooks {
  /** Aborting ends the run after the requests under way. */
  signal?: AbortSignal;
  onProgress?: (progress: PublisherProgress) => void;
  /** Default 1000. */
  progressIntervalInMs?: number;
}

const MAX_DISTINCT_FAILURES = 20;

export async function runPublisher(options: PublisherOptions, hooks: PublisherHooks = {}): Promise<PublisherSummary> {
  checkPublisherOptions(options);
  const client = createPublisherClient(options.endpoint, options.credential, options.schema, options.maxRetries);
  const streams = options.streams.map((stream) => ({ stream, values: createValueSource(options.shape, options.series.length) }));
  const intervalInMs = 1000 / options.ratePerSecond;
  const samples = Math.min(options.count ?? Infinity, options.durationInMs === undefined ? Infinity : Math.ceil(options.durationInMs / intervalInMs));
  const plannedEvents = samples * streams.length;

  const start = Date.now();
  const counts = { sent: 0, failed: 0, requests: 0 };
  const failures = new Map<string, number>();
  const stopping = new AbortController();
  let endedBy: PublisherSummary['endedBy'] | undefined;
  const stop = (reason: 'signal' | 'failure'): void => {
    endedBy ??= reason;
    stopping.abort();
  };
  const onAbort = (): void => stop('signal');
  hooks.signal?.addEventListener('abort', onAbort);
  if (hooks.signal?.aborted) stop('signal');

  const progress = (): PublisherProgress => {
    const elapsedInMs = Date.now() - start;
    return { ...counts, elapsedInMs, eventsPerSecond: elapsedInMs > 0 ? (counts.sent * 1000) / elapsedInMs : 0 };
  };
  const progressTimer = hooks.onProgress ? setInterval(() => hooks.onProgress?.(progress()), hooks.progressIntervalInMs ?? 1000) : undefined;

  const send = (events: Record<string, unknown>[]): Promise<void> =>
    client.send(events).then(
      () => {
        counts.sent += events.length;
        counts.requests += 1;
      },
      (error: unknown) => {
        counts.failed += events.length;
        counts.requests += 1;
        const failure = describePublishFailure(error, options.endpoint);
        if (failures.has(failure.message) || failures.size < MAX_DISTINCT_FAILURES) failures.set(failure.message, (failures.get(failure.message) ?? 0) + 1);
        if (failure.permanent || counts.sent === 0) stop('failure');
      },
    );

  let produced = 0;
  const nextEvent = (): Record<string, unknown> => {
    const { stream, values } = streams[produced % streams.length];
    const sample = Math.floor(produced / streams.length);
    produced += 1;
    const time = new Date();
    return buildEvent(options.schema, stream, eventData(options.format, options.series, sample, values(sample), time.getTime()), time);
  };

  const inFlight = new Set<Promise<void>>();
  let outbox: Record<string, unknown>[] = [];
  try {
    while (!stopping.signal.aborted) {
      const due = Math.min(plannedEvents, (Math.floor((Date.now() - start) / intervalInMs) + 1) * streams.length);
      while (produced < due && outbox.length < options.batchSize) outbox.push(nextEvent());
      const allProduced = produced >= plannedEvents;
      if (outbox.length >= options.batchSize || (allProduced && outbox.length > 0)) {
        if (inFlight.size >= options.maxRequestsInFlight) {
          await Promise.race(inFlight);
          continue;
        }
        const request = send(outbox);
        outbox = [];
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
        continue;
      }
      if (allProduced) break;
      await sleepUntil(start + Math.floor(produced / streams.length) * intervalInMs, stopping.signal);
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(progressTimer);
    hooks.signal?.removeEventListener('abort', onAbort);
  }
  return {
    ...progress(),
    planned: Number.isFinite(plannedEvents) ? plannedEvents : undefined,
    endedBy: endedBy ?? (options.count !== undefined && produced >= options.count * streams.length ? 'count' : 'duration'),
    failures: [...failures].map(([message, requests]) => ({ message, requests })),
  };
}

function sleepUntil(time: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, time - Date.now()));
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
