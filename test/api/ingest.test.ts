import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { HistoryResponse, LiveMessage } from '../../api/live-message.js';
import { cloudEvent, eventGridEvent, startApiStack, type ApiStack } from './support/api-stack.js';

describe('ingest (Event Grid trigger)', () => {
  let stack: ApiStack;

  /** The live messages sent to SignalR groups, in order. */
  const sent = () =>
    stack.signalR.requests
      .filter((request) => request.method === 'POST' && /\/groups\/[^/]+\/:send$/.test(request.path))
      .map((request) => ({ path: request.path, body: request.body as { target: string; arguments: LiveMessage[] } }));

  const history = async (stream: string): Promise<HistoryResponse> =>
    (await (await stack.api(`streams/${encodeURIComponent(stream)}/history`)).json()) as HistoryResponse;

  const warnings = () => stack.logs.filter((entry) => entry.level === 'warning').map((entry) => entry.message);

  before(async () => {
    stack = await startApiStack({ settings: { PUBLIC_STREAMS: '*' } });
  });
  after(() => stack?.stop());
  beforeEach(() => stack.reset());

  it('sends the original sample\'s array format to the stream\'s group as one columnar message', async () => {
    const event = eventGridEvent('streams/boiler-7/temperature', [{ X: 1, Y: 42 }, { X: 1, Y: 17 }], { eventTime: '2024-12-03T18:30:00Z' });
    assert.equal((await stack.deliver([event])).status, 202);
    const [{ path, body }] = sent();
    assert.equal(path, '/api/hubs/realtimeplot/groups/boiler-7%2Ftemperature/:send');
    assert.equal(body.target, 'points');
    assert.deepEqual(body.arguments, [
      {
        v: 1,
        stream: 'boiler-7/temperature',
        seq: 1,
        id: event.id,
        time: Date.parse('2024-12-03T18:30:00Z'),
        series: [
          { name: 'series-1', x: [1], y: [42] },
          { name: 'series-2', x: [1], y: [17] },
        ],
      },
    ]);
  });

  it('reads the sample array as @azure/eventgrid serializes it from JavaScript (an object keyed "0", "1", ...)', async () => {
    const event = eventGridEvent('boiler-9/temperature', { 0: { X: 3, Y: 42 }, 1: { X: 3, Y: 17 } });
    assert.equal((await stack.deliver([event])).status, 202);
    assert.deepEqual(sent()[0].body.arguments[0].series, [
      { name: 'series-1', x: [3], y: [42] },
      { name: 'series-2', x: [3], y: [17] },
    ]);
  });

  it('accepts CloudEvents with the points format, ISO times and a missing x', async () => {
    const event = cloudEvent('boiler-8/temperature', {
      points: [
        { series: 'inside', x: 1733250000000, y: 21.5 },
        { series: 'outside', x: '2024-12-03T18:20:00.500Z', y: 3.2 },
        { series: 'inside', y: 21.6 },
      ],
    }, { time: '2024-12-03T18:30:00Z' });
    assert.equal((await stack.deliver(event, { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } })).status, 202);
    const message = sent()[0].body.arguments[0];
    assert.deepEqual(message.series, [
      { name: 'inside', x: [1733250000000, Date.parse('2024-12-03T18:30:00Z')], y: [21.5, 21.6] },
      { name: 'outside', x: [Date.parse('2024-12-03T18:20:00.500Z')], y: [3.2] },
    ]);
    assert.equal(message.seq, 1);
  });

  it('accepts CloudEvents data_base64 and data sent as a JSON string', async () => {
    const base64 = cloudEvent('coded', undefined, { data_base64: Buffer.from(JSON.stringify({ points: [{ y: 1 }] })).toString('base64') });
    delete (base64 as { data?: unknown }).data;
    const stringData = eventGridEvent('coded', JSON.stringify([{ X: 2, Y: 2 }]));
    assert.equal((await stack.deliver([base64])).status, 202);
    assert.equal((await stack.deliver([stringData])).status, 202);
    assert.deepEqual(sent().map((s) => s.body.arguments[0].seq), [1, 2]);
    assert.deepEqual(sent()[1].body.arguments[0].series, [{ name: 'series-1', x: [2], y: [2] }]);
  });

  it('drops each invalid event with a logged reason while valid events of the same delivery go through', async () => {
    const valid = eventGridEvent('mixed', [{ X: 1, Y: 1 }]);
    const invalid: [unknown, RegExp][] = [
      ['just a string', /event must be a JSON object, not a string/],
      [{ hello: 'world' }, /neither an Event Grid event .* nor a CloudEvent/],
      [eventGridEvent('mixed', [{ X: 1 }]), /data\[0\]\.Y is missing/],
      [eventGridEvent('mixed', [{ X: 1, Y: 'NaN' }]), /data\[0\]\.Y must be a finite number, not "NaN"/],
      [eventGridEvent('mixed', { points: [{ y: 1e400 }] }), /data\.points\[0\]\.y must be a finite number, not null/],
      [eventGridEvent('mixed', { points: [{ x: 'yesterday', y: 1 }] }), /data\.points\[0\]\.x "yesterday" is not an ISO-8601 time/],
      [eventGridEvent('a'.repeat(129), [{ Y: 1 }]), /is not a stream name: it is 129 characters long/],
      [eventGridEvent('streams/a//b', [{ Y: 1 }]), /is not a stream name/],
      [eventGridEvent('<img src=x onerror=alert(1)>', [{ Y: 1 }]), /is not a stream name/],
      [eventGridEvent('mixed', { points: Array.from({ length: 10_001 }, () => ({ y: 1 })) }), /10001 points; the limit is 10000/],
      [eventGridEvent('mixed', Array.from({ length: 65 }, () => ({ Y: 1 }))), /65 items, each its own series; the limit is 64/],
      [eventGridEvent('mixed', { points: Array.from({ length: 65 }, (_, i) => ({ series: `s${i}`, y: 1 })) }), /starts series number 65/],
      [eventGridEvent('mixed', { points: [{ series: 'bad\u0007name', y: 1 }] }), /contains control characters/],
      [eventGridEvent('mixed', { points: [{ series: 'x'.repeat(65), y: 1 }] }), /1 to 64 characters/],
      [eventGridEvent('mixed', { points: [] }), /holds no points/],
      [eventGridEvent('mixed', { values: [1, 2] }), /data must be an array .* or an object with a "points" array/],
      [eventGridEvent('mixed', undefined), /event has no data/],
      [eventGridEvent('mixed', 'not json'), /data is a string that is not JSON/],
      [eventGridEvent('mixed', [1], { eventTime: 'last tuesday' }), /eventTime "last tuesday" is not an ISO-8601 time/],
      [eventGridEvent('mixed', [{ Y: 1 }], { id: '' }), /event id must be a non-empty string/],
      [cloudEvent('mixed', [{ Y: 1 }], { specversion: '0.3' }), /specversion must be "1.0"/],
      [cloudEvent(undefined as unknown as string, [{ Y: 1 }]), /CloudEvent has no subject/],
      [cloudEvent('mixed', 'a,b', { datacontenttype: 'text/csv' }), /only JSON data is accepted/],
    ];
    const response = await stack.deliver([...invalid.map(([event]) => event), valid]);
    assert.equal(response.status, 202, 'invalid events are not retried');
    assert.equal(sent().length, 1);
    assert.equal(sent()[0].body.arguments[0].id, valid.id);
    const logged = warnings();
    assert.equal(logged.length, invalid.length);
    for (const [, reason] of invalid) assert.ok(logged.some((line) => reason.test(line)), `a warning matching ${reason}`);
    assert.ok(logged.every((line) => line.startsWith('dropped invalid event')));
  });

  it('drops redeliveries of the same event id', async () => {
    const event = eventGridEvent('redelivered', [{ X: 1, Y: 1 }]);
    await stack.deliver([event]);
    await stack.deliver([event]);
    await stack.deliver([event, event]);
    assert.equal(sent().length, 1);
    assert.deepEqual((await history('redelivered')).messages.map((m) => m.seq), [1]);
  });

  it('answers 500 when SignalR fails, so Event Grid retries; the retry sends the same seq and stores nothing twice', async () => {
    const first = eventGridEvent('flaky', [{ X: 1, Y: 1 }]);
    const second = eventGridEvent('flaky', [{ X: 2, Y: 2 }]);
    await stack.deliver([first]);
    stack.signalR.answerWith(503);
    const failed = await stack.deliver([second]);
    assert.equal(failed.status, 500);
    assert.match(((await failed.json()) as { error: { message: string } }).error.message, /answered 503/);
    stack.signalR.answerWith(undefined);
    assert.equal((await stack.deliver([second])).status, 202);
    assert.deepEqual(sent().map((s) => s.body.arguments[0].seq), [1, 2, 2], 'the failed send and its retry carry seq 2');
    await stack.deliver([second]);
    assert.equal(sent().length, 3, 'once sent, a redelivery is dropped');
    assert.deepEqual((await history('flaky')).messages.map((m) => [m.seq, m.id]), [[1, first.id], [2, second.id]]);
  });

  it('gives concurrent events of one stream consecutive seqs, each sent exactly once, in seq order, several to a send', async () => {
    const events = Array.from({ length: 24 }, (_, i) => eventGridEvent('busy', [{ X: i, Y: i }]));
    const responses = await Promise.all(events.map((event) => stack.deliver([event])));
    assert.deepEqual(responses.map((r) => r.status), events.map(() => 202));
    const sends = sent();
    assert.deepEqual(sends.flatMap((s) => s.body.arguments.map((message) => message.seq)), events.map((_, i) => i + 1));
    assert.ok(sends.length < events.length, `messages ready while a send was under way went together (${sends.length} sends)`);
    assert.ok(sends.every((s) => s.body.target === 'points'));
    const stored = await history('busy');
    assert.equal(stored.lastSeq, 24);
    assert.deepEqual(new Set(stored.messages.map((m) => m.id)), new Set(events.map((e) => e.id)));
  });

  it('answers 500 when storage is down, sending nothing', async (t) => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const down = await startApiStack({
      azurite: stack.azurite,
      settings: { RECENT_POINTS_STORAGE: stack.azurite.connectionString.replace(/TableEndpoint=[^;]+/, `TableEndpoint=http://127.0.0.1:${closedPort}/devstoreaccount1`) },
    });
    t.after(() => down.stop());
    const response = await down.deliver([eventGridEvent('any', [{ Y: 1 }])]);
    assert.equal(response.status, 500);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /recent-points store record failed/);
    assert.equal(down.signalR.requests.length, 0);
  });
});
