/**
 * Fuzz: the SignalR Service stand-in, 1,000 seeded malformed or hostile inputs to each of its
 * entry points (`FUZZ_SEED` repeats a run):
 *
 * - client negotiate (`POST /client/negotiate`): odd methods, hubs, versions and tokens;
 * - the REST API: odd paths, methods, api-versions, names, ttl values, bodies and tokens;
 * - WebSocket frames, each input on a fresh connection: broken or unknown handshakes, and after a
 *   valid JSON or MessagePack handshake, invalid JSON, invalid MessagePack, wrong message shapes
 *   and oversized frames.
 *
 * HTTP answers are a 4xx with `{code, message}` or a documented 2xx, never a 5xx. A WebSocket
 * either stays usable (it answers a probe invocation) or is closed with an error the client can
 * read (a handshake error, a Close message with an error, or close code 1009 for an oversized
 * frame). Valid events mixed in still reach a stock client on the same service.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../signalr/support.js';
import { assertClearError, assertNoSecret, describeInput, FUZZ_SUITE_TIME_LIMIT, headerValue, hostileJson, hostileString, malformedJsonText, sampleInputs, sendHttp, type HttpInput, urlComponent } from './support/fuzz.js';
import { startFuzzStack, type FuzzStack } from './support/fuzz-stack.js';
import { messagePackCompletion, messagePackFrame, openHubSocket } from './support/raw-hub-socket.js';

const HUB = 'realtimeplot';
const MAX_FRAME_BYTES = 64 * 1024;
/** WebSocket inputs run this many at a time. */
const CONCURRENT_SOCKETS = 8;
const NEGOTIATE = 'SignalR stand-in client negotiate';
const REST = 'SignalR stand-in REST API';
const FRAMES = 'SignalR stand-in WebSocket frames';

describe('fuzz: SignalR Service stand-in', FUZZ_SUITE_TIME_LIMIT, () => {
  let fuzz: FuzzStack;
  let clientToken: string;
  let secrets: string[];

  before(async () => {
    fuzz = await startFuzzStack('signalr', {
      signalR: { maxFrameBytes: MAX_FRAME_BYTES, handshakeTimeoutInMs: 1000, disconnectTimeoutInMs: 2000 },
    });
    clientToken = (await fuzz.stack.negotiate()).accessToken;
    secrets = [fuzz.stack.signalR().accessKey];
    await fuzz.interleave(0);
    await fuzz.markHeap();
  });
  after(() => fuzz?.stop());

  const send = (input: HttpInput) => sendHttp(fuzz.stack.signalR().endpoint, input);

  it('client negotiate answers malformed or hostile requests with clear errors', async () => {
    const { tally } = fuzz;
    const tokens = await clientTokens(fuzz, clientToken);
    for (const [index, input] of sampleInputs(negotiateInputs(tokens), 4).entries()) {
      await fuzz.interleave(index + 1);
      const { status, body } = await send(input);
      assertNoSecret(body, secrets, input);
      if (status === 204 && input.method === 'OPTIONS') {
        tally.count(NEGOTIATE, '204 (CORS preflight)');
      } else if (status === 200) {
        const answer = JSON.parse(body) as Record<string, unknown>;
        const clear = typeof answer.error === 'string' || (typeof answer.connectionId === 'string' && Array.isArray(answer.availableTransports));
        assert.ok(clear, `a negotiate answer or an error for ${describeInput(input)}: ${body}`);
        tally.count(NEGOTIATE, typeof answer.error === 'string' ? '200 with an error (bad negotiateVersion, as ASP.NET Core answers)' : '200 negotiated');
      } else {
        if (input.method === 'HEAD') assert.ok(status >= 400 && status < 500);
        else assertClearError(status, body, 'signalr', input);
        tally.count(NEGOTIATE, `${status}`);
      }
    }
  });

  it('the REST API answers malformed or hostile requests with clear errors', async () => {
    const { tally } = fuzz;
    const accessKey = new TextEncoder().encode(fuzz.stack.signalR().accessKey);
    const inputs = sampleInputs(restInputs(clientToken), 5);
    for (const [index, input] of inputs.entries()) {
      await fuzz.interleave(index + 1);
      if (input.headers.authorization === 'Bearer <valid>') {
        const audience = `${fuzz.stack.signalR().endpoint}${input.path.split('?')[0]}`;
        const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience(audience).setExpirationTime('5m').sign(accessKey);
        input.headers = { ...input.headers, authorization: `Bearer ${token}` };
      }
      const { status, body } = await send(input);
      assertNoSecret(body, secrets, input);
      if (status >= 200 && status < 300) {
        tally.count(REST, `${status} (valid operation)`);
      } else if (status === 404 && body === '' && input.headers.authorization?.startsWith('Bearer ey')) {
        tally.count(REST, '404 (the connection, group or user does not exist: no body, as Azure answers)');
      } else {
        if (input.method === 'HEAD') assert.ok(status >= 400 && status < 500, `HEAD answered ${status}`);
        else assertClearError(status, body, 'signalr', input);
        tally.count(REST, `${status}`);
      }
    }
    await fuzz.markHeap();
  });

  it('every WebSocket either stays usable or is closed with an error the client can read', async () => {
    const { stack, tally } = fuzz;
    const inputs = sampleInputs(frameInputs(), 6);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const index = next++;
        await fuzz.interleave(index + 1);
        tally.count(FRAMES, await runFrames(stack.signalR().endpoint, clientToken, inputs[index]));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_SOCKETS }, worker));
    assert.equal(tally.total(FRAMES), inputs.length);
  });

  it('delivered every valid event in between, kept answering and kept its memory bounded', async (t) => {
    await fuzz.markHeap();
    for (const line of await fuzz.verify()) t.diagnostic(line);
  });
});

