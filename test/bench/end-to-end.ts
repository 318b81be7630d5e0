/**
 * `npm run bench:e2e [-- --seconds 10 --warm-up-seconds 2 --rates 10,100,1000 --streams 1]`: publish-to-paint latency
 * through the whole local stack (publisher -> Event Grid topic stand-in -> `ingest` on the local
 * Functions host, with Azurite -> SignalR stand-in -> `<realtime-plot>` in Chromium).
 *
 * Each event carries its publish time as the point's x (the publisher stamps it when it builds
 * the event). The page notes the x of every point a widget accepts; when the widget reports a
 * redraw (after its Plotly call), the next animation frame, i.e. once that frame is painted,
 * records now - x for those points. Each rate runs on a fresh stack (so no backlog carries
 * over) for a bounded time, spread evenly over `--streams` streams with one widget each, then
 * waits (bounded) for stragglers. The first `--warm-up-seconds` of each rate publish at that
 * rate too but are reported apart (`warmUp`), not in the percentiles: they measure a cold start
 * (code not yet optimised by the JIT, connections being opened), not the stack at that rate.
 * Goal: p99 < 100 ms at 1,000 events/s.
 * Results: bench-results/end-to-end.json (end-to-end-<n>-streams.json with --streams n) and a
 * table on stdout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { runPublisher } from '../../demo/publisher/publisher.js';
import { LabelledLog } from '../../api/local/stack/labelled-log.js';
import { startLocalStack } from '../../api/local/stack/local-stack.js';
import { launchChromium } from '../e2e/chromium.js';
import { addWidget, FREE_PORTS, openPage, ROOT, uniqueStream, waitUntil } from '../e2e/support.js';

/** The default run's file; a run over several streams has its own, so both can stand side by side. */
const resultFile = (streams: number): string => join(ROOT, `bench-results/end-to-end${streams === 1 ? '' : `-${streams}-streams`}.json`);
const GOAL = { ratePerSecond: 1000, p99Ms: 100 };
/** After publishing ends, points still on their way get this long to arrive. */
const DRAIN_TIMEOUT_IN_MS = 30_000;
/** Events per publish request at each rate: one at low rates, as a sensor would; batched at high rates, as a busy producer would. */
const batchSizeFor = (ratePerSecond: number): number => Math.max(1, Math.floor(ratePerSecond / 100));

interface RateResult {
  /** Events per second, all streams together. */
  ratePerSecond: number;
  streams: number;
  durationInMs: number;
  eventsPerRequest: number;
  published: number;
  painted: number;
  latencyMs: Percentiles;
  /** The warm-up before the measured time: its events and how late they were painted. */
  warmUp: { durationInMs: number; painted: number; latencyMs: Percentiles };
}

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

