/**
 * `npm run bench:widget [-- --seconds 20 --soak-minutes 10 --only single,page,soak]`
 *
 * Builds the widget (`npm run build`), checks that the built ES module and classic script load
 * and draw in Chromium against a real local stack, then measures `<realtime-plot>` beside the
 * original tutorial's strategy (`Plotly.newPlot` on every message) in the same run. Messages are
 * fed at a fixed rate into each page's message path (test/bench/widget/harness.ts), so the
 * backend is not what is measured. Scenarios (issue 5):
 *   single: one chart at 1,000 messages/s;
 *   page:   16 charts at 100 messages/s each;
 *   soak:   one chart at 100 messages/s for --soak-minutes (10 by default), retained heap.
 * Results: bench-results/widget.json, and a table on stdout.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { build } from 'vite';
import { startAzurite } from '../../api/local/azurite.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../widget/support/chromium.js';
import { LocalParts } from '../widget/support/local-parts.js';
import type { FeedOptions, WindowResult } from './widget/harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');
const RESULT_FILE = join(ROOT, 'bench-results/widget.json');
const VIEWPORT = { width: 1280, height: 900 };
const INPUT_INTERVAL_IN_MS = 100;
const SOAK_WARM_UP_SECONDS = 30;

interface Options {
  seconds: number;
  warmUpSeconds: number;
  soakMinutes: number;
  only: Set<string>;
}

type Strategy = 'widget' | 'tutorial';

interface Measured extends WindowResult {
  mainThreadBusyPercent: number;
  heapGrowthInMb?: number;
  heapSamplesInMb?: number[];
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    const parsed = raw === undefined ? fallback : Number(raw);
    if (!(parsed > 0)) throw new Error(`--${name} must be a positive number, not ${raw}`);
    return parsed;
  };
  return {
    seconds: number('seconds', 20),
    warmUpSeconds: number('warm-up-seconds', 5),
    soakMinutes: number('soak-minutes', 10),
    only: new Set((value('only') ?? 'single,page,soak').split(',')),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await run('npm', ['run', 'build']);
  const sizes = await distSizes();

  const azurite = await startAzurite();
  const parts = await LocalParts.start(azurite, { publicStreams: 'bench/*,dist/*' });
  const pages = await mkdtemp(join(os.tmpdir(), 'bench-widget-'));
  const server = await serve({ '/dist/': DIST, '/': pages });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const dist = await checkDist(browser, origin, parts, pages);
    await buildBenchPages(pages);
    const scenarios: Record<string, Record<Strategy, Measured>> = {};
    const plan: [string, FeedOptions, (page: Page, cdp: CDPSession, feed: FeedOptions) => Promise<Measured>][] = [
      ['single', { charts: 1, ratePerChart: 1000 }, (page, cdp, feed) => measureWindow(page, cdp, feed, options)],
      ['page', { charts: 16, ratePerChart: 100 }, (page, cdp, feed) => measureWindow(page, cdp, feed, options)],
      ['soak', { charts: 1, ratePerChart: 100 }, (page, cdp, feed) => soak(page, cdp, feed, options.soakMinutes)],
    ];
    for (const [name, feed, measure] of plan) {
      if (!options.only.has(name)) continue;
      scenarios[name] = {} as Record<Strategy, Measured>;
      for (const strategy of ['widget', 'tutorial'] as Strategy[]) {
        console.error(`${name}: ${strategy}...`);
        const page = await browser.newPage({ viewport: VIEWPORT });
        try {
          await page.goto(`${origin}/bench.html?strategy=${strategy}&hub=${encodeURIComponent(parts.info.hub)}`);
          await page.waitForFunction(() => 'bench' in window);
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Performance.enable');
          scenarios[name][strategy] = await measure(page, cdp, feed);
        } finally {
          await page.close();
        }
      }
    }
    const result = {
      command: ['npm run bench:widget', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, chromium: browser.version() },
      options: { ...options, only: [...options.only] },
      sizes,
      dist,
      scenarios,
    };
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(table(scenarios));
    console.log(`\nfirst script ${kb(sizes['realtime-plot.js'].gzip)} KB gzip; results in ${RESULT_FILE}`);
  } finally {
    await browser.close();
    server.close();
    await parts.stop();
    await azurite.stop();
    await rm(pages, { recursive: true, force: true });
  }
}

/** One measured window after a warm-up, with main-thread time and synthetic key presses. */
async function measureWindow(page: Page, cdp: CDPSession, feed: FeedOptions, options: Options): Promise<Measured> {
  await page.evaluate((feed) => window.bench.start(feed), feed);
  await page.waitForTimeout(options.warmUpSeconds * 1000);
  const measured = await measureWithLoad(page, cdp, options.seconds);
  await page.evaluate(() => window.bench.stop());
  return measured;
}

