import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../api/local/azurite.js';
import { startApiStack, waitFor, type ApiStack } from './support/api-stack.js';
import { CALLER_AUDIENCE, CALLER_ISSUER, CALLER_SECRET, CALLER_SECRET_SETTINGS, CALLER_SETTINGS, signAccessToken, signCallerToken } from './support/tokens.js';
import type { ProblemBody } from '../../api/http/http-problem.js';

// One Azurite for every stack of this file.
let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite?.stop());

describe('POST /api/negotiate', () => {
  let stack: ApiStack;

  before(async () => {
    stack = await startApiStack({ azurite, settings: CALLER_SECRET_SETTINGS });
  });
  after(() => stack?.stop());

  it('returns the client URL with the port and a token signed as Azure SignalR expects', async () => {
    const port = new URL(stack.signalR.endpoint).port;
    const { url, accessToken } = await stack.negotiate();
    assert.equal(url, `http://127.0.0.1:${port}/client/?hub=realtimeplot`);
    const claims = decodeJwt(accessToken);
    assert.equal(claims.aud, 'http://127.0.0.1/client/?hub=realtimeplot', 'audience without the port');
    assert.equal(typeof claims['asrs.s.uid'], 'string');
    assert.equal(claims.nameid, claims['asrs.s.uid']);
    assert.equal(claims.exp! - claims.iat!, 3600);
    assert.equal(claims.nbf, claims.iat);
    assert.equal(claims['rtp.streams'], undefined, 'an anonymous token grants nothing');
  });

  it('is followed by a stock @microsoft/signalr client pointed at <base>/api', async () => {
    const connection = new HubConnectionBuilder()
      .withUrl(stack.host.apiUrl, { transport: HttpTransportType.WebSockets })
      .configureLogging(LogLevel.None)
      .build();
    const received: unknown[] = [];
    connection.on('points', (message) => received.push(message));
    await connection.start();
    try {
      const joined = await waitFor(() => stack.signalR.connections.find((c) => c.connectionId === connection.connectionId), 'the connection');
      assert.equal(joined.tokenIn, 'header', 'Node clients send the token as a header');
      assert.match(String(joined.claims['asrs.s.uid']), /^[0-9a-f-]{36}$/);
      stack.signalR.broadcast('points', [{ v: 1, stream: 'public/a', seq: 1 }]);
      await waitFor(() => received.length === 1, 'the pushed message');
    } finally {
      await connection.stop();
    }
  });

  it('keeps the user id of a previous token sent as x-realtime-plot-session or as the Bearer token', async () => {
    const first = decodeJwt((await stack.negotiate()).accessToken)['asrs.s.uid'];
    const previous = await signAccessToken(stack.signalR.accessKey, String(first));
    const viaHeader = await stack.negotiate({ 'x-realtime-plot-session': previous });
    const viaBearer = await stack.negotiate({ authorization: `Bearer ${previous}` });
    assert.equal(decodeJwt(viaHeader.accessToken)['asrs.s.uid'], first);
    assert.equal(decodeJwt(viaBearer.accessToken)['asrs.s.uid'], first);
  });

  it('keeps the user id of a token expired within the grace period, not of one expired longer ago', async () => {
    const now = Math.floor(Date.now() / 1000);
    const recentlyExpired = await signAccessToken(stack.signalR.accessKey, 'user-recent', { issuedAt: now - 2 * 3600 });
    const longExpired = await signAccessToken(stack.signalR.accessKey, 'user-old', { issuedAt: now - 26 * 3600 });
    assert.equal(decodeJwt((await stack.negotiate({ 'x-realtime-plot-session': recentlyExpired })).accessToken)['asrs.s.uid'], 'user-recent');
    // A stock client re-sends the service token as Bearer: never mistaken for a caller token.
    const fresh = await stack.negotiate({ authorization: `Bearer ${longExpired}` });
    assert.notEqual(decodeJwt(fresh.accessToken)['asrs.s.uid'], 'user-old');
  });

  it('ignores a session token signed with another key', async () => {
    const forged = await signAccessToken('some-other-key-0123456789-0123456789', 'victim');
    const { accessToken } = await stack.negotiate({ 'x-realtime-plot-session': forged });
    assert.notEqual(decodeJwt(accessToken)['asrs.s.uid'], 'victim');
  });

  it('copies the streams a caller token grants into the access token, expiring no later than it', async () => {
    const caller = await signCallerToken({ streams: ['private/a', 'team-*/x'] }, { expiresIn: '5m' });
    const { accessToken } = await stack.negotiate({ authorization: `Bearer ${caller}` });
    const claims = decodeJwt(accessToken);
    assert.deepEqual(claims['rtp.streams'], ['private/a', 'team-*/x']);
    assert.equal(claims.exp, decodeJwt(caller).exp);

    // Renegotiating with that access token keeps the grant and its expiry.
    const renewed = decodeJwt((await stack.negotiate({ authorization: `Bearer ${accessToken}` })).accessToken);
    assert.equal(renewed['asrs.s.uid'], claims['asrs.s.uid']);
    assert.deepEqual(renewed['rtp.streams'], ['private/a', 'team-*/x']);
    assert.equal(renewed.exp, claims.exp);
  });

  it('accepts the streams claim as a space-separated string', async () => {
    const caller = await signCallerToken({ streams: 'private/a private/b' });
    const claims = decodeJwt((await stack.negotiate({ authorization: `Bearer ${caller}` })).accessToken);
    assert.deepEqual(claims['rtp.streams'], ['private/a', 'private/b']);
  });

  for (const [what, token, reason] of [
    ['expired', () => signCallerToken({ streams: ['a'] }, { expiresIn: '-2h' }), /caller token has expired/],
    ['from another issuer', () => signCallerToken({ streams: ['a'] }, { issuer: 'https://evil.example/' }), /issuer/],
    ['for another audience', () => signCallerToken({ streams: ['a'] }, { audience: 'other-app' }), /audience/],
    ['signed with another secret', () => signCallerToken({ streams: ['a'] }, { secret: 'x'.repeat(40) }), /signature/],
    ['with a malformed streams claim', () => signCallerToken({ streams: [42] }), /claim "streams"/],
    ['that is not a JWT', async () => 'not-a-jwt', /not a valid JWT/],
    ['that is not valid yet', () => signCallerToken({ streams: ['a'] }, { notBefore: '5m' }), /not valid yet/],
    ['without an expiry', () => signCallerToken({ streams: ['a'] }, { expiresIn: null }), /no "exp" claim/],
    ['signed with an algorithm the secret does not stand for', signRs256CallerToken, /algorithm this API does not accept/],
  ] as const) {
    it(`refuses a caller token ${what} with 401 and the reason`, async () => {
      const response = await stack.api('negotiate', { method: 'POST', headers: { authorization: `Bearer ${await token()}` } });
      assert.equal(response.status, 401);
      const body = (await response.json()) as ProblemBody;
      assert.equal(body.error.code, 'InvalidCallerToken');
      assert.match(body.error.message, reason);
      assert.doesNotMatch(JSON.stringify(body), new RegExp(CALLER_SECRET));
    });
  }

  it('accepts a caller token expired within the clock skew (60 s by default)', async () => {
    const caller = await signCallerToken({ streams: ['private/skew'] }, { expiresIn: '-30s' });
    const { accessToken } = await stack.negotiate({ authorization: `Bearer ${caller}` });
    assert.deepEqual(decodeJwt(accessToken)['rtp.streams'], ['private/skew']);
  });
});

