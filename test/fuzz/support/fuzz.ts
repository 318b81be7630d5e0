/**
 * What every fuzz test shares: the seed (`FUZZ_SEED`, else a fixed one, so a run can be
 * repeated), hostile values, the check that an answer is a clear error, and a tally of outcomes
 * per entry point.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';

const DEFAULT_FUZZ_SEED = 20261203;
/** Inputs per entry point; at least 1,000. */
const INPUTS_PER_ENTRY_POINT = 1000;
/**
 * How long one entry point's fuzz suite may run (about 20 s on a 2-core machine): a hang or a
 * server that slows down under hostile input fails the suite instead of stalling the test run.
 */
export const FUZZ_SUITE_TIME_LIMIT = { timeout: 180_000 };

function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw.trim() === '') return DEFAULT_FUZZ_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(raw)}`);
  return seed;
}

/** `count` inputs of an entry point, the same for the same seed; `salt` keeps entry points apart. */
export function sampleInputs<T>(arbitrary: fc.Arbitrary<T>, salt: number, count = INPUTS_PER_ENTRY_POINT): T[] {
  return fc.sample(arbitrary, { seed: fuzzSeed() + salt, numRuns: count });
}

/** Strings that have broken servers before: markup, traversal, control and odd Unicode, injection, sheer size. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '"><a href="//evil.example">x</a>',
  '../../../../etc/passwd',
  '..',
  '.',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  '\u0007bell',
  'line\r\nInjected: header',
  '\ud800',
  '\u202eevil',
  '🔥'.repeat(40),
  "' or 1 eq 1 or '",
  '$filter=PartitionKey ne \'\'',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
  'constructor',
  'a'.repeat(129),
  'b'.repeat(5000),
  'c'.repeat(70_000),
  'streams/',
  'a//b',
  '/leading',
  'trailing/',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '9007199254740993',
];

export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }), weight: 1 },
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:~/-]{0,140}$/), weight: 2 },
  );

/**
 * Header values that can travel in HTTP (visible ASCII and spaces; anything else is refused by
 * the sending side before it reaches a server), hostile ones included.
 */
export const headerValue = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('', ' ', 'null', 'Bearer', 'Bearer ', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', '*', '../../', 'x'.repeat(8000), '<script>alert(1)</script>'),
    fc.string({ unit: 'binary-ascii', maxLength: 120 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
  );

/** A string as a URL query value or path segment (lone surrogates cannot be percent-encoded, so they become U+FFFD). */
export function urlComponent(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

/** Any JSON value, hostile strings included, of bounded depth. */
export const hostileJson = (): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
      hostileString(),
      fc.array(tie('value'), { maxLength: 6 }),
      fc.dictionary(fc.oneof(hostileString(), fc.constantFrom('__proto__', 'constructor', 'points', 'X', 'Y', 'x', 'y', 'series')), tie('value'), { maxKeys: 6 }),
    ),
  })).value;

/** JSON text that is not valid JSON, or JSON that parses to something surprising. */
export const malformedJsonText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('', '{', '[', '{"a":', '[1,2', 'nul', 'undefined', '{"a":1,}', "{'a':1}", '\u0000', 'NaN', '[1e400]', '"\\ud800"', '{"__proto__":{"polluted":1}}'),
    fc.constant('['.repeat(10_000) + ']'.repeat(10_000)),
    fc.constant(`{"a":${'['.repeat(100_000)}`),
    fc.string({ unit: 'binary', maxLength: 300 }),
    hostileJson().map((value) => JSON.stringify(value) ?? 'null'),
  );

/** Bytes that are not UTF-8. */
export const invalidUtf8 = (): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Uint8Array.from([0xc3, 0x28, 0xff, ...bytes]));

/** One HTTP request of a fuzz run, sent as it is. */
export interface HttpInput {
  method: string;
  /** Path and query, appended to the base URL. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Sends an input (without a body for GET and HEAD, which cannot carry one) and reads the whole answer. */
export async function sendHttp(baseUrl: string, input: HttpInput): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}${input.path}`, {
    method: input.method,
    headers: input.headers,
    body: input.method === 'GET' || input.method === 'HEAD' ? undefined : (input.body as BodyInit | undefined),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Node's HTTP server answers a request line or headers over its 16 KiB limit with a bare 431
 * before any handler runs; the status itself names the problem.
 */
const HEADERS_TOO_LARGE = 431;

/** Asserts an HTTP answer is a clear client error: 4xx and a JSON body whose error names the problem. */
export function assertClearError(status: number, body: string, shape: 'api' | 'signalr', input: unknown): void {
  const context = () => `for input ${describeInput(input)}: ${status} ${body.slice(0, 300)}`;
  assert.ok(status >= 400 && status < 500, `a 4xx ${context()}`);
  if (status === HEADERS_TOO_LARGE) return;
  let parsed: unknown;
  assert.doesNotThrow(() => (parsed = JSON.parse(body)), `a JSON error body ${context()}`);
  const error = shape === 'api' ? (parsed as { error?: unknown }).error : parsed;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  assert.ok(typeof code === 'string' && code.length > 0, `an error code ${context()}`);
  assert.ok(typeof message === 'string' && message.length > 0, `an error message ${context()}`);
}

/** Fails when an answer carries a secret the servers hold. */
export function assertNoSecret(body: string, secrets: readonly string[], input: unknown): void {
  for (const secret of secrets) assert.ok(!body.includes(secret), `an answer leaked a secret for input ${describeInput(input)}`);
}

export function describeInput(input: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(input, (_, value: unknown) => (value instanceof Uint8Array ? `<${value.length} bytes: ${Buffer.from(value.subarray(0, 16)).toString("hex")}>` : value));
  } catch {
    text = String(input);
  }
  return text.length > 400 ? `${text.slice(0, 400)}...` : text;
}

/** Outcomes per entry point, for the report. */
export class FuzzTally {
  readonly #counts = new Map<string, Map<string, number>>();

  count(entryPoint: string, outcome: string): void {
    let outcomes = this.#counts.get(entryPoint);
    if (!outcomes) this.#counts.set(entryPoint, (outcomes = new Map()));
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }

  total(entryPoint: string): number {
    return [...(this.#counts.get(entryPoint)?.values() ?? [])].reduce((sum, count) => sum + count, 0);
  }

  /** One line per entry point: total and outcomes. */
  lines(): string[] {
    return [...this.#counts].map(([entryPoint, outcomes]) => {
      const detail = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, count]) => `${outcome} ${count}`).join(', ');
      return `${entryPoint}: ${this.total(entryPoint)} inputs (${detail})`;
    });
  }
}
