/**
 * The access rules end to end, with the real SignalR Service stand-in and stock clients (what
 * test/api checks against a recording service is not repeated): nobody can change another
 * user's memberships, a page's access token cannot call SignalR Service's REST API, tokens of
 * the wrong kind are refused, protected streams open only to a caller token from the issuer's
 * JWKS, a browser on an origin off the CORS allowlist cannot use the API, and rate limits do not
 * trust a client's own X-Forwarded-For.
 */
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../signalr/support.js';
import { pointEvent, startFaultStack, type FaultStack } from './support/local-stack.js';
import { LiveSubscriber } from './support/live-subscriber.js';
import { startWidgetBrowser } from './support/widget-browser.js';
import type { ProblemBody } from '../../api/http/http-problem.js';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'realtime-plot';

describe('access rules', () => {
  let stack: FaultStack;
  let jwks: Server;
  let signingKey: CryptoKey;

  const callerToken = (streams: string[], key: CryptoKey = signingKey) =>
    new SignJWT({ streams }).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(key);

  const post = (route: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
    stack.api(route, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  async function expectError(response: Response, status: number, code: string, message: RegExp, what = ''): Promise<void> {
    const body = (await response.json()) as ProblemBody;
    assert.equal(response.status, status, `${what} ${JSON.stringify(body)}`);
    assert.equal(body.error.code, code);
    assert.match(body.error.message, message);
  }

  before(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    stack = await startFaultStack({
      settings: {
        PUBLIC_STREAMS: 'open/*',
        CALLER_JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`,
        CALLER_JWT_ISSUER: ISSUER,
        CALLER_JWT_AUDIENCE: AUDIENCE,
      },
    });
  });
  after(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve()));
  });

  it('a client changes only its own memberships, whatever ids it names', async () => {
    const alice = await LiveSubscriber.connect({ apiUrl: stack.host.apiUrl, streams: ['open/room'] });
    const bob = await LiveSubscriber.connect({ apiUrl: stack.host.apiUrl, streams: ['open/room'] });
    try {
      const aliceId = String(decodeJwt(alice.accessToken)['asrs.s.uid']);
      const bobId = String(decodeJwt(bob.accessToken)['asrs.s.uid']);
      const naming = { userId: bobId, user: bobId, connectionId: bob.connection.connectionId };
      const asBob = { 'x-ms-signalr-userid': bobId, 'x-ms-signalr-user-id': bobId };

      // Alice tries to take Bob out of the room and to put him into another stream: only she moves.
      const left = await post(`unsubscribe?userId=${bobId}`, alice.accessToken, { stream: 'open/room', ...naming }, asBob);
      assert.deepEqual(await left.json(), { stream: 'open/room', userId: aliceId });
      const joined = await post(`subscribe?userId=${bobId}`, alice.accessToken, { stream: 'open/other', ...naming }, asBob);
      assert.deepEqual(await joined.json(), { stream: 'open/other', userId: aliceId });
      // A token that names Bob but is not signed with the service's key is refused.
      const forged = await new SignJWT({ 'asrs.s.uid': bobId, nameid: bobId })
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience(decodeJwt(bob.accessToken).aud as string)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('not-the-access-key-0123456789abcdef'));
      await expectError(await post('unsubscribe', forged, { stream: 'open/room' }), 401, 'InvalidAccessToken', /not one issued by this API/);

      await stack.publish([pointEvent('open/room', 1), pointEvent('open/other', 2)]);
      await eventually(() => bob.of('open/room').length === 1 && alice.of('open/other').length === 1, 'each gets its own stream');
      await stack.topic.whenIdle();
      assert.deepEqual(bob.messages.map((message) => message.stream), ['open/room'], 'Bob stays in the room and nowhere else');
      assert.deepEqual(alice.messages.map((message) => message.stream), ['open/other'], 'Alice left the room and joined the other stream');
    } finally {
      await alice.stop();
      await bob.stop();
    }
  });

  it('a page\'s access token cannot call SignalR Service\'s REST API (send or join a group)', async () => {
    const { accessToken } = await stack.negotiate();
    const userId = String(decodeJwt(accessToken)['asrs.s.uid']);
    const hubUrl = `${stack.signalR().endpoint}/api/hubs/realtimeplot`;
    for (const [method, url] of [
      ['POST', `${hubUrl}/:send?api-version=2022-06-01`],
      ['PUT', `${hubUrl}/users/${userId}/groups/team%2Falpha?api-version=2022-06-01`],
      ['POST', `${stack.signalR().endpoint}/api/v1/hubs/realtimeplot`],
    ] as const) {
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ target: 'points', arguments: [{ forged: true }] }) : undefined,
      });
      assert.equal(response.status, 401, `${method} ${url}`);
      assert.match(((await response.json()) as { message: string }).message, /client access token .* cannot call the REST API/);
    }
  });

  it('refuses tokens of the wrong kind where an access token is needed', async () => {
    const { accessToken } = await stack.negotiate();
    const claims = decodeJwt(accessToken);
    const [header, payload] = accessToken.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const otherHub = await new SignJWT({ 'asrs.s.uid': String(claims['asrs.s.uid']) })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('http://127.0.0.1/client/?hub=otherhub')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(stack.signalR().accessKey));
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, 'rtp.streams': ['*'] })).toString('base64url')}.${accessToken.split('.')[2]}`;
    for (const [what, token, message] of [
      ['an unsigned token (alg none)', unsigned, /not one issued by this API/],
      ['a token for another hub', otherHub, /another SignalR hub/],
      ['a token whose claims were changed after signing', tampered, /not one issued by this API/],
      ['a valid caller token (subscribe wants the access token from negotiate)', await callerToken(['team/*']), /not one issued by this API/],
    ] as const) {
      await expectError(await post('subscribe', token, { stream: 'open/room' }), 401, 'InvalidAccessToken', message, what);
    }
  });

  it('opens a protected stream only to a caller token from the issuer\'s JWKS, with 403 and the reason otherwise', async () => {
    const anonymous = await stack.negotiate();
    await expectError(await post('subscribe', anonymous.accessToken, { stream: 'team/alpha' }), 403, 'StreamNotReadable', /"team\/alpha" is not public/);
    const history = await stack.api('streams/team%2Falpha/history');
    await expectError(history, 401, 'AccessTokenRequired', /"team\/alpha" is not public/);

    const otherTeam = await stack.negotiate({ authorization: `Bearer ${await callerToken(['team/beta'])}` });
    await expectError(await post('subscribe', otherTeam.accessToken, { stream: 'team/alpha' }), 403, 'StreamNotReadable', /does not grant it/);

    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const stranger = await stack.api('negotiate', { method: 'POST', headers: { authorization: `Bearer ${await callerToken(['team/*'], strangerKey)}` } });
    await expectError(stranger, 401, 'InvalidCallerToken', /signature does not verify/);

    const caller = await callerToken(['team/alpha']);
    const subscriber = await LiveSubscriber.connect({ apiUrl: stack.host.apiUrl, streams: ['team/alpha'], negotiateHeaders: { authorization: `Bearer ${caller}` } });
    try {
      await stack.publish([pointEvent('team/alpha', 7)]);
      await eventually(() => subscriber.of('team/alpha').length === 1, 'the granted stream arrives live');
    } finally {
      await subscriber.stop();
    }
    const granted = await stack.api('streams/team%2Falpha/history', { headers: { authorization: `Bearer ${caller}` } });
    assert.equal(granted.status, 200);
  });

  it('a browser page on an origin off the CORS allowlist cannot use the API', async (t) => {
    const browser = await startWidgetBrowser();
    t.after(() => browser.stop());
    // This stack's allowlist has no entry for the page's origin (it has none at all).
    await browser.open(stack.host.apiUrl, 'open/room');
    await eventually(async () => (await browser.snapshot('open/room')).statuses.includes('error:hub-unreachable'), 'the widget reports the API unreachable');
    const shown = await browser.snapshot('open/room');
    assert.ok(!shown.statuses.includes('live'));
    assert.deepEqual(shown.accepted, []);
  });

  it('counts rate limits by the address the platform saw, not by a spoofed X-Forwarded-For', async (t) => {
    const limited = await startFaultStack({ settings: { RATE_LIMIT_NEGOTIATE_PER_MINUTE: '3' } });
    t.after(() => limited.stop());
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await limited.api('negotiate', { method: 'POST', headers: { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.${i}` } });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });
});
