/** The publisher's progress line and final summary, as the command prints them. */
import type { PublisherProgress, PublisherSummary } from './publisher.js';

export function progressLine(progress: PublisherProgress): string {
  return `sent ${progress.sent} events in ${plural(progress.requests, 'request')}, failed ${progress.failed}, ` +
    `${progress.eventsPerSecond.toFixed(1)} events/s, ${(progress.elapsedInMs / 1000).toFixed(1)} s`;
}

const ENDINGS: Record<PublisherSummary['endedBy'], string> = {
  count: 'all events published',
  duration: 'duration reached',
  signal: 'stopped',
  failure: 'stopped by a failure',
};

export function summaryLines(summary: PublisherSummary, endpoint: string): string[] {
  const planned = summary.planned === undefined ? '' : ` of ${summary.planned}`;
  return [
    `Published ${summary.sent}${planned} events to ${endpoint} in ${plural(summary.requests, 'request')} ` +
      `over ${(summary.elapsedInMs / 1000).toFixed(1)} s (${summary.eventsPerSecond.toFixed(1)} events/s); ` +
      `${summary.failed} failed; ${ENDINGS[summary.endedBy]}.`,
    ...summary.failures.map(({ message, requests }) => `error (${plural(requests, 'request')}): ${message}`),
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
