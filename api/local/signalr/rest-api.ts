/**
 * The data-plane REST API, both `/api/v1/hubs/{hub}/...` and
 * `/api/hubs/{hub}/...?api-version=2022-06-01`, with the status codes of the 2022-06-01 swagger
 * for both. Requests need a Bearer token signed with the AccessKey (except the health check).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './access-token.js';
import type { ClientConnection } from './client-connection.js';
import type { Hub } from './hub.js';
import { HttpError, readBody, sendEmpty } from './http-io.js';
import { clip, connectionId, groupName, hubKey, MAX_NAME_LENGTH, userId } from './names.js';
import { OutgoingInvocation } from './outgoing-invocation.js';
import type { ServiceContext } from './service-context.js';

type ApiVersion = 'v1' | '2022-06-01';
const SUPPORTED_API_VERSION = '2022-06-01';
const MAX_INT32 = 2_147_483_647;

interface RestCall {
  ctx: ServiceContext;
  req: IncomingMessage;
  url: URL;
  hubName: string;
  params: Record<string, string>;
}

/** Runs the operation and returns the response status. */
type Operation = (call: RestCall) => Promise<number> | number;

interface Route {
  versions: readonly ApiVersion[];
  methods: readonly string[];
  /** Segments after `hubs/{hub}`; `{name}` captures a parameter. */
  path: readonly string[];
  operation: Operation;
}

const V1: readonly ApiVersion[] = ['v1'];
const V2022: readonly ApiVersion[] = ['2022-06-01'];
const BOTH: readonly ApiVersion[] = ['v1', '2022-06-01'];
/** Existence checks: GET (and HEAD) in v1, HEAD in 2022-06-01. */
const EXISTS_V1 = ['GET', 'HEAD'];

function route(versions: readonly ApiVersion[], methods: string | readonly string[], path: string, operation: Operation): Route {
  return { versions, methods: typeof methods === 'string' ? [methods] : methods, path: path === '' ? [] : path.split('/'), operation };
}

const ROUTES: readonly Route[] = [
  route(V1, 'POST', '', broadcast),
  route(V2022, 'POST', ':send', broadcast),
  route(V1, 'POST', 'groups/{group}', sendToGroup),
  route(V2022, 'POST', 'groups/{group}/:send', sendToGroup),
  route(V1, 'POST', 'users/{user}', sendToUser),
  route(V2022, 'POST', 'users/{user}/:send', sendToUser),
  route(V1, 'POST', 'connections/{connectionId}', sendToConnection),
  route(V2022, 'POST', 'connections/{connectionId}/:send', sendToConnection),

  route(V1, EXISTS_V1, 'connections/{connectionId}', connectionExists),
  route(V2022, 'HEAD', 'connections/{connectionId}', connectionExists),
  route(V1, EXISTS_V1, 'groups/{group}', groupExists),
  route(V2022, 'HEAD', 'groups/{group}', groupExists),
  route(V1, EXISTS_V1, 'users/{user}', userExists),
  route(V2022, 'HEAD', 'users/{user}', userExists),
  route(V1, EXISTS_V1, 'groups/{group}/users/{user}', userInGroup),
  route(V1, EXISTS_V1, 'users/{user}/groups/{group}', userInGroup),
  route(V2022, 'HEAD', 'groups/{group}/users/{user}', userInGroup),
  route(V2022, 'HEAD', 'users/{user}/groups/{group}', userInGroup),

  route(BOTH, 'DELETE', 'connections/{connectionId}', closeConnection),
  route(V2022, 'POST', ':closeConnections', closeAllConnections),
  route(V2022, 'POST', 'groups/{group}/:closeConnections', closeGroupConnections),
  route(V2022, 'POST', 'users/{user}/:closeConnections', closeUserConnections),

  route(BOTH, 'PUT', 'groups/{group}/connections/{connectionId}', addConnectionToGroup),
  route(BOTH, 'PUT', 'connections/{connectionId}/groups/{group}', addConnectionToGroup),
  route(BOTH, 'DELETE', 'groups/{group}/connections/{connectionId}', removeConnectionFromGroup),
  route(BOTH, 'DELETE', 'connections/{connectionId}/groups/{group}', removeConnectionFromGroup),
  route(BOTH, 'DELETE', 'connections/{connectionId}/groups', removeConnectionFromAllGroups),

  route(BOTH, 'PUT', 'groups/{group}/users/{user}', addUserToGroup),
  route(BOTH, 'PUT', 'users/{user}/groups/{group}', addUserToGroup),
  route(BOTH, 'DELETE', 'groups/{group}/users/{user}', removeUserFromGroup),
  route(BOTH, 'DELETE', 'users/{user}/groups/{group}', removeUserFromGroup),
  route(BOTH, 'DELETE', 'users/{user}/groups', removeUserFromAllGroups),
];

const PARAMETER_CHECKS: Record<string, (value: string) => string> = { group: groupName, user: userId, connectionId };

