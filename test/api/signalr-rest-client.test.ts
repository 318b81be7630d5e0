import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it, mock } from 'node:test';
import { parseSignalRConnectionString } from '../../api/signalr/connection-string.js';
import { SignalRRestClient, SignalRRestError } from '../../api/signalr/rest-client.js';
import { startRecordingSignalRService, type RecordingSignalRService } from './support/recording-signalr-service.js';

describe('SignalR Service REST client', () => {
  let service: RecordingSignalRService;
  let client: SignalRRestClient;
  const message = { target: 'points', arguments: [{ v: 1 }] };

  before(async () => {
    service = await startRecordingSignalRService();
    client = new SignalRRestClient(parseSignalRConnectionString(service.connectionString), { hub: 'RealtimePlot' });
  });
  after(() => service?.stop());
  beforeEach(() => {
    service.requests.length = 0;
    service.answerWith(undefined);
  });

  const calls: [string, (c: SignalRRestClient) => Promise<unknown>, string, string, Record<string, string>?][] = [
    ['sendToAll', (c) => c.sendToAll(message), 'POST', '/:send'],
    ['sendToGroup', (c) => c.sendToGroup('plant/line 1', message), 'POST', '/groups/plant%2Fline%201/:send'],
    ['sendToUser', (c) => c.sendToUser('user-1', message), 'POST', '/users/user-1/:send'],
    ['sendToConnection', (c) => c.sendToConnection('conn-1', message), 'POST', '/connections/conn-1/:send'],
    ['addUserToGroup', (c) => c.addUserToGroup('g', 'u', { ttlInSeconds: 90 }), 'PUT', '/users/u/groups/g', { ttl: '90' }],
    ['removeUserFromGroup', (c) => c.removeUserFromGroup('g', 'u'), 'DELETE', '/users/u/groups/g'],
    ['removeUserFromAllGroups', (c) => c.removeUserFromAllGroups('u'), 'DELETE', '/users/u/groups'],
    ['addConnectionToGroup', (c) => c.addConnectionToGroup('g', 'c'), 'PUT', '/groups/g/connections/c'],
    ['removeConnectionFromGroup', (c) => c.removeConnectionFromGroup('g', 'c'), 'DELETE', '/groups/g/connections/c'],
    ['closeConnection', (c) => c.closeConnection('c', { reason: 'bye' }), 'DELETE', '/connections/c', { reason: 'bye' }],
    ['groupExists', (c) => c.groupExists('g'), 'HEAD', '/groups/g'],
    ['userExists', (c) => c.userExists('u'), 'HEAD', '/users/u'],
    ['connectionExists', (c) => c.connectionExists('c'), 'HEAD', '/connections/c'],
    ['userInGroup', (c) => c.userInGroup('g', 'u'), 'HEAD', '/users/u/groups/g'],
  ];

  for (const [operation, call, method, path, query = {}] of calls) {
    it(`${operation}: ${method} /api/hubs/{hub}${path} with a token for that URL`, async () => {
      await call(client);
      const [request] = service.requests;
      assert.equal(request.method, method);
      assert.equal(request.path, `/api/hubs/realtimeplot${path}`);
      assert.deepEqual(Object.fromEntries(request.query), { 'api-version': '2022-06-01', ...query });
      assert.equal(request.claims.aud, `${service.endpoint}/api/hubs/realtimeplot${path}`, 'aud = request URL without the query');
      assert.ok((request.claims.exp as number) > Date.now() / 1000);
      if (method === 'POST') assert.deepEqual(request.body, message);
    });
  }

  it('signs a token per URL once and replaces it a minute before it expires', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const issuedAt = async (send: () => Promise<void>): Promise<unknown> => {
        service.requests.length = 0;
        await send();
        return service.requests[0].claims.iat;
      };
      const first = await issuedAt(() => client.sendToGroup('cached', message));
      mock.timers.tick(200_000);
      assert.equal(await issuedAt(() => client.sendToGroup('cached', message)), first, 'reused within its lifetime');
      assert.equal(await issuedAt(() => client.sendToGroup('other', message)), (first as number) + 200, 'another URL gets its own token');
      mock.timers.tick(41_000);
      assert.equal(await issuedAt(() => client.sendToGroup('cached', message)), (first as number) + 241, 'replaced 60 s before its 300 s expire');
    } finally {
      mock.timers.reset();
    }
  });

  it('answers existence checks from 200 and 404', async () => {
    assert.equal(await client.groupExists('g'), true);
    service.answerWith(404);
    assert.equal(await client.groupExists('g'), false);
  });

  it('fails with the status and operation, transient for 5xx and 429, not for 4xx', async () => {
    for (const [status, transient] of [[503, true], [429, true], [400, false], [401, false]] as const) {
      service.answerWith(status);
      await assert.rejects(client.sendToGroup('g', message), (error: unknown) => {
        assert.ok(error instanceof SignalRRestError);
        assert.equal(error.status, status);
        assert.equal(error.transient, transient);
        assert.match(error.message, new RegExp(`sendToGroup failed: POST /api/hubs/realtimeplot/groups/g/:send answered ${status}`));
        return true;
      });
    }
  });

  it('is refused by the service when signed with another key', async () => {
    const wrongKey = parseSignalRConnectionString(service.connectionString.replace(/AccessKey=[^;]+/, 'AccessKey=wrong-key'));
    const impostor = new SignalRRestClient(wrongKey, { hub: 'realtimeplot' });
    await assert.rejects(impostor.sendToAll(message), { status: 401, message: /answered 401: Unauthorized invalid token/ });
  });

  describe('when the service does not answer', () => {
    let silent: Server;
    before(async () => {
      silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    after(
      () =>
        new Promise<void>((resolve) => {
          silent.close(() => resolve());
          silent.closeAllConnections();
        }),
    );

    it('gives up after its timeout with a transient error', async () => {
      const endpoint = parseSignalRConnectionString(`Endpoint=http://127.0.0.1;Port=${(silent.address() as AddressInfo).port};AccessKey=k;Version=1.0;`);
      const slow = new SignalRRestClient(endpoint, { hub: 'h', timeoutInMs: 200 });
      await assert.rejects(slow.sendToAll(message), (error: unknown) => {
        assert.ok(error instanceof SignalRRestError);
        assert.equal(error.status, undefined);
        assert.equal(error.transient, true);
        assert.match(error.message, /no answer within 200 ms/);
        return true;
      });
    });
  });
});
