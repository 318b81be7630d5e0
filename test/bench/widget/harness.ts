/**
 * The in-page half of `npm run bench:widget`: feeds live messages at a fixed rate into a chart
 * strategy (the widget, or the original tutorial's `Plotly.newPlot` per message) and measures
 * what the page does with them: painted frames, message-to-paint latency, messages never
 * drawn, updates per chart and input delay. Main-thread time and heap are read by the driver
 * through the DevTools protocol.
 */
import type { LiveMessage } from '../../../api/live-message.js';

/** A way of drawing live messages: the thing being measured. */
export interface ChartStrategy {
  /** Whether charts draw inside an animation frame (true) or right where a message is handed over. */
  readonly drawsInsideFrame: boolean;
  /** Creates one chart per stream; the strategy calls `drawn(i)` each time chart i hands its data to Plotly. */
  setup(streams: string[], drawn: (index: number) => void): Promise<void>;
  /** Hands one message to chart `index`, as the live connection would. */
  deliver(index: number, message: LiveMessage): void;
}

export interface FeedOptions {
  charts: number;
  /** Messages per second per chart. */
  ratePerChart: number;
}

export interface WindowResult {
  framesPerSecond: number;
  latencyP50InMs: number;
  latencyP99InMs: number;
  /** Messages due in the window that did not reach the screen (never handed over, or never painted). */
  messagesLost: number;
  messagesDue: number;
  /** Chart updates per second: the slowest chart and the median chart. */
  updatesPerSecondMin: number;
  updatesPerSecondMedian: number;
  inputDelayP95InMs: number;
  inputEvents: number;
}

export interface BenchPage {
  /** Creates the charts and starts feeding them. */
  start(options: FeedOptions): Promise<void>;
  /** Measures the next `seconds` (plus a second for late paints) while feeding goes on. */
  measure(seconds: number): Promise<WindowResult>;
  stop(): void;
}

declare global {
  interface Window {
    bench: BenchPage;
  }
}

/** Messages handed over per feeder turn at most: a strategy that cannot keep up falls behind instead of freezing the page. */
const MAX_MESSAGES_PER_TURN = 64;
/** Time given to messages due at the end of a window to reach the screen. */
const LATE_PAINT_GRACE_IN_MS = 1000;

export function installBenchPage(strategy: ChartStrategy): void {
  let streams: string[] = [];
  let seqs: number[] = [];
  let undrawn: number[][] = [];
  let feeding = false;
  let next = 0;
  let startedAt = 0;
  let periodInMs = 1;

  let windowStart = 0;
  let windowEnd = -Infinity;
  let frames = 0;
  /** Message-to-paint of every message painted during the window. */
  let latencies: number[] = [];
  /** Messages due in the window that were painted (by the end of the grace period). */
  let paintedOfWindow = 0;
  let updates: number[] = [];
  let inputDelays: number[] = [];
  const inWindow = (time: number) => time >= windowStart && time < windowEnd;
  const inWindowOrGrace = (time: number) => time >= windowStart && time < windowEnd + LATE_PAINT_GRACE_IN_MS;

  const countFrame = () => {
    if (inWindow(performance.now())) frames += 1;
    if (feeding) requestAnimationFrame(countFrame);
  };

  addEventListener('keydown', (event) => {
    if (inWindow(event.timeStamp)) inputDelays.push(performance.now() - event.timeStamp);
  });

  /** Calls back once the frame being produced is painted (inside a frame), or the next one. */
  const afterPaint = (callback: (time: number) => void) => {
    const post = () => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => callback(performance.now());
      channel.port2.postMessage(undefined);
    };
    if (strategy.drawsInsideFrame) post();
    else requestAnimationFrame(post);
  };

  const drawn = (index: number) => {
    const dues = undrawn[index].splice(0);
    if (inWindow(performance.now())) updates[index] += 1;
    afterPaint((paintedAt) => {
      if (!inWindowOrGrace(paintedAt)) return;
      for (const due of dues) {
        latencies.push(paintedAt - due);
        if (inWindow(due)) paintedOfWindow += 1;
      }
    });
  };

  const message = (index: number, due: number): LiveMessage => {
    const seq = (seqs[index] += 1);
    const x = Date.now() - (performance.now() - due);
    const y = Math.sin(seq / 50) * 10 + Math.random();
    return { v: 1, stream: streams[index], seq, id: `m${seq}`, time: x, series: [{ name: 'value', x: [x], y: [y] }] };
  };

  /** Hands over the messages that are due, round-robin over the charts. */
  const feed = () => {
    if (!feeding) return;
    const now = performance.now();
    for (let handed = 0; handed < MAX_MESSAGES_PER_TURN; handed += 1) {
      const due = startedAt + next * periodInMs;
      if (due > now) break;
      const index = next % streams.length;
      undrawn[index].push(due);
      strategy.deliver(index, message(index, due));
      next += 1;
    }
    setTimeout(feed, 1);
  };

  window.bench = {
    async start(options) {
      streams = Array.from({ length: options.charts }, (_, i) => `bench/chart-${i}`);
      seqs = streams.map(() => 0);
      undrawn = streams.map(() => []);
      await strategy.setup(streams, drawn);
      periodInMs = 1000 / (options.ratePerChart * options.charts);
      feeding = true;
      next = 0;
      startedAt = performance.now();
      requestAnimationFrame(countFrame);
      feed();
    },

    async measure(seconds) {
      frames = 0;
      latencies = [];
      paintedOfWindow = 0;
      inputDelays = [];
      updates = streams.map(() => 0);
      windowStart = performance.now();
      windowEnd = windowStart + seconds * 1000;
      await sleep(seconds * 1000 + LATE_PAINT_GRACE_IN_MS);
      const messagesDue = Math.ceil((windowEnd - startedAt) / periodInMs) - Math.ceil((windowStart - startedAt) / periodInMs);
      const perChart = updates.map((count) => count / seconds);
      return {
        framesPerSecond: frames / seconds,
        latencyP50InMs: percentile(latencies, 0.5),
        latencyP99InMs: percentile(latencies, 0.99),
        messagesLost: messagesDue - paintedOfWindow,
        messagesDue,
        updatesPerSecondMin: Math.min(...perChart),
        updatesPerSecondMedian: percentile(perChart, 0.5),
        inputDelayP95InMs: percentile(inputDelays, 0.95),
        inputEvents: inputDelays.length,
      };
    },

    stop() {
      feeding = false;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