export async function handleRestRequest(ctx: ServiceContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const segments = pathSegments(url.pathname);
  if (isHealthCheck(segments, req.method)) {
    sendEmpty(res, 200);
    return;
  }
  authenticate(req, url, ctx.key);
  const [api, first, ...rest] = segments;
  let version: ApiVersion;
  let afterHubs: string[];
  if (api === 'api' && first === 'v1' && rest[0] === 'hubs') {
    version = 'v1';
    afterHubs = rest.slice(1);
  } else if (api === 'api' && first === 'hubs') {
    version = apiVersionOf(url);
    afterHubs = rest;
  } else {
    throw new HttpError(404, 'NotFound', `No REST API operation at ${url.pathname}.`);
  }
  const [hub, ...path] = afterHubs;
  const hubName = hubKey(hub, url.searchParams.get('application'));
  const candidates = ROUTES.filter((r) => r.versions.includes(version) && matchPath(r.path, path) !== undefined);
  if (candidates.length === 0) throw new HttpError(404, 'NotFound', `No REST API operation at ${url.pathname} (${version}).`);
  const found = candidates.find((r) => r.methods.includes(req.method ?? ''));
  if (!found) {
    const allowed = [...new Set(candidates.flatMap((r) => r.methods))].join(', ');
    throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed at ${url.pathname} (${version}); use ${allowed}.`, {
      Allow: allowed,
    });
  }
  const params = checkedParameters(matchPath(found.path, path)!);
  sendEmpty(res, await found.operation({ ctx, req, url, hubName, params }));
}

function pathSegments(pathname: string): string[] {
  const raw = pathname.split('/').filter((segment) => segment !== '');
  try {
    return raw.map((segment) => decodeURIComponent(segment));
  } catch {
    throw new HttpError(400, 'InvalidArgument', 'The request path is not valid percent-encoding.');
  }
}

/** `HEAD /api/health` (2022-06-01) and `GET|HEAD /api/v1/health`: no token needed, so it can serve as a readiness probe. */
function isHealthCheck(segments: string[], method: string | undefined): boolean {
  const path = segments.join('/');
  return (path === 'api/health' && method === 'HEAD') || (path === 'api/v1/health' && (method === 'GET' || method === 'HEAD'));
}

function apiVersionOf(url: URL): ApiVersion {
  const version = url.searchParams.get('api-version');
  if (version === SUPPORTED_API_VERSION) return version;
  if (version === null) {
    throw new HttpError(400, 'MissingApiVersion', `The api-version query parameter is required (supported: ${SUPPORTED_API_VERSION}).`);
  }
  throw new HttpError(
    400,
    'UnsupportedApiVersion',
    `The api-version '${clip(version)}' is not supported (supported: ${SUPPORTED_API_VERSION}).`,
  );
}

function matchPath(template: readonly string[], path: string[]): Record<string, string> | undefined {
  if (template.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const part = template[i];
    if (part.startsWith('{')) params[part.slice(1, -1)] = path[i];
    else if (part !== path[i]) return undefined;
  }
  return params;
}

function checkedParameters(params: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(params)) PARAMETER_CHECKS[name](value);
  return params;
}

// --- sends (202) ---

async function broadcast(call: RestCall): Promise<number> {
  const message = await payloadOf(call);
  const excluded = excludedOf(call.url);
  call.ctx.registry.hub(call.hubName)?.forEachConnection((connection) => sendUnlessExcluded(connection, message, excluded));
  return 202;
}

async function sendToGroup(call: RestCall): Promise<number> {
  const message = await payloadOf(call);
  const excluded = excludedOf(call.url);
  call.ctx.registry
    .hub(call.hubName)
    ?.forEachInGroup(call.params.group, Date.now(), (connection) => sendUnlessExcluded(connection, message, excluded));
  return 202;
}

async function sendToUser(call: RestCall): Promise<number> {
  const message = await payloadOf(call);
  call.ctx.registry.hub(call.hubName)?.forEachOfUser(call.params.user, (connection) => connection.send(message));
  return 202;
}

async function sendToConnection(call: RestCall): Promise<number> {
  const message = await payloadOf(call);
  call.ctx.registry.hub(call.hubName)?.connections.get(call.params.connectionId)?.send(message);
  return 202;
}

function sendUnlessExcluded(connection: ClientConnection, message: OutgoingInvocation, excluded: ReadonlySet<string>): void {
  if (excluded.size === 0 || !excluded.has(connection.id)) connection.send(message);
}

/** The `PayloadMessage` body `{target, arguments?}`. */
async function payloadOf({ req, ctx }: RestCall): Promise<OutgoingInvocation> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && !/^(application|text)\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(415, 'UnsupportedMediaType', `The body must be application/json, not '${clip(contentType)}'.`);
  }
  const body = await readBody(req, ctx.options.maxFrameBytes);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'InvalidArgument', `The body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'InvalidArgument', 'The body must be a JSON object {"target": <string>, "arguments": [...]}.');
  }
  const { target, arguments: args } = value as Record<string, unknown>;
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_NAME_LENGTH) {
    throw new HttpError(400, 'InvalidArgument', `'target' is required: a string of 1 to ${MAX_NAME_LENGTH} characters.`);
  }
  if (args !== undefined && !Array.isArray(args)) throw new HttpError(400, 'InvalidArgument', "'arguments' must be an array.");
  return new OutgoingInvocation(target, args ?? []);
}

