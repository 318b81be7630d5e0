/**
 * Turns a publish request body into accepted events, by content type as Event Grid reads it:
 * `application/json` is an array of Event Grid schema events, `application/cloudevents-batch+json`
 * an array of CloudEvents and `application/cloudevents+json` one CloudEvent. Any bad event
 * refuses the whole request (Azure accepts a request whole or not at all).
 */
import { acceptCloudEvent } from './cloud-event-schema.js';
import { eventGridError, type EventGridErrorResponse } from './error-response.js';
import type { JsonObject } from './event-fields.js';
import { acceptEventGridEvent } from './event-grid-schema.js';

export type EventSchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

/** One event the topic accepted, as stamped, with what routing and delivery need of it. */
export interface AcceptedEvent {
  schema: EventSchema;
  event: JsonObject;
  subject: string;
  eventType: string;
  /** `dataVersion` of an Event Grid event (`""` for CloudEvents, which have none). */
  dataVersion: string;
  publishTime: Date;
  /** The event's JSON, as delivered in its own schema. */
  json: string;
}

type RequestFormat = { schema: EventSchema; batch: boolean };

const FORMAT_BY_MEDIA_TYPE: Record<string, RequestFormat> = {
  'application/json': { schema: 'EventGridSchema', batch: true },
  'application/cloudevents-batch+json': { schema: 'CloudEventSchemaV1_0', batch: true },
  'application/cloudevents+json': { schema: 'CloudEventSchemaV1_0', batch: false },
};

export function parsePublishedEvents(
  body: Buffer,
  contentType: string | undefined,
  topicId: string,
  publishTime: Date,
): { events: AcceptedEvent[] } | EventGridErrorResponse {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  const format = FORMAT_BY_MEDIA_TYPE[mediaType];
  if (!format) {
    return eventGridError(415, `Content-Type '${contentType ?? ''}' is not supported. Send ${Object.keys(FORMAT_BY_MEDIA_TYPE).join(', or ')}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return badInput(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (format.batch !== Array.isArray(parsed)) {
    return badInput(format.batch
      ? `Content-Type ${mediaType} expects a JSON array of events, but the body is ${parsed === null ? 'null' : typeof parsed}.`
      : `Content-Type ${mediaType} expects one event as a JSON object, but the body is an array; send arrays as application/cloudevents-batch+json.`);
  }
  const items: unknown[] = format.batch ? (parsed as unknown[]) : [parsed];
  if (items.length === 0) return badInput('The request holds no events; send at least one.');
  const events: AcceptedEvent[] = [];
  for (const [index, item] of items.entries()) {
    const result = format.schema === 'EventGridSchema'
      ? acceptEventGridEvent(item, index, topicId)
      : acceptCloudEvent(item, format.batch ? index : undefined);
    if ('problem' in result) return badInput(result.problem);
    events.push(describe(format.schema, result.event, publishTime));
  }
  return { events };
}

function describe(schema: EventSchema, event: JsonObject, publishTime: Date): AcceptedEvent {
  const eventGrid = schema === 'EventGridSchema';
  return {
    schema,
    event,
    subject: String(event.subject ?? ''),
    eventType: String(eventGrid ? event.eventType : event.type),
    dataVersion: eventGrid ? String(event.dataVersion) : '',
    publishTime,
    json: JSON.stringify(event),
  };
}

function badInput(message: string): EventGridErrorResponse {
  return eventGridError(400, message, { detailCode: 'InputJsonInvalid' });
}
