/**
 * One event as the Functions host hands it to an Event Grid trigger: an EventGridEvent object
 * (`id`, `subject`, `eventType`, `eventTime`, `data`) or a CloudEvents 1.0 object (`specversion`,
 * `id`, `source`, `type`, `subject`, `time`, `data` or `data_base64`). The stream is the subject
 * without a leading `streams/`.
 */
import type { MessageDraft } from '../store/recent-points-store.js';
import { describeType, describeValue, streamFromSubject, streamNameProblem } from '../streams/stream-name.js';
import { parseIsoTime } from './iso-time.js';
import { DataProblem, isPlainObject, parsePointsData } from './points-data.js';

export const EVENT_ID_MAX_LENGTH = 512;

export type ParsedEvent =
  | { ok: true; draft: MessageDraft; schema: 'EventGridEvent' | 'CloudEvent' }
  /** `eventId` when the event had a usable one, for the log line. */
  | { ok: false; eventId?: string; problem: string };

/** Validates an event; never throws. `receivedAt` stands in for a missing CloudEvents `time`. */
export function parseIncomingEvent(raw: unknown, receivedAt: number = Date.now()): ParsedEvent {
  if (!isPlainObject(raw)) return { ok: false, problem: `event must be a JSON object, not ${describeType(raw)}` };
  const eventId = typeof raw.id === 'string' && raw.id.length > 0 && raw.id.length <= EVENT_ID_MAX_LENGTH ? raw.id : undefined;
  try {
    if ('specversion' in raw) return { ok: true, schema: 'CloudEvent', draft: cloudEventDraft(raw, receivedAt) };
    if ('eventType' in raw || 'eventTime' in raw) return { ok: true, schema: 'EventGridEvent', draft: eventGridDraft(raw) };
    throw new DataProblem(
      'event is neither an Event Grid event (id, subject, eventType, eventTime, data) nor a CloudEvent (specversion, id, source, type, subject, data)',
    );
  } catch (error) {
    if (error instanceof DataProblem) return { ok: false, eventId, problem: error.message };
    throw error;
  }
}

function eventGridDraft(event: Record<string, unknown>): MessageDraft {
  const id = eventIdOf(event);
  requiredString(event, 'eventType', 'Event Grid event');
  const time = eventTime(requiredString(event, 'eventTime', 'Event Grid event'), 'eventTime');
  const stream = streamOf(event.subject, 'Event Grid event');
  return { v: 1, stream, id, time, series: parsePointsData(dataOf(event.data, undefined), time) };
}

function cloudEventDraft(event: Record<string, unknown>, receivedAt: number): MessageDraft {
  if (event.specversion !== '1.0') throw new DataProblem(`CloudEvent specversion must be "1.0", not ${describeValue(event.specversion)}`);
  const id = eventIdOf(event);
  requiredString(event, 'source', 'CloudEvent');
  requiredString(event, 'type', 'CloudEvent');
  const untimed = event.time === undefined;
  const time = untimed ? receivedAt : eventTime(requiredString(event, 'time', 'CloudEvent'), 'time');
  const stream = streamOf(event.subject, 'CloudEvent');
  const data = 'data_base64' in event ? base64Data(event) : event.data;
  return { v: 1, stream, id, time, series: parsePointsData(dataOf(data, event.datacontenttype), time), ...(untimed && { untimed }) };
}

function eventIdOf(event: Record<string, unknown>): string {
  const id = event.id;
  if (typeof id !== 'string' || id.length === 0) throw new DataProblem(`event id must be a non-empty string, not ${describeValue(id)}`);
  if (id.length > EVENT_ID_MAX_LENGTH) throw new DataProblem(`event id is ${id.length} characters; the limit is ${EVENT_ID_MAX_LENGTH}`);
  return id;
}

function requiredString(event: Record<string, unknown>, field: string, schema: string): string {
  const value = event[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new DataProblem(`${schema} field "${field}" must be a non-empty string, not ${describeValue(value)}`);
  }
  return value;
}

function eventTime(text: string, field: string): number {
  const time = parseIsoTime(text);
  if (time === undefined) throw new DataProblem(`event ${field} ${describeValue(text)} is not an ISO-8601 time`);
  return time;
}

function streamOf(subject: unknown, schema: string): string {
  if (typeof subject !== 'string') {
    throw new DataProblem(`${schema} has no subject (${describeValue(subject)}); the subject names the stream`);
  }
  const stream = streamFromSubject(subject);
  const problem = streamNameProblem(stream);
  if (problem) throw new DataProblem(`subject ${describeValue(subject)} is not a stream name: it ${problem}`);
  return stream;
}

/** The data as a value: JSON sent as a string (some publishers double-encode) is parsed. */
function dataOf(data: unknown, contentType: unknown): unknown {
  if (data === undefined || data === null) throw new DataProblem('event has no data');
  if (typeof data !== 'string') return data;
  if (contentType !== undefined && !isJsonContentType(contentType)) {
    throw new DataProblem(`event data has content type ${describeValue(contentType)}; only JSON data is accepted`);
  }
  try {
    return JSON.parse(data);
  } catch {
    throw new DataProblem(`event data is a string that is not JSON: ${describeValue(data)}`);
  }
}

function base64Data(event: Record<string, unknown>): string {
  const encoded = event.data_base64;
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    throw new DataProblem('CloudEvent data_base64 must be a base64 string');
  }
  if (event.datacontenttype !== undefined && !isJsonContentType(event.datacontenttype)) {
    throw new DataProblem(`CloudEvent datacontenttype ${describeValue(event.datacontenttype)} is not JSON; only JSON data is accepted`);
  }
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function isJsonContentType(value: unknown): boolean {
  return typeof value === 'string' && /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i.test(value.trim());
}