function excludedOf(url: URL): ReadonlySet<string> {
  return new Set(url.searchParams.getAll('excluded'));
}

// --- existence checks (200 or 404) ---

function found(exists: boolean | undefined): number {
  return exists ? 200 : 404;
}

function connectionExists({ ctx, hubName, params }: RestCall): number {
  return found(ctx.registry.hub(hubName)?.connections.has(params.connectionId));
}

function groupExists({ ctx, hubName, params }: RestCall): number {
  return found(ctx.registry.hub(hubName)?.groupHasConnections(params.group, Date.now()));
}

function userExists({ ctx, hubName, params }: RestCall): number {
  return found(ctx.registry.hub(hubName)?.userHasConnections(params.user));
}

function userInGroup({ ctx, hubName, params }: RestCall): number {
  return found(ctx.registry.hub(hubName)?.userInGroup(params.user, params.group, Date.now()));
}

// --- closing connections ---

/** Closes with `allowReconnect`, so stock clients with automatic reconnect come back (with a new connection id). */
function closeEach(connections: ClientConnection[], url: URL): void {
  const reason = url.searchParams.get('reason') ?? undefined;
  if (reason !== undefined && reason.length > MAX_NAME_LENGTH) {
    throw new HttpError(400, 'InvalidArgument', `'reason' is longer than ${MAX_NAME_LENGTH} characters.`);
  }
  const excluded = excludedOf(url);
  for (const connection of connections) if (!excluded.has(connection.id)) connection.close(reason, true);
}

function collect(hub: Hub | undefined, visit: (hub: Hub, add: (connection: ClientConnection) => void) => void): ClientConnection[] {
  const connections: ClientConnection[] = [];
  if (hub) visit(hub, (connection) => connections.push(connection));
  return connections;
}

function closeConnection({ ctx, hubName, params, url }: RestCall): number {
  const connection = ctx.registry.hub(hubName)?.connections.get(params.connectionId);
  closeEach(connection ? [connection] : [], url);
  return 200;
}

function closeAllConnections({ ctx, hubName, url }: RestCall): number {
  closeEach(
    collect(ctx.registry.hub(hubName), (hub, add) => hub.forEachConnection(add)),
    url,
  );
  return 204;
}

function closeGroupConnections({ ctx, hubName, params, url }: RestCall): number {
  closeEach(
    collect(ctx.registry.hub(hubName), (hub, add) => hub.forEachInGroup(params.group, Date.now(), add)),
    url,
  );
  return 204;
}

function closeUserConnections({ ctx, hubName, params, url }: RestCall): number {
  closeEach(
    collect(ctx.registry.hub(hubName), (hub, add) => hub.forEachOfUser(params.user, add)),
    url,
  );
  return 204;
}

// --- group membership ---

function addConnectionToGroup({ ctx, hubName, params }: RestCall): number {
  return found(ctx.registry.hub(hubName)?.addConnectionToGroup(params.connectionId, params.group));
}

function removeConnectionFromGroup({ ctx, hubName, params }: RestCall): number {
  return found(ctx.registry.hub(hubName)?.removeConnectionFromGroup(params.connectionId, params.group));
}

function removeConnectionFromAllGroups({ ctx, hubName, params }: RestCall): number {
  ctx.registry.hub(hubName)?.removeConnectionFromAllGroups(params.connectionId);
  return 200;
}

function addUserToGroup({ ctx, hubName, params, url }: RestCall): number {
  const ttl = ttlOf(url);
  ctx.registry.hubFor(hubName).addUserToGroup(params.user, params.group, ttl, Date.now());
  forgetHubIfEmpty(ctx, hubName);
  return 200;
}

function removeUserFromGroup({ ctx, hubName, params }: RestCall): number {
  ctx.registry.hub(hubName)?.removeUserFromGroup(params.user, params.group);
  forgetHubIfEmpty(ctx, hubName);
  return 204;
}

function removeUserFromAllGroups({ ctx, hubName, params }: RestCall): number {
  ctx.registry.hub(hubName)?.removeUserFromAllGroups(params.user);
  forgetHubIfEmpty(ctx, hubName);
  return 204;
}

function forgetHubIfEmpty(ctx: ServiceContext, hubName: string): void {
  const hub = ctx.registry.hub(hubName);
  if (hub) ctx.registry.forgetIfEmpty(hubName, hub);
}

/** `ttl` in seconds, 0 to 2^31-1, or undefined when absent. */
function ttlOf(url: URL): number | undefined {
  const value = url.searchParams.get('ttl');
  if (value === null) return undefined;
  const ttl = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(ttl <= MAX_INT32)) {
    throw new HttpError(400, 'InvalidArgument', `'ttl' must be a whole number of seconds from 0 to ${MAX_INT32}, not '${clip(value)}'.`);
  }
  return ttl;
}