/** The soak: one-minute windows for `minutes`, the retained heap after a full GC before and after each. */
async function soak(page: Page, cdp: CDPSession, feed: FeedOptions, minutes: number): Promise<Measured> {
  await page.evaluate((feed) => window.bench.start(feed), feed);
  await page.waitForTimeout(SOAK_WARM_UP_SECONDS * 1000);
  const windows: Measured[] = [];
  const heap = [await retainedHeapInMb(cdp)];
  const windowSeconds = Math.min(60, minutes * 60);
  for (let elapsed = 0; elapsed < minutes * 60; elapsed += windowSeconds) {
    windows.push(await measureWithLoad(page, cdp, windowSeconds));
    heap.push(await retainedHeapInMb(cdp));
  }
  await page.evaluate(() => window.bench.stop());
  const median = (pick: (window: Measured) => number) => percentile(windows.map(pick), 0.5);
  return {
    framesPerSecond: median((w) => w.framesPerSecond),
    latencyP50InMs: median((w) => w.latencyP50InMs),
    latencyP99InMs: Math.max(...windows.map((w) => w.latencyP99InMs)),
    messagesLost: windows.reduce((sum, w) => sum + w.messagesLost, 0),
    messagesDue: windows.reduce((sum, w) => sum + w.messagesDue, 0),
    updatesPerSecondMin: Math.min(...windows.map((w) => w.updatesPerSecondMin)),
    updatesPerSecondMedian: median((w) => w.updatesPerSecondMedian),
    inputDelayP95InMs: median((w) => w.inputDelayP95InMs),
    inputEvents: windows.reduce((sum, w) => sum + w.inputEvents, 0),
    mainThreadBusyPercent: median((w) => w.mainThreadBusyPercent),
    heapGrowthInMb: heap.at(-1)! - heap[0],
    heapSamplesInMb: heap,
  };
}

/** Runs the page's measurement window while pressing a key every 100 ms, and reads main-thread time around it. */
async function measureWithLoad(page: Page, cdp: CDPSession, seconds: number): Promise<Measured> {
  const before = await taskSeconds(cdp);
  const startedAt = performance.now();
  const measuring = page.evaluate((seconds) => window.bench.measure(seconds), seconds);
  const typing = (async () => {
    while (performance.now() - startedAt < seconds * 1000) {
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 16 });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 16 });
      await page.waitForTimeout(INPUT_INTERVAL_IN_MS);
    }
  })();
  await typing;
  // Main-thread time over exactly the measured seconds (the window's grace period is not counted).
  const busyPercent = (((await taskSeconds(cdp)) - before) / ((performance.now() - startedAt) / 1000)) * 100;
  return { ...(await measuring), mainThreadBusyPercent: busyPercent };
}

async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? NaN;
}

async function retainedHeapInMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 2 ** 20;
}

