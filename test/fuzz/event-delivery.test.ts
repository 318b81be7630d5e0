/**
 * Fuzz: the Event Grid topic stand-in's publish endpoint and the Functions host's `ingest`
 * webhook, 1,000 seeded malformed or hostile inputs each (`FUZZ_SEED` repeats a run), with a
 * valid event published every few inputs and read by a stock SignalR client.
 *
 * - Topic: every refused publish is a 4xx with `{"error": {code, message}}`; an accepted one
 *   (right key, well-formed events, hostile content) is delivered, and `ingest` drops what is
 *   not a valid event without a retry (nothing is dead-lettered).
 * - Webhook: a malformed delivery is a 4xx naming the problem; a well-formed delivery is 202 and
 *   each of its events is either stored or dropped with a logged reason; never a 5xx.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClearError, assertNoSecret, FUZZ_SUITE_TIME_LIMIT, headerValue, hostileString, invalidUtf8, malformedJsonText, sampleInputs, sendHttp, type HttpInput, urlComponent } from './support/fuzz.js';
import { startFuzzStack, type FuzzStack } from './support/fuzz-stack.js';
import { spoiledEvent, wellFormedHostileEvent } from './support/hostile-events.js';

const METHODS = ['POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

/** A body: events (mostly), or something that is not JSON events at all. */
const eventsBody = (): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { arbitrary: fc.array(spoiledEvent(), { minLength: 1, maxLength: 4 }).map((events) => JSON.stringify(events)), weight: 6 },
    { arbitrary: fc.array(wellFormedHostileEvent(), { minLength: 1, maxLength: 4 }).map((events) => JSON.stringify(events)), weight: 6 },
    { arbitrary: spoiledEvent().map((event) => JSON.stringify(event)), weight: 1 },
    { arbitrary: malformedJsonText(), weight: 3 },
    { arbitrary: invalidUtf8(), weight: 1 },
    { arbitrary: fc.constantFrom('[]', '{}', 'null', '"text"', '42'), weight: 1 },
    { arbitrary: fc.constant(`["${'x'.repeat(1024 * 1024)}"]`), weight: 1 },
  );

const optionalHeader = (name: string, usual: fc.Arbitrary<string>) =>
  fc.oneof({ arbitrary: usual.map((value) => ({ [name]: value })), weight: 6 }, { arbitrary: headerValue().map((value) => ({ [name]: value })), weight: 1 }, { arbitrary: fc.constant({}), weight: 1 });

function topicInputs(key: string): fc.Arbitrary<HttpInput> {
  return fc
    .record({
      method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 12 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      path: fc.oneof(
        { arbitrary: fc.constant('/api/events'), weight: 12 },
        { arbitrary: fc.constantFrom('/API/Events', '/api/events/', '/api/events/x', '/', '/api', '/api/events%2F..', '/eventsubscriptions/x/validate'), weight: 1 },
      ),
      query: fc.oneof(
        { arbitrary: fc.constant('?api-version=2018-01-01'), weight: 10 },
        { arbitrary: fc.constantFrom('', '?api-version=', '?api-version=2099-01-01', '?api-version=2018-01-01&api-version=x'), weight: 1 },
        { arbitrary: hostileString().map((value) => `?api-version=${urlComponent(value)}`), weight: 1 },
      ),
      auth: fc.oneof(
        { arbitrary: fc.constant({ 'aeg-sas-key': key }), weight: 8 },
        { arbitrary: headerValue().map((value) => ({ 'aeg-sas-key': value })), weight: 1 },
        { arbitrary: headerValue().map((value) => ({ 'aeg-sas-token': `r=${urlComponent(value)}&e=1%2F1%2F2099&s=${urlComponent(value)}` })), weight: 1 },
        { arbitrary: headerValue().map((value) => ({ authorization: `SharedAccessSignature ${value}` })), weight: 1 },
        { arbitrary: fc.constant({}), weight: 1 },
      ),
      contentType: optionalHeader('content-type', fc.oneof({ arbitrary: fc.constant('application/json'), weight: 4 }, fc.constantFrom('application/cloudevents-batch+json; charset=utf-8', 'application/cloudevents+json', 'text/plain'))),
      body: eventsBody(),
    })
    .map(({ method, path, query, auth, contentType, body }) => ({ method, path: `${path}${query}`, headers: { ...auth, ...contentType }, body }));
}

