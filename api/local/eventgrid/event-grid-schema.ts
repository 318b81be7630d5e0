/**
 * The Event Grid schema as a custom topic accepts it: required `id`, `subject`, `eventType` and
 * `eventTime`; optional `data`, `dataVersion` (stamped `""`), `metadataVersion` (must be "1";
 * stamped) and `topic` (must be the topic's id; stamped). Like Azure, other properties are
 * refused ("does not conform to the expected schema").
 */
import {
  dateTimeProblem, eventLabel, firstProblem, isJsonObject, notAnObjectProblem, optionalStringProblem,
  requiredStringProblem, type JsonObject,
} from './event-fields.js';

const KNOWN_PROPERTIES = new Set(['id', 'topic', 'subject', 'eventType', 'eventTime', 'data', 'dataVersion', 'metadataVersion']);

const EVENT_GRID_METADATA_VERSION = '1';

/** Checks one published event; returns the stamped event, or the problem. */
export function acceptEventGridEvent(
  value: unknown,
  index: number,
  topicId: string,
): { event: JsonObject } | { problem: string } {
  const label = eventLabel(index);
  if (!isJsonObject(value)) return { problem: notAnObjectProblem(value, label) };
  const problem = firstProblem(
    () => unknownPropertyProblem(value, label),
    () => requiredStringProblem(value, 'id', label),
    () => requiredStringProblem(value, 'subject', label),
    () => requiredStringProblem(value, 'eventType', label),
    () => requiredStringProblem(value, 'eventTime', label),
    () => dateTimeProblem(value, 'eventTime', label),
    () => optionalStringProblem(value, 'dataVersion', label),
    () => optionalStringProblem(value, 'metadataVersion', label),
    () => optionalStringProblem(value, 'topic', label),
    () => (value.metadataVersion === undefined || value.metadataVersion === EVENT_GRID_METADATA_VERSION
      ? undefined
      : `Property 'metadataVersion' of ${label} must be "${EVENT_GRID_METADATA_VERSION}" but is '${String(value.metadataVersion)}'.`),
    () => (value.topic === undefined || value.topic === topicId
      ? undefined
      : `Property 'topic' of ${label} must be left out or be this topic's id '${topicId}' but is '${String(value.topic)}'.`),
  );
  if (problem !== undefined) return { problem };
  return {
    event: {
      id: value.id,
      topic: topicId,
      subject: value.subject,
      eventType: value.eventType,
      eventTime: value.eventTime,
      ...('data' in value ? { data: value.data } : {}),
      dataVersion: value.dataVersion ?? '',
      metadataVersion: EVENT_GRID_METADATA_VERSION,
    },
  };
}

function unknownPropertyProblem(event: JsonObject, label: string): string | undefined {
  const unknown = Object.keys(event).find((name) => !KNOWN_PROPERTIES.has(name));
  return unknown === undefined
    ? undefined
    : `This topic accepts the Event Grid schema here; ${label} has the unexpected property '${unknown.slice(0, 64)}'.`;
}
