/**
 * Field checks shared by the Event Grid and CloudEvents schemas. Each returns a message naming
 * the property and the event (by its index in the request) when the check fails.
 */

export type JsonObject = Record<string, unknown>;

/** How a message names an event: `the event at index 2`, or `the event` for a single one. */
export type EventLabel = string;

export function eventLabel(index: number | undefined): EventLabel {
  return index === undefined ? 'the event' : `the event at index ${index}`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The problem when a batch item is not a JSON object. */
export function notAnObjectProblem(value: unknown, label: EventLabel): string {
  return `${capitalized(label)} must be a JSON object but is ${jsonTypeName(value)}.`;
}

/** The label at the start of a sentence. */
export function capitalized(label: EventLabel): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** `null`, `array` or the `typeof` name, as a message would say it. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** A property that must be a non-empty string. */
export function requiredStringProblem(event: JsonObject, name: string, label: EventLabel): string | undefined {
  if (!(name in event)) return `Required property '${name}' is missing in ${label}.`;
  return optionalStringProblem(event, name, label) ??
    (event[name] === '' ? `Property '${name}' of ${label} must not be empty.` : undefined);
}

/** A property that may be absent but, when present, must be a string. */
export function optionalStringProblem(event: JsonObject, name: string, label: EventLabel): string | undefined {
  const value = event[name];
  if (value === undefined || typeof value === 'string') return undefined;
  return `Property '${name}' of ${label} must be a string but is ${jsonTypeName(value)}.`;
}

/** A string property that, when present, must be an ISO-8601 / RFC 3339 date-time. */
export function dateTimeProblem(event: JsonObject, name: string, label: EventLabel): string | undefined {
  const value = event[name];
  if (typeof value !== 'string' || isDateTime(value)) return undefined;
  return `Property '${name}' of ${label} must be an ISO-8601 date-time (e.g. 2024-05-01T12:00:00Z) but is '${value.slice(0, 64)}'.`;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/i;

function isDateTime(text: string): boolean {
  // Date.parse takes at most milliseconds, so longer fractions (.NET writes 7 digits) are cut first.
  return DATE_TIME.test(text) && !Number.isNaN(Date.parse(text.replace(/(\.\d{3})\d+/, '$1')));
}

/** The first problem of a list of checks, so each schema reads as a list of its rules. */
export function firstProblem(...checks: (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const problem = check();
    if (problem !== undefined) return problem;
  }
  return undefined;
}