function webhookInputs(): fc.Arbitrary<HttpInput> {
  return fc
    .record({
      method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 14 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      functionName: fc.oneof({ arbitrary: fc.constant('ingest'), weight: 12 }, { arbitrary: hostileString(), weight: 1 }),
      eventType: optionalHeader('aeg-event-type', fc.oneof({ arbitrary: fc.constant('Notification'), weight: 8 }, { arbitrary: fc.constantFrom('SubscriptionValidation', 'Unsubscribe'), weight: 1 })),
      origin: fc.oneof({ arbitrary: fc.constant({}), weight: 8 }, { arbitrary: headerValue().map((value) => ({ 'webhook-request-origin': value })), weight: 1 }),
      contentType: optionalHeader('content-type', fc.constantFrom('application/json', 'application/cloudevents+json; charset=utf-8', 'application/cloudevents-batch+json')),
      body: fc.oneof({ arbitrary: eventsBody(), weight: 12 }, { arbitrary: fc.constant(`["${'y'.repeat(4 * 1024 * 1024)}"]`), weight: 1 }),
    })
    .map(({ method, functionName, eventType, origin, contentType, body }) => ({
      method,
      path: `/runtime/webhooks/eventgrid?functionName=${urlComponent(functionName)}`,
      headers: { ...eventType, ...origin, ...contentType },
      body,
    }));
}

/** How many events a delivery body holds, when it is JSON that the host would hand to the function. */
function eventCount(body: string | Uint8Array | undefined): number {
  if (body === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 0;
  }
}

describe('fuzz: Event Grid topic and ingest webhook', FUZZ_SUITE_TIME_LIMIT, () => {
  let fuzz: FuzzStack;
  let secrets: string[];

  before(async () => {
    fuzz = await startFuzzStack('event-delivery');
    secrets = [fuzz.stack.signalR().accessKey, fuzz.stack.topic.key];
    await fuzz.interleave(0);
    await fuzz.markHeap();
  });
  after(() => fuzz?.stop());

  it('POST /api/events answers every malformed or hostile publish with a clear error, or accepts it without harm', async () => {
    const { stack, tally } = fuzz;
    const baseUrl = stack.topic.endpoint.replace(/\/api\/events$/, '');
    const inputs = sampleInputs(topicInputs(stack.topic.key), 1);
    for (const [index, input] of inputs.entries()) {
      await fuzz.interleave(index + 1);
      const { status, body } = await sendHttp(baseUrl, input);
      assertNoSecret(body, secrets, input);
      if (status === 200) {
        tally.count('Event Grid topic POST /api/events', 'accepted (hostile content, delivered to ingest)');
        continue;
      }
      if (input.method === 'HEAD') assert.ok(status >= 400 && status < 500, `HEAD answered ${status}`);
      else assertClearError(status, body, 'api', input);
      tally.count('Event Grid topic POST /api/events', `${status}`);
      stack.logs.length = 0;
    }
    await stack.topic.whenIdle();
    assert.deepEqual(stack.topic.deadLetters().map((letter) => letter.lastHttpStatusCode), [], 'ingest never refused or failed a delivery');
    assert.equal(tally.total('Event Grid topic POST /api/events'), inputs.length);
    await fuzz.markHeap();
  });

  it('the ingest webhook answers a malformed delivery with a clear error and each event of a well-formed one with a stored or logged outcome', async () => {
    const { stack, tally } = fuzz;
    const inputs = sampleInputs(webhookInputs(), 2);
    const outcomeLines = () => stack.logs.filter((entry) => entry.functionName === 'ingest' && !entry.message.includes(fuzz.validStream));
    for (const [index, input] of inputs.entries()) {
      await fuzz.interleave(index + 1);
      await stack.topic.whenIdle();
      stack.logs.length = 0;
      const { status, body } = await sendHttp(stack.host.baseUrl, input);
      assertNoSecret(body, secrets, input);
      assert.ok(status < 500, `no 5xx: ${status} ${body.slice(0, 300)} for ${input.path} ${JSON.stringify(input.headers).slice(0, 200)}`);
      if (status === 202 && input.headers['aeg-event-type']?.toLowerCase() === 'notification') {
        const events = eventCount(input.body);
        assert.equal(outcomeLines().length, events, `one logged outcome per event: ${outcomeLines().map((entry) => entry.message.slice(0, 120)).join(' | ')}`);
        const dropped = outcomeLines().filter((entry) => entry.level === 'warning').length;
        tally.count('Functions host ingest webhook', dropped === events ? '202, every event dropped with its reason logged' : '202, some events stored');
      } else if (status >= 400) {
        if (input.method === 'HEAD') assert.ok(status < 500);
        else assertClearError(status, body, 'api', input);
        tally.count('Functions host ingest webhook', `${status}`);
      } else {
        tally.count('Functions host ingest webhook', `${status} (${input.method} ${input.headers['aeg-event-type'] ?? 'no aeg-event-type'})`);
      }
    }
    stack.logs.length = 0;
    assert.equal(tally.total('Functions host ingest webhook'), inputs.length);
  });

  it('delivered every valid event in between, kept answering and kept its memory bounded', async (t) => {
    await fuzz.markHeap();
    for (const line of await fuzz.verify()) t.diagnostic(line);
  });
});
