/**
 * Fuzz: the HTTP functions (negotiate, subscribe, unsubscribe, history) through the local
 * Functions host, 1,000 seeded malformed or hostile requests (`FUZZ_SEED` repeats a run): odd
 * methods and routes, tokens of every wrong kind (forged, expired, tampered, for another hub,
 * unsigned, oversized), hostile stream names in bodies and paths, odd query values and bodies.
 * Every answer is a 4xx naming the problem (or the host's bare 404 for a route it does not have),
 * or a 2xx in the documented shape; never a 5xx, never a secret; valid traffic mixed in still
 * arrives.
 */
import fc from 'fast-check';
import { decodeJwt, SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALLER_SECRET, CALLER_SECRET_SETTINGS, signCallerToken } from '../api/support/tokens.js';
import { assertClearError, assertNoSecret, describeInput, FUZZ_SUITE_TIME_LIMIT, headerValue, hostileJson, hostileString, malformedJsonText, sampleInputs, sendHttp, type HttpInput, urlComponent } from './support/fuzz.js';
import { startFuzzStack, type FuzzStack } from './support/fuzz-stack.js';

const ENTRY_POINT = 'Functions HTTP (negotiate, subscribe, unsubscribe, history)';
const STREAM_NAME = /^[A-Za-z0-9_.:~-]+(?:\/[A-Za-z0-9_.:~-]+)*$/;

interface FunctionRequest extends HttpInput {
  route: string;
}

describe('fuzz: HTTP functions', FUZZ_SUITE_TIME_LIMIT, () => {
  let fuzz: FuzzStack;
  let tokens: string[];

  before(async () => {
    fuzz = await startFuzzStack('functions', { settings: { ...CALLER_SECRET_SETTINGS, PUBLIC_STREAMS: 'fuzz/*' } });
    tokens = await tokenPool(fuzz);
    await fuzz.interleave(0);
    await fuzz.markHeap();
  });
  after(() => fuzz?.stop());

  it('answers 1,000 malformed or hostile requests with clear errors or documented answers', async () => {
    const { stack, tally } = fuzz;
    const secrets = [stack.signalR().accessKey, CALLER_SECRET];
    const inputs = sampleInputs(requests(tokens), 3);
    for (const [index, input] of inputs.entries()) {
      await fuzz.interleave(index + 1);
      if (index === inputs.length / 2) await fuzz.markHeap();
      const { status, body } = await sendHttp(`${stack.host.apiUrl}/`, input);
      assertNoSecret(body, secrets, input);
      stack.logs.length = 0;
      if (status >= 200 && status < 300) {
        assertDocumentedAnswer(input, body, stack.signalR().endpoint);
        tally.count(ENTRY_POINT, `${input.route} ${status}`);
      } else if (status === 404 && body === '') {
        tally.count(ENTRY_POINT, 'no such route or method: bare 404, as the Functions host answers');
      } else {
        if (input.method === 'HEAD') assert.ok(status >= 400 && status < 500, `HEAD answered ${status}`);
        else assertClearError(status, body, 'api', input);
        tally.count(ENTRY_POINT, `${input.route} ${status}${status === 431 ? '' : ` ${JSON.parse(body || '{}').error?.code ?? ''}`}`);
      }
    }
    assert.equal(tally.total(ENTRY_POINT), inputs.length);
  });

  it('delivered every valid event in between, kept answering and kept its memory bounded', async (t) => {
    await fuzz.markHeap();
    for (const line of await fuzz.verify()) t.diagnostic(line);
  });
});

/** Tokens of every kind a client could show: ours and the caller's, valid (the first two) and spoiled in each way. */
async function tokenPool(fuzz: FuzzStack): Promise<string[]> {
  const { accessToken } = await fuzz.stack.negotiate();
  const claims = decodeJwt(accessToken);
  const accessKey = new TextEncoder().encode(fuzz.stack.signalR().accessKey);
  const now = Math.floor(Date.now() / 1000);
  const ours = (payload: Record<string, unknown>, audience = String(claims.aud), exp = now + 600) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setAudience(audience).setExpirationTime(exp).sign(accessKey);
  const caller = (streams: unknown, options: { audience?: string; expiresIn?: string } = {}) => signCallerToken({ streams }, options);
  const [header, payload, signature] = accessToken.split('.');
  const granted = (await fuzz.stack.negotiate({ authorization: `Bearer ${await caller(['team/*'])}` })).accessToken;
  return [
    accessToken,
    granted,
    await ours({ 'asrs.s.uid': 'expired-user' }, String(claims.aud), now - 3 * 86_400),
    await ours({ 'asrs.s.uid': 'other-hub-user' }, 'http://127.0.0.1/client/?hub=otherhub'),
    await ours({ 'asrs.s.uid': 'x'.repeat(500) }),
    await ours({ 'asrs.s.uid': 42, 'rtp.streams': '*' }),
    await ours({ 'rtp.streams': ['*'] }),
    `${header}.${Buffer.from(JSON.stringify({ ...claims, 'rtp.streams': ['*'] })).toString('base64url')}.${signature}`,
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
    await caller(['team/*']),
    await caller(['*']),
    await caller(['team/*'], { expiresIn: '-1h' }),
    await caller(['team/*'], { audience: 'someone-else' }),
    await caller([42, { a: 1 }]),
    await caller('<script>alert(1)</script>'),
    await caller(Array.from({ length: 101 }, (_, i) => `s${i}`)),
    `${header}.${payload}.${'A'.repeat(9000)}`,
    'a.b.c',
    'not-a-jwt',
  ];
}

