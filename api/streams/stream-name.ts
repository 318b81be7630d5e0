/**
 * Stream names (README "Streams"): 1 to 128 characters of `A-Z a-z 0-9 _ . : ~ -` in one or
 * more segments joined by single `/`. A stream name is also the SignalR group name.
 */

export const STREAM_NAME_MAX_LENGTH = 128;

const STREAM_NAME = /^[A-Za-z0-9_.:~-]+(?:\/[A-Za-z0-9_.:~-]+)*$/;

/** What is wrong with `value` as a stream name, or undefined when it is a valid one. */
export function streamNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, not ${describeType(value)}`;
  if (value.length === 0) return 'must not be empty';
  if (value.length > STREAM_NAME_MAX_LENGTH) {
    return `is ${value.length} characters long; the limit is ${STREAM_NAME_MAX_LENGTH}`;
  }
  if (!STREAM_NAME.test(value)) {
    return 'may hold only A-Z a-z 0-9 _ . : ~ - in segments joined by single "/" (no leading, trailing or doubled "/")';
  }
  // "." and ".." would be resolved away as URL path segments, so no URL could name them.
  if (value === '.' || value === '..') return 'must not be "." or ".."';
  return undefined;
}

/** The stream an event is for: its subject, without a leading `streams/`. */
export function streamFromSubject(subject: string): string {
  return subject.startsWith('streams/') ? subject.slice('streams/'.length) : subject;
}

/**
 * The stream named by a route parameter. The name travels percent-encoded as one path segment;
 * some hosts decode the parameter and some leave `%2F` encoded (ASP.NET Core does), so an
 * encoded name is decoded here. `%` is not a stream name character, so this is unambiguous.
 */
export function streamFromRouteParameter(parameter: string): string {
  if (!parameter.includes('%')) return parameter;
  try {
    return decodeURIComponent(parameter);
  } catch {
    return parameter;
  }
}

/** A short, safe rendering of any value for an error message. */
export function describeValue(value: unknown, maxLength = 40): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