/** Loads dist/realtime-plot.js (module) and dist/realtime-plot.iife.js (classic) in pages of their own and waits for a live, drawn point. */
async function checkDist(browser: Browser, origin: string, parts: LocalParts, pages: string) {
  const checks: Record<string, { drawn: boolean; requested: string[] }> = {};
  for (const [kind, script] of [
    ['module', '<script type="module" src="/dist/realtime-plot.js"></script>'],
    ['classic', '<script src="/dist/realtime-plot.iife.js"></script>'],
  ] as const) {
    const stream = `dist/${kind}`;
    const page = await browser.newPage({ viewport: VIEWPORT });
    const requested: string[] = [];
    page.on('pageerror', (error) => console.error(`dist check (${kind}): ${error.message}`));
    page.on('request', (request) => {
      if (request.url().startsWith(`${origin}/dist/`)) requested.push(new URL(request.url()).pathname.slice('/dist/'.length));
    });
    try {
      // Served by the loopback server: a page the browser cannot place on the local network may not call the local API.
      const html = `<!doctype html>${script}<realtime-plot hub="${parts.info.hub}" stream="${stream}" style="height:300px"></realtime-plot>`;
      await writeFile(join(pages, `dist-${kind}.html`), html);
      await page.goto(`${origin}/dist-${kind}.html`);
      await page.waitForFunction(() => document.querySelector('realtime-plot')?.status === 'live', undefined, { timeout: 30_000 });
      if ((await parts.publish({ stream, data: { points: [{ x: Date.now(), y: 42 }] } })) !== 202) throw new Error('publish failed');
      await page.waitForFunction(
        () => {
          const graph = document.querySelector('realtime-plot')?.shadowRoot?.querySelector('.plot') as (HTMLElement & { data?: { y: number[] }[] }) | null;
          return graph?.data?.[0]?.y?.[0] === 42 && getComputedStyle(graph.querySelector('svg.main-svg')!).position === 'absolute';
        },
        undefined,
        { timeout: 30_000 },
      );
      checks[kind] = { drawn: true, requested };
    } finally {
      await page.close();
    }
  }
  return checks;
}

async function distSizes(): Promise<Record<string, { raw: number; gzip: number }>> {
  const sizes: Record<string, { raw: number; gzip: number }> = {};
  for (const file of (await readdir(DIST)).filter((name) => name.endsWith('.js')).sort()) {
    const content = await readFile(join(DIST, file));
    sizes[file.replace(/-[\w-]{8}\.js$/, '.js')] = { raw: content.length, gzip: gzipSync(content).length };
  }
  return sizes;
}

/** Builds the bench page (production mode, like the package) into `outDir`. */
async function buildBenchPages(outDir: string): Promise<void> {
  const root = join(ROOT, 'test/bench/widget');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      // Plotly is one large chunk by nature.
      chunkSizeWarningLimit: 2000,
      rolldownOptions: { input: join(root, 'bench.html'), output: { minify: true } },
    },
  });
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json' };

/** A static file server on 127.0.0.1 for `prefix -> folder` mounts (longest prefix first). */
async function serve(mounts: Record<string, string>): Promise<Server> {
  const entries = Object.entries(mounts).sort(([a], [b]) => b.length - a.length);
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const mount = entries.find(([prefix]) => path.startsWith(prefix));
    const file = mount ? resolve(mount[1], `.${path.slice(mount[0].length - 1)}`) : undefined;
    if (!file || !mount || !file.startsWith(resolve(mount[1])) || !(await stat(file).catch(() => undefined))?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

function table(scenarios: Record<string, Record<Strategy, Measured>>): string {
  const rows: [string, (m: Measured) => number, number][] = [
    ['painted frames/s', (m) => m.framesPerSecond, 0],
    ['message-to-paint p50 (ms)', (m) => m.latencyP50InMs, 1],
    ['message-to-paint p99 (ms)', (m) => m.latencyP99InMs, 1],
    ['messages lost', (m) => m.messagesLost, 0],
    ['main thread busy (%)', (m) => m.mainThreadBusyPercent, 0],
    ['input delay p95 (ms)', (m) => m.inputDelayP95InMs, 1],
    ['updates/s, slowest chart', (m) => m.updatesPerSecondMin, 1],
    ['retained heap growth (MB)', (m) => m.heapGrowthInMb ?? NaN, 2],
  ];
  const lines = ['| scenario | metric | widget | tutorial | widget / tutorial |', '|---|---|---|---|---|'];
  for (const [name, { widget, tutorial }] of Object.entries(scenarios)) {
    for (const [label, pick, digits] of rows) {
      const [w, t] = [pick(widget), pick(tutorial)];
      if (Number.isNaN(w) && Number.isNaN(t)) continue;
      const ratio = t === 0 || !Number.isFinite(w / t) ? '—' : `${(w / t).toFixed(2)}×`;
      lines.push(`| ${name} | ${label} | ${w.toFixed(digits)} | ${t.toFixed(digits)} | ${ratio} |`);
    }
  }
  return lines.join('\n');
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

await main();
