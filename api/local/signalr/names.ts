/**
 * Names that arrive from outside (hub, group, user and connection ids), validated as Azure's
 * REST API documents them. Hub names are case-insensitive: they are kept lowercased.
 */
import { HttpError } from './http-io.js';

/** Azure's hub (and application) name pattern, 2022-06-01 swagger. */
const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
/** Longest group name, user id, connection id, target and close reason the service accepts. */
export const MAX_NAME_LENGTH = 1024;
// Control characters would corrupt logs and are never part of a real id.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A name that breaks the rules; it is answered with 400. */
export class InvalidNameError extends HttpError {
  constructor(message: string) {
    super(400, 'InvalidArgument', message);
  }
}

/** The lowercased hub name; with an application name the hub is `<application>_<hub>` as in Azure. */
export function hubKey(hub: string | null | undefined, application?: string | null): string {
  if (!hub) throw new InvalidNameError('The hub name is required.');
  if (!HUB_PATTERN.test(hub)) {
    throw new InvalidNameError(
      `The hub name '${clip(hub)}' is invalid: it must start with a letter and have at most 128 of A-Z a-z 0-9 _ \` , . [ ].`,
    );
  }
  if (application === undefined || application === null) return hub.toLowerCase();
  if (!HUB_PATTERN.test(application)) {
    throw new InvalidNameError(`The application name '${clip(application)}' is invalid: it must follow the hub name rules.`);
  }
  return `${application}_${hub}`.toLowerCase();
}

/** A group name: 1 to 1024 characters, not only white space (2022-06-01 swagger), no control characters. */
export function groupName(value: string): string {
  checkId('group name', value);
  if (value.trim() === '') throw new InvalidNameError('The group name must not be only white space.');
  return value;
}

export function userId(value: string): string {
  checkId('user id', value);
  return value;
}

export function connectionId(value: string): string {
  checkId('connection id', value);
  return value;
}

function checkId(what: string, value: string): void {
  if (value.length === 0) throw new InvalidNameError(`The ${what} must not be empty.`);
  if (value.length > MAX_NAME_LENGTH) {
    throw new InvalidNameError(`The ${what} is longer than ${MAX_NAME_LENGTH} characters.`);
  }
  if (CONTROL_CHARACTERS.test(value)) throw new InvalidNameError(`The ${what} contains control characters.`);
}

/** Shortens a rejected value for an error message. */
export function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}
