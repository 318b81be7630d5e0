/**
 * The demo site: the pages of `demo/` (their `%HUB_URL%` and `%WIDGET_SCRIPT_URL%` filled in,
 * each under a strict Content-Security-Policy), their TypeScript page scripts compiled on request,
 * the demo-only burst endpoint, and, on a second port, the built widget. The second port makes
 * the widget script cross-origin to the pages, as a CDN-hosted script on a CMS page is.
 */
import { transform } from 'esbuild';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { basename, extname, relative, sep } from 'node:path';
import { closeServer, listen, readBoundedBody } from '../http-server.js';
import { BURST_DEFAULT_EVENTS, BURST_MAX_EVENTS } from './demo-streams.js';
import { widgetContentSecurityPolicy } from './content-security-policy.js';
import type { LogLine } from './labelled-log.js';
import { resolveFile, sendBody, sendFile } from './static-files.js';
import type { WidgetBundle } from './widget-bundle.js';

export const BURST_PATH = '/demo-api/burst';

export interface BurstOutcome {
  sent: number;
  failed: number;
}

export interface DemoSiteOptions {
  host: string;
  /** Port of the pages; 0 picks a free one. */
  port: number;
  /** Port of the widget script origin; 0 picks a free one. */
  widgetPort: number;
  /** The `demo/` folder. */
  pagesDirectory: string;
  bundle: WidgetBundle;
  log: LogLine;
}

/** Where the pages' widgets connect, known once the API is up (it allows the site's origin by CORS, so it starts after the site). */
export interface DemoSiteApi {
  /** The widget's `hub`: the Functions API base URL. */
  hubUrl: string;
  /** Origin of the SignalR Service the widgets connect to (http or https). */
  signalROrigin: string;
  /** Publishes a burst of demo events; without it the burst endpoint answers 503. */
  burst?: (events: number) => Promise<BurstOutcome>;
}

export interface RunningDemoSite {
  /** `http://127.0.0.1:<port>/`, the demo page. */
  url: string;
  origin: string;
  /** `http://127.0.0.1:<widgetPort>`. */
  widgetOrigin: string;
  /** `<widgetOrigin>/realtime-plot.js`, the ES module entry. */
  widgetScriptUrl: string;
  pageUrl(file: string): string;
  /** Starts serving pages (until then they answer 503). */
  connect(api: DemoSiteApi): void;
  stop(): Promise<void>;
}

/** Folders of `demo/` that are not part of the site. */
const PRIVATE_FOLDERS = ['publisher'];
const MAX_BURST_BODY_BYTES = 1024;

export async function startDemoSite(options: DemoSiteOptions): Promise<RunningDemoSite> {
  const widgetServer = http.createServer((request, response) => {
    void serveWidget(options.bundle, request, response).catch((error: unknown) => failed(options.log, response, error));
  });
  const { origin: widgetOrigin } = await listen(widgetServer, options.widgetPort, options.host);
  const widgetScriptUrl = `${widgetOrigin}/${options.bundle.moduleFile}`;
  let site: ConnectedSite | undefined;
  const pageServer = http.createServer((request, response) => {
    const serving = site ? servePage(options, site, request, response) : Promise.resolve(sendText(response, 503, 'The demo site is starting.', { 'retry-after': '1' }));
    void serving.catch((error: unknown) => failed(options.log, response, error));
  });
  const { origin } = await listen(pageServer, options.port, options.host).catch(async (error: unknown) => {
    await closeServer(widgetServer);
    throw error;
  });
  let stopped: Promise<void> | undefined;
  return {
    url: `${origin}/`,
    origin,
    widgetOrigin,
    widgetScriptUrl,
    pageUrl: (file) => `${origin}/${file}`,
    connect(api) {
      const contentSecurityPolicy = widgetContentSecurityPolicy({
        widgetOrigin,
        apiOrigin: new URL(api.hubUrl).origin,
        signalROrigin: api.signalROrigin,
        pageSources: { 'script-src': ["'self'"], 'style-src': ["'self'"], 'connect-src': ["'self'"], 'img-src': ["'self'"] },
      });
      site = { ...api, widgetScriptUrl, contentSecurityPolicy };
    },
    stop: () => (stopped ??= Promise.all([closeServer(pageServer), closeServer(widgetServer)]).then(() => undefined)),
  };
}