/** Client tokens: the API's (valid), and spoiled ones signed with the service's key. */
async function clientTokens(fuzz: FuzzStack, valid: string): Promise<string[]> {
  const key = new TextEncoder().encode(fuzz.stack.signalR().accessKey);
  const endpoint = fuzz.stack.signalR().endpoint;
  const sign = (claims: Record<string, unknown>, audience: string, expiresAt = Math.floor(Date.now() / 1000) + 600) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience(audience).setExpirationTime(expiresAt).sign(key);
  return [
    valid,
    await sign({ 'asrs.s.uid': 'u' }, `http://127.0.0.1/client/?hub=otherhub`),
    await sign({ 'asrs.s.uid': 'u' }, `http://127.0.0.1/client/?hub=${HUB}`, Math.floor(Date.now() / 1000) - 60),
    await sign({ 'asrs.s.uid': 'u' }, `${endpoint}/api/hubs/${HUB}`),
    await sign({ 'asrs.s.uid': 'bad\u0000user' }, `http://127.0.0.1/client/?hub=${HUB}`),
    await sign({ 'asrs.s.uid': 7 }, `http://127.0.0.1/client/?hub=${HUB}`),
    await sign({ nameid: 'x'.repeat(2000) }, `http://127.0.0.1/client/?hub=${HUB}`),
    `${valid.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`,
    'a.b.c',
  ];
}

const tokenHeader = (tokens: string[]) =>
  fc.oneof(
    { arbitrary: fc.constant(tokens[0]).map((token) => ({ authorization: `Bearer ${token}` })), weight: 4 },
    { arbitrary: fc.constantFrom(...tokens).map((token) => ({ authorization: `Bearer ${token}` })), weight: 4 },
    { arbitrary: headerValue().map((value) => ({ authorization: value })), weight: 1 },
    { arbitrary: fc.constant({}), weight: 1 },
  );

