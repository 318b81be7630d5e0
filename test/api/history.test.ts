import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HistoryResponse } from '../../api/live-message.js';
import { eventGridEvent, startApiStack, type ApiStack } from './support/api-stack.js';
import { CALLER_SECRET_SETTINGS, signCallerToken } from './support/tokens.js';
import type { ProblemBody } from '../../api/http/http-problem.js';

describe('GET /api/streams/{stream}/history', () => {
  let stack: ApiStack;
  const ids: string[] = [];

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await stack.api(path, { headers });
    return { status: response.status, body: (await response.json()) as HistoryResponse & ProblemBody };
  };

  before(async () => {
    stack = await startApiStack({ settings: { ...CALLER_SECRET_SETTINGS, PUBLIC_STREAMS: 'public/*', RECENT_POINTS_PER_STREAM: '6' } });
    // Five events of 1, 2, 3, 1 and 2 points (seq 1..5), then one on a private stream.
    for (const [index, count] of [1, 2, 3, 1, 2].entries()) {
      const event = eventGridEvent('public/plant/line-1', { points: Array.from({ length: count }, (_, i) => ({ x: index * 10 + i, y: i })) });
      ids.push(event.id);
      assert.equal((await stack.deliver([event])).status, 202);
    }
    assert.equal((await stack.deliver([eventGridEvent('private/secret', [{ X: 1, Y: 1 }])])).status, 202);
  });
  after(() => stack?.stop());

  it('returns the newest messages holding at most the per-stream bound, oldest first, in the live message shape', async () => {
    const { status, body } = await get('streams/public%2Fplant%2Fline-1/history');
    assert.equal(status, 200);
    assert.equal(body.stream, 'public/plant/line-1');
    assert.equal(body.lastSeq, 5);
    // 2 + 1 + 3 = 6 points: seq 3, 4, 5.
    assert.deepEqual(body.messages.map((m) => m.seq), [3, 4, 5]);
    assert.deepEqual(body.messages[0], { v: 1, stream: 'public/plant/line-1', seq: 3, id: ids[2], time: body.messages[0].time, series: [{ name: 'series-1', x: [20, 21, 22], y: [0, 1, 2] }] });
  });

  it('honours limit, cutting the oldest message to its newest points', async () => {
    const { body } = await get('streams/public%2Fplant%2Fline-1/history?limit=4');
    assert.deepEqual(body.messages.map((m) => m.seq), [3, 4, 5]);
    assert.deepEqual(body.messages[0].series, [{ name: 'series-1', x: [22], y: [2] }]);
  });

  it('returns only seq > afterSeq', async () => {
    const { body } = await get('streams/public%2Fplant%2Fline-1/history?afterSeq=4');
    assert.deepEqual(body.messages.map((m) => m.seq), [5]);
    assert.equal(body.lastSeq, 5);
  });

  it('answers an unknown stream with no messages and lastSeq 0', async () => {
    const { status, body } = await get('streams/public%2Fnothing-yet/history');
    assert.equal(status, 200);
    assert.deepEqual(body, { stream: 'public/nothing-yet', lastSeq: 0, messages: [] });
  });

  it('wants a token that grants a stream that is not public', async () => {
    const anonymous = await get('streams/private%2Fsecret/history');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, 'AccessTokenRequired');
    assert.match(anonymous.body.error.message, /"private\/secret" is not public/);

    const { accessToken: ungranted } = await stack.negotiate();
    const refused = await get('streams/private%2Fsecret/history', { authorization: `Bearer ${ungranted}` });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'StreamNotReadable');

    const caller = await signCallerToken({ streams: ['private/*'] });
    const { accessToken: granted } = await stack.negotiate({ authorization: `Bearer ${caller}` });
    const viaAccessToken = await get('streams/private%2Fsecret/history', { authorization: `Bearer ${granted}` });
    assert.equal(viaAccessToken.status, 200);
    assert.equal(viaAccessToken.body.messages.length, 1);
    const viaCallerToken = await get('streams/private%2Fsecret/history', { authorization: `Bearer ${caller}` });
    assert.equal(viaCallerToken.status, 200);
  });

  for (const [what, path, code, message] of [
    ['an odd stream name', 'streams/a%2F%2Fb/history', 'InvalidStreamName', /doubled/],
    ['an over-long stream name', `streams/${'a'.repeat(129)}/history`, 'InvalidStreamName', /129 characters/],
    ['a limit of 0', 'streams/public%2Fa/history?limit=0', 'InvalidQuery', /limit must be a whole number from 1 to 6/],
    ['a limit past the bound', 'streams/public%2Fa/history?limit=7', 'InvalidQuery', /from 1 to 6/],
    ['a negative afterSeq', 'streams/public%2Fa/history?afterSeq=-1', 'InvalidQuery', /afterSeq/],
    ['a non-numeric limit', 'streams/public%2Fa/history?limit=ten', 'InvalidQuery', /limit/],
  ] as const) {
    it(`answers 400 ${code} to ${what}`, async () => {
      const { status, body } = await get(path);
      assert.equal(status, 400);
      assert.equal(body.error.code, code);
      assert.match(body.error.message, message);
    });
  }
});
