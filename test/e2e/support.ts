/**
 * What the end-to-end tests share: the real local stack started in-process (port 0 everywhere,
 * no continuous demo feeds), the system Chromium driven through playwright-core, publishing
 * through the stock `@azure/eventgrid` client, and reading what a widget plotted from its
 * Plotly graph (`gd.data` in the shadow root). Every wait is for a condition, with generous
 * time-outs, so a loaded machine makes the tests slower, not red.
 */
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { buildEvent } from '../../demo/publisher/event-builder.js';
import { createPublisherClient, type PublisherClient } from '../../demo/publisher/publisher-client.js';
import { LabelledLog } from '../../api/local/stack/labelled-log.js';
import { startLocalStack, type RunningLocalStack } from '../../api/local/stack/local-stack.js';
import type { StackPorts } from '../../api/local/stack/port-settings.js';
import type { HistoryResponse } from '../../api/live-message.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FREE_PORTS: StackPorts = { functions: 0, signalR: 0, eventGrid: 0, demo: 0, widget: 0, azuriteBlob: 0, azuriteQueue: 0, azuriteTable: 0 };
/** Long enough for a cold start on a loaded 2-core machine; conditions usually hold in well under a second. */
export const WAIT_TIMEOUT_IN_MS = 60_000;

/** Starts the stack for this test file (stopped after it); its logs go to stderr, labelled. */
export async function startTestStack(): Promise<RunningLocalStack> {
  const stack = await startLocalStack({
    root: ROOT,
    ports: FREE_PORTS,
    feeds: [],
    log: new LabelledLog({ write: (chunk) => process.stderr.write(chunk), color: false }),
  });
  after(() => stack.stop());
  return stack;
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await launchChromium();
  after(() => browser.close());
  return browser;
}

export interface PageProblems {
  /** `securitypolicyviolation` events: "<directive> <blocked URI> <source>". */
  violations(): Promise<string[]>;
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** Opens `url` with CSP violations and page errors recorded from before the first script runs. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
  await page.addInitScript(() => {
    const recorded: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = recorded;
    document.addEventListener('securitypolicyviolation', (event) => {
      recorded.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return {
    page,
    problems: {
      errors,
      violations: () => page.evaluate(() => [...(window as unknown as { cspViolations: string[] }).cspViolations]),
    },
  };
}

export interface WidgetAttributes {
  hub: string;
  stream: string;
  type?: 'lines' | 'markers' | 'bars';
  'x-axis'?: 'time' | 'number';
}

/**
 * Adds a `<realtime-plot>` with these attributes at the top of the page (as a page's own script
 * would), where it is on screen: a widget draws only while it is visible.
 */
export async function addWidget(page: Page, attributes: WidgetAttributes): Promise<void> {
  await page.evaluate((attributes) => {
    const plot = document.createElement('realtime-plot');
    for (const [name, value] of Object.entries(attributes)) plot.setAttribute(name, value);
    document.body.prepend(plot);
  }, attributes as unknown as Record<string, string>);
}

/** Scrolls the widget of `stream` into view (a widget draws only while visible). */
export async function scrollToWidget(page: Page, stream: string): Promise<void> {
  await page.evaluate((stream) => [...document.querySelectorAll('realtime-plot')].find((element) => element.stream === stream)?.scrollIntoView(), stream);
}

export interface PlottedTrace {
  name: string;
  x: number[];
  y: number[];
}

/** The traces the widget of `stream` handed to Plotly (its graph div's `data`); [] before the first plot. */
export function plottedTraces(page: Page, stream: string): Promise<PlottedTrace[]> {
  return page.evaluate((stream) => {
    const plot = [...document.querySelectorAll('realtime-plot')].find((element) => element.stream === stream);
    const graph = plot?.shadowRoot?.querySelector('.plot') as (HTMLElement & { data?: { name?: string; x?: ArrayLike<number>; y?: ArrayLike<number> }[] }) | null | undefined;
    return (graph?.data ?? []).map((trace) => ({ name: trace.name ?? '', x: Array.from(trace.x ?? []), y: Array.from(trace.y ?? []) }));
  }, stream);
}

/** Polls `read` until `done` holds for its value; fails with the last value seen. */
export async function waitUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutInMs = WAIT_TIMEOUT_IN_MS): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutInMs} ms waiting for ${what}; last seen: ${String(JSON.stringify(last)).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

/** Waits until the widget of `stream` has plotted exactly `expected` y values in trace `series` (any order). */
export function waitForPlottedValues(page: Page, stream: string, series: string, expected: readonly number[]): Promise<PlottedTrace[]> {
  const wanted = [...expected].sort((a, b) => a - b).join(',');
  return waitUntil(
    `${stream} to plot ${expected.length} points in ${series}`,
    () => plottedTraces(page, stream),
    (traces) => [...(traces.find((trace) => trace.name === series)?.y ?? [])].sort((a, b) => a - b).join(',') === wanted,
  );
}

/** Publishes to the stack's topic with the stock client; one event per call of `send`. */
export class TestPublisher {
  readonly #client: PublisherClient;

  constructor(topic: { endpoint: string; key: string }) {
    this.#client = createPublisherClient(topic.endpoint, { key: topic.key }, 'eventgrid', 3);
  }

  /** One event on `stream` with one point per series (`x` the publish time). */
  async send(stream: string, points: Record<string, number>): Promise<void> {
    const now = new Date();
    const data = { points: Object.entries(points).map(([series, y]) => ({ series, x: now.getTime(), y })) };
    await this.#client.send([buildEvent('eventgrid', stream, data, now)]);
  }
}

/** The stream's recent history as the API serves it. */
export async function history(hubUrl: string, stream: string): Promise<HistoryResponse> {
  const response = await fetch(`${hubUrl}/streams/${encodeURIComponent(stream)}/history`);
  if (!response.ok) throw new Error(`history of ${stream}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as HistoryResponse;
}

/** A stream name no other test uses (under the demo pattern, so it is public in the local stack). */
export function uniqueStream(name: string): string {
  return `demo/e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/${name}`;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