function negotiateInputs(tokens: string[]): fc.Arbitrary<HttpInput> {
  return fc
    .record({
      method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 10 }, { arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'), weight: 1 }),
      hub: fc.oneof({ arbitrary: fc.constant(HUB), weight: 6 }, { arbitrary: hostileString(), weight: 2 }, { arbitrary: fc.constant(''), weight: 1 }),
      version: fc.oneof({ arbitrary: fc.constantFrom('&negotiateVersion=1', ''), weight: 4 }, { arbitrary: hostileString().map((value) => `&negotiateVersion=${urlComponent(value)}`), weight: 2 }),
      token: fc.oneof(
        { arbitrary: tokenHeader(tokens).map((headers) => ({ headers, query: '' })), weight: 4 },
        { arbitrary: fc.constantFrom(...tokens).map((token) => ({ headers: {}, query: `&access_token=${token}` })), weight: 1 },
      ),
      body: fc.option(malformedJsonText(), { nil: undefined }),
    })
    .map(({ method, hub, version, token, body }) => ({
      method,
      path: `/client/negotiate?hub=${urlComponent(hub)}${version}${token.query}`,
      headers: token.headers,
      body,
    }));
}

/** REST requests; `Bearer <valid>` is replaced by a token signed for the request URL when sent. */
function restInputs(clientToken: string): fc.Arbitrary<HttpInput> {
  const name = fc.oneof({ arbitrary: fc.stringMatching(/^[a-z0-9-]{1,20}$/), weight: 3 }, { arbitrary: hostileString(), weight: 2 });
  const operation = fc.oneof(
    fc.constantFrom(':send', ':closeConnections', ''),
    name.map((group) => `groups/${urlComponent(group)}/:send`),
    name.map((group) => `groups/${urlComponent(group)}`),
    fc.tuple(name, name).map(([user, group]) => `users/${urlComponent(user)}/groups/${urlComponent(group)}`),
    fc.tuple(name, name).map(([group, user]) => `groups/${urlComponent(group)}/users/${urlComponent(user)}`),
    name.map((user) => `users/${urlComponent(user)}/groups`),
    name.map((user) => `users/${urlComponent(user)}/:send`),
    fc.tuple(name, name).map(([connection, group]) => `connections/${urlComponent(connection)}/groups/${urlComponent(group)}`),
    name.map((connection) => `connections/${urlComponent(connection)}`),
    fc.array(name, { maxLength: 4 }).map((segments) => segments.map(urlComponent).join('/')),
  );
  return fc
    .record({
      method: fc.constantFrom('POST', 'PUT', 'DELETE', 'GET', 'HEAD', 'PATCH'),
      // Never the hub the real traffic uses: a valid close-all there would end the reading client's connection.
      prefix: fc.oneof({ arbitrary: fc.constantFrom('/api/hubs/fuzzhub', '/api/v1/hubs/fuzzhub'), weight: 8 }, { arbitrary: name.map((hub) => `/api/hubs/${urlComponent(hub)}`), weight: 1 }, { arbitrary: fc.constantFrom('/api', '/api/v2/hubs/fuzzhub', '/api/hubs', '/'), weight: 1 }),
      operation,
      query: fc.oneof(
        { arbitrary: fc.constant('?api-version=2022-06-01'), weight: 6 },
        fc.constantFrom('', '?api-version=2021-01-01', '?api-version=2022-06-01&ttl=-1', '?api-version=2022-06-01&ttl=99999999999', '?api-version=2022-06-01&ttl=1e3', '?api-version=2022-06-01&excluded=x&excluded=y'),
        hostileString().map((value) => `?api-version=2022-06-01&ttl=${urlComponent(value)}&reason=${urlComponent(value)}&application=${urlComponent(value)}`),
      ),
      token: fc.oneof(
        { arbitrary: fc.constant('Bearer <valid>'), weight: 6 },
        fc.constantFrom(`Bearer ${clientToken}`, 'Bearer a.b.c', ''),
        headerValue(),
      ),
      contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 6 }, headerValue()),
      body: fc.oneof(
        { arbitrary: fc.record({ target: hostileJson(), arguments: hostileJson() }, { requiredKeys: [] }).map((value) => JSON.stringify(value)), weight: 4 },
        { arbitrary: fc.record({ target: fc.constant('points'), arguments: fc.array(hostileJson(), { maxLength: 3 }) }).map((value) => JSON.stringify(value)), weight: 2 },
        { arbitrary: malformedJsonText(), weight: 2 },
        { arbitrary: fc.constant(JSON.stringify({ target: 'points', arguments: ['z'.repeat(MAX_FRAME_BYTES)] })), weight: 1 },
      ),
    })
    .map(({ method, prefix, operation, query, token, contentType, body }) => ({
      method,
      path: `${prefix}/${operation}${query}`,
      headers: { ...(token ? { authorization: token } : {}), 'content-type': contentType },
      body,
    }));
}

