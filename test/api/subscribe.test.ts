import { decodeJwt } from 'jose';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startApiStack, type ApiStack } from './support/api-stack.js';
import { CALLER_SECRET_SETTINGS, signAccessToken, signCallerToken } from './support/tokens.js';
import type { ProblemBody } from '../../api/http/http-problem.js';

describe('POST /api/subscribe and /api/unsubscribe', () => {
  let stack: ApiStack;
  let accessToken: string;
  let userId: string;

  const call = (route: 'subscribe' | 'unsubscribe', body: unknown, headers: Record<string, string> = {}) =>
    stack.api(route, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function expectError(response: Response, status: number, code: string, message: RegExp) {
    const body = (await response.json()) as ProblemBody;
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code);
    assert.match(body.error.message, message);
  }

  before(async () => {
    stack = await startApiStack({ settings: { ...CALLER_SECRET_SETTINGS, PUBLIC_STREAMS: 'public/*,demo', SUBSCRIPTION_TTL_SECONDS: '7200' } });
    ({ accessToken } = await stack.negotiate());
    userId = String(decodeJwt(accessToken)['asrs.s.uid']);
  });
  after(() => stack?.stop());
  beforeEach(() => stack.reset());

  it('adds the token\'s user to the stream\'s group, with the configured ttl', async () => {
    const response = await call('subscribe', { stream: 'public/boiler-7/temperature' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { stream: 'public/boiler-7/temperature', userId });
    const [request] = stack.signalR.requests;
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, `/api/hubs/realtimeplot/users/${userId}/groups/public%2Fboiler-7%2Ftemperature`);
    assert.equal(request.query.get('api-version'), '2022-06-01');
    assert.equal(request.query.get('ttl'), '7200');
  });

  it('removes the user from the group on unsubscribe', async () => {
    const response = await call('unsubscribe', { stream: 'demo' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { stream: 'demo', userId });
    assert.equal(stack.signalR.requests[0].method, 'DELETE');
    assert.equal(stack.signalR.requests[0].path, `/api/hubs/realtimeplot/users/${userId}/groups/demo`);
  });

  it('uses only the verified token\'s identity: ids in the body move nobody', async () => {
    const response = await call('subscribe', { stream: 'demo', userId: 'victim', connectionId: 'victim-connection' });
    assert.equal(response.status, 200);
    assert.equal(stack.signalR.requests.length, 1);
    assert.match(stack.signalR.requests[0].path, new RegExp(`/users/${userId}/groups/demo$`));
  });

  it('refuses a stream that is not public with 403 and the reason', async () => {
    await expectError(await call('subscribe', { stream: 'private/a' }), 403, 'StreamNotReadable', /"private\/a" is not public/);
    assert.equal(stack.signalR.requests.length, 0);
  });

  it('opens a granted stream for no longer than the access token lives', async () => {
    const caller = await signCallerToken({ streams: ['private/*'] });
    const granted = (await stack.negotiate({ authorization: `Bearer ${caller}` })).accessToken;
    const response = await call('subscribe', { stream: 'private/a' }, { authorization: `Bearer ${granted}` });
    assert.equal(response.status, 200);
    const ttl = Number(stack.signalR.requests[0].query.get('ttl'));
    assert.ok(ttl > 500 && ttl <= 600, `ttl ${ttl} is bounded by the token's 10 minutes`);
    await expectError(await call('subscribe', { stream: 'other/a' }, { authorization: `Bearer ${granted}` }), 403, 'StreamNotReadable', /does not grant it/);
  });

  for (const [what, headers, code, message] of [
    ['no token', { authorization: '' }, 'MissingAccessToken', /Authorization: Bearer/],
    ['a token that is not ours', { authorization: 'Bearer abc.def.ghi' }, 'InvalidAccessToken', /not one issued by this API/],
  ] as const) {
    it(`answers 401 to ${what}`, async () => {
      await expectError(await call('subscribe', { stream: 'demo' }, headers), 401, code, message);
    });
  }

  it('answers 401 to an expired access token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signAccessToken(stack.signalR.accessKey, userId, { issuedAt: now - 4200 });
    await expectError(await call('subscribe', { stream: 'demo' }, { authorization: `Bearer ${expired}` }), 401, 'InvalidAccessToken', /expired/);
  });

  for (const [what, body, headers, status, code, message] of [
    ['malformed JSON', '{"stream": ', {}, 400, 'InvalidJson', /not valid JSON/],
    ['an empty body', '', {}, 400, 'EmptyBody', /empty/],
    ['a JSON array', '["demo"]', {}, 400, 'InvalidBody', /JSON object/],
    ['no stream', {}, {}, 400, 'MissingStream', /no "stream"/],
    ['a stream that is a number', { stream: 7 }, {}, 400, 'InvalidStreamName', /must be a string, not a number/],
    ['an over-long stream', { stream: 'a'.repeat(129) }, {}, 400, 'InvalidStreamName', /129 characters long; the limit is 128/],
    ['an odd stream', { stream: 'a//b' }, {}, 400, 'InvalidStreamName', /doubled/],
    ['a stream with markup', { stream: '<script>alert(1)</script>' }, {}, 400, 'InvalidStreamName', /may hold only/],
    ['a text/plain body', { stream: 'demo' }, { 'content-type': 'text/plain' }, 415, 'UnsupportedMediaType', /application\/json/],
    ['a body over 4 KiB', { stream: 'demo', padding: 'x'.repeat(5000) }, {}, 413, 'PayloadTooLarge', /4096 bytes/],
  ] as const) {
    it(`answers ${status} ${code} to ${what}`, async () => {
      await expectError(await call('subscribe', body, headers), status, code, message);
      assert.equal(stack.signalR.requests.length, 0, 'nothing reached SignalR');
    });
  }

  it('answers 503 with Retry-After when SignalR Service fails, naming only the status', async () => {
    stack.signalR.answerWith(503);
    const response = await call('subscribe', { stream: 'demo' });
    assert.equal(response.headers.get('retry-after'), '5');
    await expectError(response, 503, 'SignalRUnavailable', /SignalR Service answered 503/);
  });

  it('answers 502 when SignalR Service refuses the request', async () => {
    stack.signalR.answerWith(403);
    await expectError(await call('subscribe', { stream: 'demo' }), 502, 'SignalRUnavailable', /answered 403/);
  });

  it('is rate-limited per client, subscribe and unsubscribe together', async (t) => {
    const limited = await startApiStack({ azurite: stack.azurite, settings: { RATE_LIMIT_SUBSCRIBE_PER_MINUTE: '2', PUBLIC_STREAMS: '*' } });
    t.after(() => limited.stop());
    const token = (await limited.negotiate()).accessToken;
    const statuses = [];
    for (const route of ['subscribe', 'unsubscribe', 'subscribe']) {
      const response = await limited.api(route, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"stream":"demo"}',
      });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });
});