interface ConnectedSite extends DemoSiteApi {
  widgetScriptUrl: string;
  contentSecurityPolicy: string;
}

async function servePage(options: DemoSiteOptions, page: ConnectedSite, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://site');
  if (url.pathname === BURST_PATH) return serveBurst(page, request, response);
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Only GET and HEAD are served here.', { allow: 'GET, HEAD' });
  const pathname = url.pathname === '/' ? '/index.html' : url.pathname;
  const path = await resolveFile(options.pagesDirectory, pathname);
  if (!path || PRIVATE_FOLDERS.includes(relative(options.pagesDirectory, path).split(sep)[0])) return sendText(response, 404, `Nothing is served at ${url.pathname.slice(0, 200)}.`);
  if (extname(path) === '.html') {
    const html = fillPage(await readFile(path, 'utf8'), page);
    return sendBody(response, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.contentSecurityPolicy }, html);
  }
  if (extname(path) === '.ts') {
    const { code } = await transform(await readFile(path, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: basename(path) });
    return sendBody(response, 200, { 'content-type': 'text/javascript; charset=utf-8' }, code);
  }
  return sendFile(response, path);
}

/** `POST /demo-api/burst {"events": n}` from the demo pages only: publishes a burst, answers what was sent. */
async function serveBurst(site: ConnectedSite, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  if (request.method !== 'POST') return sendJson(response, 405, { error: { code: 'MethodNotAllowed', message: 'POST a JSON body {"events": n}.' } }, { allow: 'POST' });
  // Same-origin only: a JSON POST from another origin needs a preflight, which is never answered,
  // and a simple cross-site form post is refused by its content type and Origin.
  const host = request.headers.host ?? '';
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return sendJson(response, 403, { error: { code: 'Forbidden', message: 'Only the demo pages may start a burst.' } });
  if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
    return sendJson(response, 415, { error: { code: 'UnsupportedMediaType', message: 'Send Content-Type: application/json.' } });
  }
  const body = await readBoundedBody(request, MAX_BURST_BODY_BYTES);
  if (body === undefined) return sendJson(response, 413, { error: { code: 'PayloadTooLarge', message: `The body must be at most ${MAX_BURST_BODY_BYTES} bytes.` } }, { connection: 'close' });
  let events: unknown = BURST_DEFAULT_EVENTS;
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    events = (parsed as { events?: unknown }).events ?? BURST_DEFAULT_EVENTS;
  } catch {
    return sendJson(response, 400, { error: { code: 'InvalidJson', message: `The body must be a JSON object, like {"events": ${BURST_DEFAULT_EVENTS}}.` } });
  }
  if (typeof events !== 'number' || !Number.isInteger(events) || events < 1 || events > BURST_MAX_EVENTS) {
    return sendJson(response, 400, { error: { code: 'InvalidEvents', message: `events must be a whole number from 1 to ${BURST_MAX_EVENTS}.` } });
  }
  if (!site.burst) return sendJson(response, 503, { error: { code: 'NoPublisher', message: 'The stack runs without its demo publisher.' } });
  try {
    const { sent, failed } = await site.burst(events);
    return sendJson(response, 200, { sent, failed });
  } catch (error) {
    return sendJson(response, 503, { error: { code: 'BurstRefused', message: (error as Error).message } });
  }
}

async function serveWidget(bundle: WidgetBundle, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  // A module script from another origin is fetched with CORS; any page may load the widget.
  const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Only GET and HEAD are served here.', { allow: 'GET, HEAD', ...headers });
  const path = await resolveFile(bundle.directory, new URL(request.url ?? '/', 'http://widget').pathname);
  if (!path) return sendText(response, 404, 'No such file in the widget build.', headers);
  return sendFile(response, path, headers);
}

function fillPage(html: string, page: ConnectedSite): string {
  return html.replaceAll('%HUB_URL%', escapeAttribute(page.hubUrl)).replaceAll('%WIDGET_SCRIPT_URL%', escapeAttribute(page.widgetScriptUrl));
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendBody(response, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(body));
}

function sendText(response: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  sendBody(response, status, { 'content-type': 'text/plain; charset=utf-8', ...headers }, text);
}

function failed(log: LogLine, response: http.ServerResponse, error: unknown): void {
  log(`request failed: ${(error as Error).stack ?? String(error)}`);
  if (!response.headersSent) sendText(response, 500, 'The demo site failed to answer this request.');
  else response.destroy();
}
