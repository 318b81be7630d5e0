/**
 * The widget's connection code in the system Chromium (through playwright-core, nothing is
 * downloaded), on a page served from its own origin on 127.0.0.1. The page can get caller tokens
 * from `/caller-token`, as a page with its own sign-in would.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../e2e/chromium.js';
import type { FeedSnapshot } from './widget-feeds.browser.js';

export interface WidgetBrowserOptions {
  /** Answers `GET /caller-token`; counted in `callerTokenRequests`. */
  callerToken?: () => Promise<string>;
}

export interface WidgetBrowser {
  /** The page's origin (for the API's CORS allowlist). */
  readonly origin: string;
  readonly page: Page;
  /** How often the page asked for a caller token. */
  readonly callerTokenRequests: number;
  /** Messages the page logged to its console (warnings and errors). */
  readonly consoleMessages: string[];
  open(hub: string, stream: string, options?: { withCallerToken?: boolean }): Promise<void>;
  snapshot(stream: string): Promise<FeedSnapshot>;
  close(stream: string): Promise<void>;
  malformedCount(hub: string): Promise<number>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./widget-feeds.browser.ts', import.meta.url));

export async function startWidgetBrowser(options: WidgetBrowserOptions = {}): Promise<WidgetBrowser> {
  const bundle = await build({ entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0].text;
  let callerTokenRequests = 0;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>widget feeds</title><script type="module" src="/feeds.js"></script>');
    } else if (path === '/feeds.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
    } else if (path === '/caller-token' && options.callerToken) {
      callerTokenRequests += 1;
      options.callerToken().then(
        (token) => response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(token),
        () => response.writeHead(500).end(),
      );
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const consoleMessages: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning' || message.type() === 'error') consoleMessages.push(message.text());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'widgetFeeds' in window);
    const running = browser;
    return {
      origin,
      page,
      get callerTokenRequests() {
        return callerTokenRequests;
      },
      consoleMessages,
      open: (hub, stream, openOptions = {}) =>
        page.evaluate(([h, s, tokenUrl]) => window.widgetFeeds.open(h, s, tokenUrl ? { callerTokenUrl: tokenUrl } : {}), [
          hub,
          stream,
          openOptions.withCallerToken ? `${origin}/caller-token` : '',
        ]),
      snapshot: (stream) => page.evaluate((s) => window.widgetFeeds.snapshot(s), stream),
      close: (stream) => page.evaluate((s) => window.widgetFeeds.close(s), stream),
      malformedCount: (hub) => page.evaluate((h) => window.widgetFeeds.malformedCount(h), hub),
      async stop() {
        await running.close();
        await closeServer(server);
      },
    };
  } catch (error) {
    await browser?.close();
    await closeServer(server);
    throw error;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