/** The pool's first two tokens are valid, so that requests get past authentication to what they carry. */
function authorization(tokens: string[]): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...tokens.slice(0, 2)).map((token) => ({ authorization: `Bearer ${token}` })), weight: 4 },
    { arbitrary: fc.constantFrom(...tokens).map((token) => ({ authorization: `Bearer ${token}` })), weight: 4 },
    { arbitrary: headerValue().map((value) => ({ authorization: value })), weight: 1 },
    { arbitrary: fc.constant({}), weight: 2 },
  );
}

const query = (): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(''), weight: 4 },
    fc.constantFrom('?negotiateVersion=1', '?negotiateVersion=-1', '?limit=0', '?limit=1', '?limit=99999999999999999999', '?afterSeq=-1', '?afterSeq=1.5', '?afterSeq=1e3', '?limit=1&limit=2', '?afterSeq=%00'),
    fc.tuple(fc.constantFrom('limit', 'afterSeq', 'userId', 'stream', 'x'), hostileString()).map(([name, value]) => `?${name}=${urlComponent(value)}`),
  );

function requests(tokens: string[]): fc.Arbitrary<FunctionRequest> {
  const method = (usual: string) => fc.oneof({ arbitrary: fc.constant(usual), weight: 10 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), weight: 1 });
  const session = fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, fc.constantFrom(...tokens).map((token) => ({ 'x-realtime-plot-session': token })), headerValue().map((value) => ({ 'x-realtime-plot-session': value })));
  const contentType = fc.oneof({ arbitrary: fc.constant({ 'content-type': 'application/json' }), weight: 6 }, headerValue().map((value) => ({ 'content-type': value })), fc.constant({}));
  const streamBody = fc.oneof(
    { arbitrary: fc.oneof(hostileString(), fc.constantFrom('fuzz/a', 'team/a', 'private/a', 'fuzz/' + 'a'.repeat(124))).map((stream) => JSON.stringify({ stream })), weight: 5 },
    { arbitrary: hostileJson().map((value) => JSON.stringify({ stream: value, userId: 'victim', connectionId: 'victim' })), weight: 2 },
    { arbitrary: malformedJsonText(), weight: 2 },
    { arbitrary: fc.constant(JSON.stringify({ stream: 'fuzz/a', padding: 'p'.repeat(5000) })), weight: 1 },
  );
  const streamSegment = fc.oneof(
    fc.oneof(hostileString(), fc.constantFrom('fuzz/a', 'team/a', 'private/a')).map(urlComponent),
    fc.constantFrom('..', '.', '%2e%2e', '%', '%zz', '%252F', 'a%2F%2Fb', '%00', 'fuzz%2Fa%2F', 'fuzz/a'),
  );

  const negotiate = fc
    .record({ method: method('POST'), auth: authorization(tokens), session, query: query(), body: fc.option(malformedJsonText(), { nil: undefined }) })
    .map(({ method, auth, session, query, body }) => ({ route: 'negotiate', method, path: `negotiate${query}`, headers: { ...auth, ...session }, body }));
  const membership = fc
    .record({ route: fc.constantFrom('subscribe', 'unsubscribe'), method: method('POST'), auth: authorization(tokens), contentType, query: query(), body: streamBody })
    .map(({ route, method, auth, contentType, query, body }) => ({ route, method, path: `${route}${query}`, headers: { ...auth, ...contentType }, body }));
  const history = fc
    .record({ method: method('GET'), auth: authorization(tokens), segment: streamSegment, query: query() })
    .map(({ method, auth, segment, query }) => ({ route: 'history', method, path: `streams/${segment}/history${query}`, headers: auth }));
  const elsewhere = fc
    .record({ method: method('GET'), path: fc.oneof(hostileString().map(urlComponent), fc.constantFrom('', 'streams', 'streams//history', 'NEGOTIATE', 'Subscribe', 'streams/a/b/history', 'negotiate/', '%2e%2e/%2e%2e/etc/passwd')), auth: authorization(tokens) })
    .map(({ method, path, auth }) => ({ route: 'other', method, path, headers: auth }));

  return fc.oneof({ arbitrary: negotiate, weight: 3 }, { arbitrary: membership, weight: 4 }, { arbitrary: history, weight: 3 }, { arbitrary: elsewhere, weight: 1 });
}

/** A 2xx answer must be the documented one, for a request that was acceptable. */
function assertDocumentedAnswer(input: FunctionRequest, body: string, signalREndpoint: string): void {
  const context = `for ${describeInput(input)}: ${body.slice(0, 300)}`;
  if (input.method === 'OPTIONS') return;
  const parsed = JSON.parse(body) as Record<string, unknown>;
  if (input.route === 'negotiate') {
    assert.ok(String(parsed.url).startsWith(`${signalREndpoint}/client/?hub=`), `a client URL ${context}`);
    assert.equal(typeof parsed.accessToken, 'string', context);
    return;
  }
  assert.ok(typeof parsed.stream === 'string' && parsed.stream.length <= 128 && STREAM_NAME.test(parsed.stream), `a valid stream name ${context}`);
  if (input.route === 'history') {
    assert.ok(Number.isSafeInteger(parsed.lastSeq) && Array.isArray(parsed.messages), `a history answer ${context}`);
  } else {
    assert.ok(typeof parsed.userId === 'string' && parsed.userId !== 'victim', `the caller's own user ${context}`);
  }
}