declare global {
  interface Window {
    /** Publish time and publish-to-paint latency (ms) of each point painted, recorded by the page. */
    paintSamples: [publishedAt: number, latencyInMs: number][];
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      'warm-up-seconds': { type: 'string', default: '2' },
      rates: { type: 'string', default: '10,100,1000' },
      streams: { type: 'string', default: '1' },
    },
  });
  const durationInMs = Number(values.seconds) * 1000;
  const warmUpInMs = Number(values['warm-up-seconds']) * 1000;
  const rates = values.rates.split(',').map(Number);
  const streams = Number(values.streams);
  if (!(durationInMs > 0) || !(warmUpInMs >= 0) || rates.some((rate) => !(rate > 0)) || !Number.isInteger(streams) || streams < 1 || streams > 50) {
    throw new Error('--seconds and --rates must be positive numbers, --warm-up-seconds 0 or more, --streams a whole number from 1 to 50');
  }

  const browser = await launchChromium();
  try {
    const results: RateResult[] = [];
    for (const rate of rates) {
      const result = await measureRate(browser, rate, streams, { durationInMs, warmUpInMs });
      results.push(result);
      console.error(
        `${rate} events/s: ${result.painted}/${result.published} painted, p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms` +
          ` (warm-up p99 ${result.warmUp.latencyMs.p99} ms)`,
      );
    }
    const atGoal = results.find((result) => result.ratePerSecond === GOAL.ratePerSecond);
    const report = {
      command: `npm run bench:e2e${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, chromium: browser.version(), loadAverage: os.loadavg()[0] },
      setup: `one process: Event Grid topic stand-in (deliveries batched up to 64 events, as the local stack subscribes), Functions host over Azurite, SignalR stand-in; ${streams} stream(s), one widget (lines) each, on one page in headless Chromium`,
      goal: GOAL,
      goalMet: atGoal ? atGoal.latencyMs.p99 < GOAL.p99Ms && atGoal.painted === atGoal.published : null,
      rates: results,
    };
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(resultFile(streams), `${JSON.stringify(report, null, 2)}\n`);
    console.log(table(results));
    console.log(`\nresults in ${resultFile(streams)}`);
  } finally {
    await browser.close();
  }
}

async function measureRate(browser: Browser, ratePerSecond: number, streamCount: number, { durationInMs, warmUpInMs }: { durationInMs: number; warmUpInMs: number }): Promise<RateResult> {
  const stack = await startLocalStack({
    root: ROOT,
    ports: FREE_PORTS,
    feeds: [],
    log: new LabelledLog({ write: (chunk) => process.stderr.write(chunk), color: false }),
  });
  const { page } = await openPage(browser, stack.site.pageUrl('cms.html'));
  try {
    const streams = Array.from({ length: streamCount }, (_, i) => uniqueStream(`latency-${ratePerSecond}-${i + 1}`));
    await page.evaluate(() => {
      for (const plot of document.querySelectorAll('realtime-plot')) plot.remove();
      window.paintSamples = [];
    });
    for (const stream of streams) await addWidget(page, { hub: stack.hubUrl, stream });
    // Every widget on screen (a widget draws only while visible), set through the CSSOM as the page's policy allows.
    await page.$$eval('realtime-plot', (plots, height) => plots.forEach((plot) => (plot.style.height = `${height}px`)), Math.max(160, Math.floor(1800 / streamCount)));
    await waitUntil('the widgets to be live', () => page.$$eval('realtime-plot', (plots) => plots.map((plot) => plot.status)), (statuses) =>
      statuses.every((status) => status === 'live'));
    await page.$$eval('realtime-plot', (plots) => {
      for (const plot of plots) {
        let accepted: number[] = [];
        plot.addEventListener('realtime-plot-data', (event) => {
          for (const series of event.detail.message.series) accepted.push(...series.x);
        });
        plot.addEventListener('realtime-plot-render', () => {
          const drawn = accepted;
          accepted = [];
          requestAnimationFrame(() => {
            const now = performance.timeOrigin + performance.now();
            for (const publishedAt of drawn) window.paintSamples.push([publishedAt, now - publishedAt]);
          });
        });
      }
    });

    const eventsPerRequest = batchSizeFor(ratePerSecond);
    const measuredFrom = Date.now() + warmUpInMs;
    const summary = await runPublisher({
      endpoint: stack.topic.endpoint,
      credential: { key: stack.topic.key },
      streams,
      series: ['latency'],
      ratePerSecond: ratePerSecond / streamCount,
      durationInMs: warmUpInMs + durationInMs,
      batchSize: eventsPerRequest,
      schema: 'eventgrid',
      shape: 'sine',
      format: 'points',
      maxRequestsInFlight: 16,
      maxRetries: 3,
    });
    await waitUntil(`${summary.sent} points to be painted`, () => page.evaluate(() => window.paintSamples.length), (count) => count >= summary.sent, DRAIN_TIMEOUT_IN_MS)
      .catch(() => undefined);
    const samples = await page.evaluate(() => window.paintSamples);
    const warmUp = samples.filter(([publishedAt]) => publishedAt < measuredFrom).map(([, latency]) => latency);
    const measured = samples.filter(([publishedAt]) => publishedAt >= measuredFrom).map(([, latency]) => latency);
    return {
      ratePerSecond,
      streams: streamCount,
      durationInMs,
      eventsPerRequest,
      // Every event published, warm-up included, must be painted.
      published: summary.sent,
      painted: samples.length,
      latencyMs: percentiles(measured),
      warmUp: { durationInMs: warmUpInMs, painted: warmUp.length, latencyMs: percentiles(warmUp) },
    };
  } finally {
    await page.close();
    await stack.stop();
  }
}

function percentiles(latencies: readonly number[]): Percentiles {
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: percentile(latencies, 100) };
}

/** Nearest-rank percentile, rounded to 0.1 ms; NaN for no samples. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index] * 10) / 10;
}

function table(results: readonly RateResult[]): string {
  return [
    '| events/s | streams | published | painted | p50 ms | p95 ms | p99 ms | max ms | warm-up p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) =>
      `| ${r.ratePerSecond} | ${r.streams} | ${r.published} | ${r.painted} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.warmUp.latencyMs.p99} |`),
  ].join('\n');
}

await main();
