/**
 * Stock clients with automatic reconnect come back after the service closes their connection
 * (REST close) and after the service is stopped and started again on the same port; a user's
 * group membership applies to the new connection, whose id is new.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startSignalRService, type LocalSignalRService } from '../../api/local/signalr/index.js';
import { COMBINATIONS, connectClient, eventually, HubConnectionState, RestApi, startNegotiateEndpoint, startService } from './support.js';

const HUB = 'plots';
const service = await startService();
const functionsBase = await startNegotiateEndpoint(service, HUB);

describe('after the service closes a connection (REST close)', () => {
  for (const { transport, protocol, label } of COMBINATIONS) {
    it(`${label}: the client reconnects with a new id, and its user's groups apply to it`, async () => {
      const rest = new RestApi(service, '2022-06-01');
      const user = `reconnecting ${label}`;
      const group = `stream/${label}`;
      const client = await connectClient({ transport, protocol, url: functionsBase, headers: { 'x-ms-signalr-userid': user } });
      const firstId = client.connection.connectionId!;
      assert.equal((await rest.addUserToGroup(HUB, group, user)).status, 200);

      assert.equal((await rest.closeConnection(HUB, firstId, 'testing reconnect')).status, 200);
      await eventually(() => client.reconnects >= 1 && client.connection.state === HubConnectionState.Connected, 'reconnected');

      const secondId = client.connection.connectionId!;
      assert.notEqual(secondId, firstId);
      assert.equal((await rest.exists(HUB, `/connections/${firstId}`)).status, 404);
      assert.equal((await rest.exists(HUB, `/connections/${secondId}`)).status, 200);
      assert.equal((await rest.sendToGroup(HUB, group, 'message', { after: 'reconnect', label })).status, 202);
      await client.receives({ after: 'reconnect', label });
    });
  }
});

describe('after stop() and a restart on the same port', () => {
  it('every client reconnects and receives messages from the new instance', async () => {
    let current: LocalSignalRService = await startSignalRService({ port: 0 });
    after(() => current.stop());
    const negotiateBase = await startNegotiateEndpoint(current, HUB);
    const clients = await Promise.all(
      COMBINATIONS.map(({ transport, protocol, label }) =>
        connectClient({ transport, protocol, url: negotiateBase, headers: { 'x-ms-signalr-userid': `restart ${label}` } }),
      ),
    );
    const port = current.port;

    await current.stop();
    current = await startSignalRService({ port });
    assert.equal(current.port, port);

    await eventually(
      () => clients.every((client) => client.reconnects >= 1 && client.connection.state === HubConnectionState.Connected),
      'all clients reconnected',
    );
    assert.deepEqual(
      clients.map((client) => client.closes),
      clients.map(() => []),
      'no client gave up',
    );
    assert.equal((await new RestApi(current, 'v1').broadcast(HUB, 'message', 'after restart')).status, 202);
    await Promise.all(clients.map((client) => client.receives('after restart')));
  });
});
