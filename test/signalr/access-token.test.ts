/**
 * Client access tokens are checked as Azure checks them: HS256 signature with the AccessKey,
 * expiry, and an audience naming the hub (with or without the port); the user id comes from
 * `asrs.s.uid`, else `nameid`; the token may come in the Authorization header or the
 * `access_token` query (browsers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  buildClient,
  clientToken,
  connectDirect,
  HttpTransportType,
  negotiateRaw,
  RestApi,
  startService,
  TRANSPORTS,
  type ClientTokenOptions,
} from './support.js';

const HUB = 'secure';
const service = await startService();
const rest = new RestApi(service, 'v1');

async function startWith(transport: (typeof TRANSPORTS)[number], token: ClientTokenOptions): Promise<void> {
  const client = buildClient({
    transport,
    protocol: 'json',
    url: `${service.endpoint}/client/?hub=${HUB}`,
    accessTokenFactory: () => clientToken(service, token),
  });
  await client.connection.start();
  await client.connection.stop();
}

describe('refused tokens', () => {
  const refused: [string, ClientTokenOptions][] = [
    ['a token signed with another key', { hub: HUB, accessKey: 'not-the-access-key-0123456789' }],
    ['an expired token', { hub: HUB, expiresInSeconds: -120 }],
    ['a token for another hub', { hub: HUB, audience: 'http://127.0.0.1/client/?hub=other' }],
    ['a token for another host', { hub: HUB, audience: `http://example.com/client/?hub=${HUB}` }],
  ];
  for (const [what, token] of refused) {
    it(`negotiate refuses ${what} (the stock client fails to start)`, async () => {
      await assert.rejects(startWith(HttpTransportType.WebSockets, token), /401/);
    });
  }

  for (const transport of TRANSPORTS) {
    it(`${HttpTransportType[transport]}: connecting refuses ${refused[0][0]}, after a valid negotiate`, async () => {
      const { body } = await negotiateRaw(service, HUB, await clientToken(service, { hub: HUB }));
      const bad = await clientToken(service, refused[0][1]);
      const url = `${service.endpoint}/client/?hub=${HUB}&id=${String(body.connectionToken)}`;
      const headers = { Authorization: `Bearer ${bad}` };
      if (transport === HttpTransportType.WebSockets) {
        const socket = new WebSocket(url.replace('http', 'ws'), { headers });
        socket.on('error', () => undefined); // terminating a socket that never opened reports one
        const status = await new Promise<number>((resolve) =>
          socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
        );
        assert.equal(status, 401);
        socket.terminate();
      } else {
        const accept = transport === HttpTransportType.ServerSentEvents ? 'text/event-stream' : '*/*';
        assert.equal((await fetch(url, { headers: { ...headers, Accept: accept } })).status, 401);
      }
    });
  }

  it('says why in the 401 body', async () => {
    const token = await clientToken(service, { hub: HUB, expiresInSeconds: -120 });
    const response = await fetch(`${service.endpoint}/client/negotiate?hub=${HUB}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { code: 'Unauthorized', message: 'The access token has expired.' });
  });

  it('a connect request whose token names another user than the one that negotiated (403)', async () => {
    const token = await clientToken(service, { hub: HUB, userId: 'alice' });
    const { body } = await negotiateRaw(service, HUB, token);
    const other = await clientToken(service, { hub: HUB, userId: 'mallory' });
    const response = await fetch(`${service.endpoint}/client/?hub=${HUB}&id=${String(body.connectionToken)}`, {
      headers: { Authorization: `Bearer ${other}` },
    });
    assert.equal(response.status, 403);
  });

  it('a request with no token at all', async () => {
    const response = await fetch(`${service.endpoint}/client/negotiate?hub=${HUB}`, { method: 'POST' });
    assert.equal(response.status, 401);
  });
});

describe('accepted tokens', () => {
  it('an audience with the port', async () => {
    await startWith(HttpTransportType.WebSockets, { hub: HUB, audience: `${service.endpoint}/client/?hub=${HUB}` });
  });

  it('an audience with the hub in another case', async () => {
    await startWith(HttpTransportType.WebSockets, { hub: HUB, audience: `http://127.0.0.1/client/?hub=${HUB.toUpperCase()}` });
  });

  it('a token in the access_token query, as browsers send it', async () => {
    const token = await clientToken(service, { hub: HUB });
    const response = await fetch(`${service.endpoint}/client/negotiate?hub=${HUB}&access_token=${encodeURIComponent(token)}`, {
      method: 'POST',
    });
    assert.equal(response.status, 200);
  });

  for (const userClaim of ['asrs.s.uid', 'nameid'] as const) {
    it(`the user id in '${userClaim}' addresses the client`, async () => {
      const userId = `user in ${userClaim}`;
      const client = await connectDirect(service, { hub: HUB, userId, userClaim });
      assert.equal((await rest.sendToUser(HUB, userId, 'message', userClaim)).status, 202);
      await client.receives(userClaim);
    });
  }
});
