/**
 * The topic's HTTP endpoint. `POST /api/events?api-version=2018-01-01` publishes: the checks run
 * in Azure's order (route 404, method 405, api-version 400, credentials 401, size 413, content
 * type 415, events 400, then 503 when the delivery backlog is full) and a publish either gets
 * an empty 200 or `{"error": {...}}`. `GET /eventsubscriptions/<name>/validate?id=<code>` is the
 * manual validation link handed to webhooks in the validation event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../http-server.js';
import { eventGridError, type EventGridErrorResponse } from './error-response.js';
import { MAX_PUBLISH_BYTES, PUBLISH_API_VERSION, PUBLISH_PATH } from './local-topic-defaults.js';
import { authorizePublish } from './publish-authorization.js';
import { parsePublishedEvents, type AcceptedEvent } from './published-events.js';
import { VALIDATION_LINK_PATH } from './validation-handshake.js';

export interface TopicEndpointOptions {
  key: string;
  topicId: string;
  topicName: string;
  /** Queues accepted events for delivery, or says why it cannot now. */
  offer(events: AcceptedEvent[]): { accepted: true } | { accepted: false; reason: string };
  confirmValidationLink(subscriptionName: string, code: string): boolean;
  log(message: string): void;
}

export function createTopicRequestHandler(options: TopicEndpointOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      // A fault of the stand-in itself: said in its log, answered 500 as Azure does when it can.
      options.log(`publish request failed: ${(error as Error).stack ?? String(error)}`);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      request.resume();
      writeError(response, eventGridError(500, 'The topic could not handle the request.'));
    });
  };
}

async function handle(options: TopicEndpointOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // A request target URL cannot parse is answered like any other unknown path.
  const url = URL.canParse(request.url ?? '', 'http://topic') ? new URL(request.url ?? '', 'http://topic') : new URL('http://topic/?');
  const validationLink = VALIDATION_LINK_PATH.exec(url.pathname);
  if (validationLink && request.method === 'GET') {
    const confirmed = options.confirmValidationLink(validationLink[1], url.searchParams.get('id') ?? '');
    response.writeHead(confirmed ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(confirmed
      ? 'Webhook successfully validated as a subscription endpoint.\n'
      : 'No validation handshake under way for this subscription and code.\n');
    return;
  }
  const refusal = await publish(options, request, url);
  if (refusal) {
    request.resume();
    writeError(response, refusal);
    return;
  }
  response.writeHead(200, { 'content-length': '0' });
  response.end();
}

/** Publishes the request's events; returns the error answer when it refuses them. */
async function publish(options: TopicEndpointOptions, request: IncomingMessage, url: URL): Promise<EventGridErrorResponse | undefined> {
  if (url.pathname.toLowerCase() !== PUBLISH_PATH) {
    return eventGridError(404, `No endpoint at ${url.pathname}; publish to POST ${PUBLISH_PATH}?api-version=${PUBLISH_API_VERSION}.`);
  }
  if (request.method !== 'POST') {
    return eventGridError(405, `${request.method ?? ''} is not allowed on ${PUBLISH_PATH}; publish with POST.`, { headers: { allow: 'POST' } });
  }
  const apiVersion = url.searchParams.get('api-version');
  if (apiVersion !== PUBLISH_API_VERSION) {
    return eventGridError(400, apiVersion === null
      ? `The api-version query parameter is required; use api-version=${PUBLISH_API_VERSION}.`
      : `api-version '${apiVersion}' is not supported; use api-version=${PUBLISH_API_VERSION}.`,
    { detailCode: apiVersion === null ? 'MissingApiVersionParameter' : 'InvalidApiVersionParameter' });
  }
  const authorization = authorizePublish(request.headers, options.key);
  if (!authorization.authorized) {
    return eventGridError(401, `The request authorization key is not authorized for topic '${options.topicName}': ${authorization.reason}.`);
  }
  const body = await readBoundedBody(request, MAX_PUBLISH_BYTES);
  if (body === undefined) {
    return eventGridError(413, `The request is larger than ${MAX_PUBLISH_BYTES} bytes (1 MB), the most Event Grid accepts per request and per event.`);
  }
  const parsed = parsePublishedEvents(body, request.headers['content-type'], options.topicId, new Date());
  if (!('events' in parsed)) return parsed;
  const queued = options.offer(parsed.events);
  return queued.accepted ? undefined : eventGridError(503, queued.reason, { detailCode: 'DeliveryBacklogFull', headers: { 'retry-after': '1' } });
}

function writeError(response: ServerResponse, error: EventGridErrorResponse): void {
  response.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', ...error.headers });
  response.end(JSON.stringify(error.body));
}
