/**
 * The JSON an event is delivered as, in a subscription's delivery schema. Event Grid converts
 * Event Grid schema input to CloudEvents output (`source` is the topic, `type` the event type,
 * `time` the event time, `dataschema` "#" + `dataVersion`), but not CloudEvents input to Event
 * Grid output, because CloudEvents extension attributes have no place in the Event Grid schema.
 */
import type { AcceptedEvent, EventSchema } from './published-events.js';

/** The event's JSON in `schema`, or `undefined` when Event Grid cannot convert it. */
export function eventJsonInSchema(accepted: AcceptedEvent, schema: EventSchema): string | undefined {
  if (accepted.schema === schema) return accepted.json;
  if (schema === 'EventGridSchema') return undefined;
  const { id, topic, subject, eventType, eventTime, data, dataVersion } = accepted.event;
  return JSON.stringify({
    specversion: '1.0',
    id,
    source: topic,
    subject,
    type: eventType,
    time: eventTime,
    dataschema: `#${String(dataVersion)}`,
    data,
  });
}