interface FrameInput {
  protocol: 'json' | 'messagepack' | 'unknown';
  /** `incomplete`: the handshake never ends, so the service's handshake time-out ends the connection. */
  handshake: 'valid' | 'broken' | 'incomplete';
  frames: (string | Uint8Array)[];
}

const JSON_HANDSHAKE = '{"protocol":"json","version":1}\u001e';
const MESSAGEPACK_HANDSHAKE = '{"protocol":"messagepack","version":1}\u001e';

function frameInputs(): fc.Arbitrary<FrameInput> {
  const jsonFrame = fc.oneof(
    malformedJsonText().map((text) => `${text}\u001e`),
    hostileJson().map((value) => `${JSON.stringify(value) ?? 'null'}\u001e`),
    fc.constantFrom(
      '{"type":1}\u001e',
      '{"type":"1","target":"x","arguments":[]}\u001e',
      '{"type":1,"target":"x","arguments":{}}\u001e',
      '{"type":1,"invocationId":7,"target":"x","arguments":[]}\u001e',
      '{"type":4,"target":"x","arguments":[]}\u001e',
      '{"type":3}\u001e',
      '{"type":-1}\u001e',
      '{"type":99}\u001e',
      '{"type":6}\u001e',
      '{"type":7}\u001e',
      `{"type":6,"padding":"${'x'.repeat(MAX_FRAME_BYTES + 10)}"}\u001e`,
      `"${'y'.repeat(MAX_FRAME_BYTES - 100)}`,
    ),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
  );
  const messagePackFrameBytes = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.constantFrom(
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      Uint8Array.from([0x80, 0x80, 0x08, 0x01]),
      Uint8Array.from([0x02, 0xc1, 0xc1]),
      messagePackFrame([]),
      messagePackFrame(['x']),
      messagePackFrame([1, 'headers', null, 'x', []]),
      messagePackFrame([1, {}, null, 'x', 'not an array']),
      messagePackFrame([1, {}, 5, 'x', []]),
      messagePackFrame([4, {}, null, 'x', []]),
      messagePackFrame([6]),
      messagePackFrame([99]),
    ),
    hostileJson().map((value) => messagePackFrame([1, {}, null, 'x', [value]])),
    hostileJson().map((value) => messagePackFrame(Array.isArray(value) ? value : [value])),
    fc.constant('{"type":6}\u001e'),
  );
  return fc.oneof(
    { arbitrary: fc.array(jsonFrame, { minLength: 1, maxLength: 3 }).map((frames) => ({ protocol: 'json' as const, handshake: 'valid' as const, frames: [JSON_HANDSHAKE, ...frames] })), weight: 5 },
    { arbitrary: fc.array(messagePackFrameBytes, { minLength: 1, maxLength: 3 }).map((frames) => ({ protocol: 'messagepack' as const, handshake: 'valid' as const, frames: [MESSAGEPACK_HANDSHAKE, ...frames] })), weight: 4 },
    {
      arbitrary: fc
        .oneof(
          malformedJsonText().map((text) => `${text}\u001e`),
          fc.constantFrom('{"protocol":"xml","version":1}\u001e', '{"protocol":"json","version":99}\u001e', '{"protocol":"json","version":"1"}\u001e', '{"protocol":"json"}\u001e', '[]\u001e', `{"protocol":"${'j'.repeat(MAX_FRAME_BYTES)}"}`),
          fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Uint8Array.from([...bytes, 0x1e])),
        )
        .map((frame) => ({ protocol: 'unknown' as const, handshake: 'broken' as const, frames: [frame] })),
      weight: 3,
    },
    { arbitrary: fc.constantFrom('{"protocol":"json"', '{', ' ').map((frame) => ({ protocol: 'unknown' as const, handshake: 'incomplete' as const, frames: [frame] })), weight: 1 },
  );
}

