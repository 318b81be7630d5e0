/**
 * CloudEvents 1.0 (JSON format) as Event Grid accepts it: required `specversion` ("1.0"), `id`,
 * `source`, `type`; optional string attributes `subject`, `time` (RFC 3339), `datacontenttype`,
 * `dataschema`; `data` or `data_base64` (not both); extension attributes named with lowercase
 * letters and digits, holding strings, numbers or booleans. Event Grid stamps nothing on them.
 */
import {
  capitalized, dateTimeProblem, eventLabel, firstProblem, isJsonObject, jsonTypeName, notAnObjectProblem,
  optionalStringProblem, requiredStringProblem, type JsonObject,
} from './event-fields.js';

const CLOUD_EVENTS_SPEC_VERSION = '1.0';

const CONTEXT_ATTRIBUTES = new Set([
  'specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64',
]);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** Checks one published CloudEvent; `index` is left out for a single (non-batch) event. */
export function acceptCloudEvent(value: unknown, index: number | undefined): { event: JsonObject } | { problem: string } {
  const label = eventLabel(index);
  if (!isJsonObject(value)) return { problem: notAnObjectProblem(value, label) };
  const problem = firstProblem(
    () => requiredStringProblem(value, 'specversion', label),
    () => (value.specversion === CLOUD_EVENTS_SPEC_VERSION
      ? undefined
      : `Property 'specversion' of ${label} must be "${CLOUD_EVENTS_SPEC_VERSION}" but is '${String(value.specversion)}'.`),
    () => requiredStringProblem(value, 'id', label),
    () => requiredStringProblem(value, 'source', label),
    () => requiredStringProblem(value, 'type', label),
    ...['subject', 'time', 'datacontenttype', 'dataschema', 'data_base64'].map((name) => () => optionalStringProblem(value, name, label)),
    () => dateTimeProblem(value, 'time', label),
    () => ('data' in value && 'data_base64' in value
      ? `${capitalized(label)} has both 'data' and 'data_base64'; send one of them.`
      : undefined),
    () => extensionProblem(value, label),
  );
  return problem === undefined ? { event: value } : { problem };
}

function extensionProblem(event: JsonObject, label: string): string | undefined {
  for (const [name, value] of Object.entries(event)) {
    if (CONTEXT_ATTRIBUTES.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      return `Extension attribute '${name.slice(0, 64)}' of ${label} must be 1 to 20 lowercase letters or digits.`;
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      return `Extension attribute '${name}' of ${label} must be a string, number or boolean but is ${jsonTypeName(value)}.`;
    }
  }
  return undefined;
}