async function signRs256CallerToken(kid = 'key-1'): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ streams: ['a'] }).setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(CALLER_ISSUER).setAudience(CALLER_AUDIENCE).setExpirationTime('5m').sign(privateKey);
}

/** A loopback identity provider's key set endpoint answering `body`; its URL. */
async function serveKeySet(t: TestContext, body: string): Promise<string> {
  const keySet = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => keySet.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    keySet.close(() => resolve());
    keySet.closeAllConnections();
  }));
  return `http://127.0.0.1:${(keySet.address() as AddressInfo).port}/keys`;
}

describe('POST /api/negotiate with caller tokens from a JWKS URL', () => {
  it('verifies an RS256 token against the published keys', async (t) => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    const stack = await startApiStack({ azurite, settings: { CALLER_JWT_JWKS_URL: await serveKeySet(t, JSON.stringify({ keys: [jwk] })), ...CALLER_SETTINGS } });
    t.after(() => stack.stop());

    const signed = await new SignJWT({ streams: ['private/rsa'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer(CALLER_ISSUER)
      .setAudience(CALLER_AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    const { accessToken } = await stack.negotiate({ authorization: `Bearer ${signed}` });
    assert.deepEqual(decodeJwt(accessToken)['rtp.streams'], ['private/rsa']);

    const hs256 = await signCallerToken({ streams: ['private/rsa'] });
    const refused = await stack.api('negotiate', { method: 'POST', headers: { authorization: `Bearer ${hs256}` } });
    assert.equal(refused.status, 401, 'a symmetric token is not accepted where keys are published');

    const unknownKey = await stack.api('negotiate', { method: 'POST', headers: { authorization: `Bearer ${await signRs256CallerToken('key-2')}` } });
    assert.equal(unknownKey.status, 401);
    assert.match(((await unknownKey.json()) as ProblemBody).error.message, /signed with a key the issuer does not publish/);
  });

  // The identity provider's fault, not the caller's: 503, so that the caller tries again.
  for (const [what, keySetUrl, reason] of [
    ['cannot be reached', async () => 'http://127.0.0.1:1/keys', /signing keys could not be fetched/],
    ['answers a page that is not JSON', (t: TestContext) => serveKeySet(t, '<html>maintenance</html>'), /signing keys could not be read/],
    ['answers JSON that is not a key set', (t: TestContext) => serveKeySet(t, '{"keys": 5}'), /signing keys could not be read/],
  ] as const) {
    it(`answers 503 when the key set endpoint ${what}`, async (t) => {
      const stack = await startApiStack({ azurite, settings: { CALLER_JWT_JWKS_URL: await keySetUrl(t), ...CALLER_SETTINGS } });
      t.after(() => stack.stop());
      const response = await stack.api('negotiate', { method: 'POST', headers: { authorization: `Bearer ${await signRs256CallerToken()}` } });
      assert.equal(response.status, 503);
      const body = (await response.json()) as ProblemBody;
      assert.equal(body.error.code, 'IdentityProviderUnavailable');
      assert.match(body.error.message, reason);
    });
  }
});

describe('negotiate rate limit', () => {
  it('answers 429 with Retry-After once a client has used its budget', async (t) => {
    const stack = await startApiStack({ azurite, settings: { RATE_LIMIT_NEGOTIATE_PER_MINUTE: '3' } });
    t.after(() => stack.stop());
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i += 1) {
      const response = await stack.api('negotiate', { method: 'POST' });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        assert.equal(((await response.json()) as ProblemBody).error.code, 'TooManyRequests');
      } else await response.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.ok(Number(retryAfter) >= 1, 'Retry-After in seconds');
  });
});

describe('negotiate without settings', () => {
  it('names the missing setting in a 500', async (t) => {
    const stack = await startApiStack({ azurite, settings: { AzureSignalRConnectionString: '' } });
    t.after(() => stack.stop());
    const response = await stack.api('negotiate', { method: 'POST' });
    assert.equal(response.status, 500);
    const body = (await response.json()) as ProblemBody;
    assert.equal(body.error.code, 'ServerMisconfigured');
    assert.match(body.error.message, /AzureSignalRConnectionString is not set/);
  });

  it('never echoes a malformed connection string', async (t) => {
    const stack = await startApiStack({ azurite, settings: { AzureSignalRConnectionString: 'Endpoint=ftp://x;AccessKey=supersecretkey;' } });
    t.after(() => stack.stop());
    const response = await stack.api('negotiate', { method: 'POST' });
    const text = await response.text();
    assert.equal(response.status, 500);
    assert.match(text, /not http: or https:/);
    assert.doesNotMatch(text, /supersecretkey/);
  });
});