/** Sends one input on a fresh connection and names what the service did. */
async function runFrames(endpoint: string, accessToken: string, input: FrameInput): Promise<string> {
  const socket = await openHubSocket(endpoint, HUB, accessToken, input.protocol);
  const { answer } = socket;
  const waitFor = (condition: () => boolean, what: string) =>
    eventually(condition, what, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}, for ${describeInput(input)}: ${JSON.stringify(answer).slice(0, 300)}`);
    });
  try {
    for (const frame of input.frames) socket.send(frame);
    const handshakeDone = () => answer.handshake !== undefined && answer.handshake.error === undefined;
    if (input.handshake === 'valid') {
      await waitFor(() => answer.closeCode !== undefined || handshakeDone(), 'the handshake answer');
      if (answer.closeCode === undefined && input.protocol === 'messagepack') {
        // A frame cut short would swallow the probe: complete it first (its content stays garbage).
        const afterHandshake = Buffer.concat(input.frames.slice(1).map((frame) => Buffer.from(frame)));
        const completion = messagePackCompletion(afterHandshake, MAX_FRAME_BYTES);
        if (completion.length > 0) socket.send(completion);
      }
      if (answer.closeCode === undefined) socket.send(input.protocol === 'json' ? '{"type":1,"invocationId":"probe","target":"probe","arguments":[]}\u001e' : messagePackFrame([1, {}, 'probe', 'probe', []]));
    }
    const probeAnswered = () => answer.messages.some((message) => isCompletionOf(message, 'probe'));
    await waitFor(() => answer.closeCode !== undefined || probeAnswered(), 'the connection to close or answer the probe');
    if (answer.closeCode === undefined) return 'stayed usable (the frames needed no answer)';
    if (answer.handshake?.error !== undefined) {
      assert.equal(typeof answer.handshake.error, 'string');
      return 'handshake refused with an error, then closed';
    }
    const closeMessage = answer.messages.find(isCloseMessage);
    if (closeError(closeMessage)) return 'closed with a Close message carrying the error';
    if (answer.closeCode === 1009) return 'closed with 1009 (message too big)';
    if (answer.closeCode === 1000 && input.frames.some(isClientCloseFrame)) return 'closed at the client\'s own Close message';
    if (input.handshake === 'incomplete' && answer.handshake === undefined) return 'closed: no handshake within the time-out';
    assert.fail(`closed (${answer.closeCode}) without an error for ${describeInput(input)}: ${JSON.stringify(answer).slice(0, 300)}`);
  } finally {
    socket.terminate();
  }
}

function isCompletionOf(message: unknown, invocationId: string): boolean {
  if (Array.isArray(message)) return message[0] === 3 && message[2] === invocationId;
  return (message as { type?: unknown }).type === 3 && (message as { invocationId?: unknown }).invocationId === invocationId;
}

function isCloseMessage(message: unknown): boolean {
  return Array.isArray(message) ? message[0] === 7 : (message as { type?: unknown }).type === 7;
}

function closeError(message: unknown): string | undefined {
  if (message === undefined) return undefined;
  const error = Array.isArray(message) ? message[1] : (message as { error?: unknown }).error;
  return typeof error === 'string' && error.length > 0 ? error : undefined;
}

function isClientCloseFrame(frame: string | Uint8Array): boolean {
  return frame === '{"type":7}\u001e';
}
