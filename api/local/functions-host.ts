/**
 * A local Azure Functions host: one HTTP server that serves the app's own function definitions
 * at the real host's URLs, `/api/<route>` and `/runtime/webhooks/eventgrid?functionName=<name>`,
 * with CORS for configured origins. `azure-functions-core-tools` cannot run offline, and
 * `@azure/functions` registers nothing outside a real host, so this calls the same handlers.
 *
 * App settings: the host runs every invocation inside `runWithAppSettings(settings, ...)`, so
 * the functions see exactly `settings` (not `process.env`), and several hosts with different
 * settings can share one process.
 */
import azf, { type EventGridHandler, type HttpHandler, type HttpResponseInit, type LogLevel } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { format } from 'node:util';
import { functionDefinitions } from '../functions/index.js';
import { parseOrigins, runWithAppSettings, SETTING, type AppSettingsSource } from '../settings.js';
import { CorsPolicy } from './functions-host/cors-policy.js';
import { handleEventGridWebhook } from './functions-host/eventgrid-webhook.js';
import { errorResponse, type LocalResponse } from './functions-host/local-response.js';
import { RouteTable } from './functions-host/route-table.js';
import { closeServer, listen, readBoundedBody } from './http-server.js';

const { HttpRequest, HttpResponse, InvocationContext } = azf;

export interface FunctionLogEntry {
  functionName: string;
  invocationId: string;
  level: LogLevel;
  message: string;
}

export interface StartFunctionsHostOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The app settings the functions see. */
  settings: AppSettingsSource;
  /** Origins allowed by CORS; default: the `CORS_ALLOWED_ORIGINS` setting. */
  corsAllowedOrigins?: readonly string[];
  /** Largest request body accepted. Default 4 MiB (Event Grid sends at most 1 MB). */
  maxRequestBodyBytes?: number;
  /** Where function logs go. Default: the console. */
  log?: (entry: FunctionLogEntry) => void;
}

export interface RunningFunctionsHost {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `<baseUrl>/api`, the widget's `hub`. */
  apiUrl: string;
  /** Where Event Grid delivers to an Event Grid-triggered function. */
  eventGridWebhookUrl(functionName: string): string;
  stop(): Promise<void>;
}

const API_PREFIX = '/api/';
const EVENT_GRID_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

export async function startFunctionsHost(options: StartFunctionsHostOptions): Promise<RunningFunctionsHost> {
  const settings = options.settings;
  const cors = new CorsPolicy(options.corsAllowedOrigins ?? parseOrigins(settings[SETTING.corsAllowedOrigins]));
  const maxBodyBytes = options.maxRequestBodyBytes ?? 4 * 1024 * 1024;
  const log = options.log ?? logToConsole;
  const routes = new RouteTable(
    functionDefinitions.flatMap((definition) => (definition.kind === 'http' ? [{ name: definition.name, options: definition.options }] : [])),
  );
  const eventGridHandlers = new Map<string, EventGridHandler>(
    functionDefinitions.flatMap((definition) => (definition.kind === 'eventGrid' ? [[definition.name, definition.options.handler] as const] : [])),
  );

  const context = (functionName: string) => {
    const invocationId = randomUUID();
    return new InvocationContext({
      invocationId,
      functionName,
      logHandler: (level, ...args) => log({ functionName, invocationId, level, message: format(...args) }),
    });
  };

  async function serve(request: IncomingMessage, url: URL, body: Buffer): Promise<LocalResponse> {
    const method = request.method ?? 'GET';
    const origin = request.headers.origin;
    if (url.pathname.toLowerCase() === EVENT_GRID_WEBHOOK_PATH) {
      const functionName = url.searchParams.get('functionName') ?? '';
      const handler = eventGridHandlers.get(functionName);
      const invoke = handler && ((event: unknown) => runWithAppSettings(settings, async () => void (await handler(event as never, context(functionName)))));
      return handleEventGridWebhook({ method, headers: flatHeaders(request), body }, functionName, invoke);
    }
    if (!url.pathname.startsWith(API_PREFIX)) return { status: 404 };
    if (method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return { status: 204, headers: cors.preflightHeaders(origin) };
    }
    const corsHeaders = cors.responseHeaders(origin);
    const match = routes.match(method, url.pathname.slice(API_PREFIX.length));
    if (!match) return { status: 404, headers: corsHeaders };

    const httpRequest = new HttpRequest({
      method,
      url: url.href,
      headers: { ...flatHeaders(request), 'x-forwarded-for': forwardedFor(request) } as Record<string, string>,
      body: body.length > 0 ? { bytes: body } : undefined,
      params: match.params,
    });
    const handler = match.route.options.handler as HttpHandler;
    let result: HttpResponseInit | InstanceType<typeof HttpResponse>;
    try {
      result = (await runWithAppSettings(settings, () => handler(httpRequest, context(match.route.name)))) ?? {};
    } catch (error) {
      log({ functionName: match.route.name, invocationId: '', level: 'error', message: format(error) });
      return errorResponse(500, 'InvocationFailed', `${match.route.name} failed`, corsHeaders);
    }
    const response = result instanceof HttpResponse ? result : new HttpResponse(result);
    return {
      status: response.status ?? 200,
      headers: { ...Object.fromEntries(response.headers), ...corsHeaders },
      body: new Uint8Array(await response.arrayBuffer()),
    };
  }

  const server = createServer((request, response) => {
    void handleRequest(request, response);
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let local: LocalResponse;
    try {
      const target = request.url ?? '/';
      const body = await readBoundedBody(request, maxBodyBytes);
      if (body === undefined) {
        local = errorResponse(413, 'PayloadTooLarge', `the body is larger than ${maxBodyBytes} bytes`, { connection: 'close' });
      } else if (!URL.canParse(target, 'http://localhost')) {
        // e.g. `//:x`, which URL parsing reads as a host rather than a path.
        local = errorResponse(400, 'InvalidRequestTarget', 'the request target is not a valid URL path');
      } else {
        local = await serve(request, new URL(target, 'http://localhost'), body);
      }
    } catch (error) {
      log({ functionName: '', invocationId: '', level: 'error', message: format(error) });
      local = errorResponse(500, 'HostError', 'the local Functions host failed to process the request');
    }
    if (response.destroyed) return;
    response.writeHead(local.status, local.headers);
    response.end(local.body, () => {
      if (local.headers?.connection === 'close') request.destroy();
    });
  }

  const { origin: baseUrl } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    apiUrl: `${baseUrl}/api`,
    eventGridWebhookUrl: (functionName) => `${baseUrl}${EVENT_GRID_WEBHOOK_PATH}?functionName=${encodeURIComponent(functionName)}`,
    stop: () => (stopped ??= closeServer(server)),
  };
}

function flatHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** As Azure's front end does: the caller's address (with port) appended to `X-Forwarded-For`. */
function forwardedFor(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  const caller = address.includes(':') ? `[${address}]:${request.socket.remotePort}` : `${address}:${request.socket.remotePort}`;
  const existing = request.headers['x-forwarded-for'];
  return existing ? `${Array.isArray(existing) ? existing.join(', ') : existing}, ${caller}` : caller;
}

function logToConsole(entry: FunctionLogEntry): void {
  const line = `[${entry.functionName || 'host'}] ${entry.message}`;
  if (entry.level === 'error' || entry.level === 'critical' || entry.level === 'warning') console.error(line);
  else if (entry.level !== 'trace' && entry.level !== 'debug') console.log(line);
}
