/**
 * Stock clients, on every transport and protocol, negotiating directly or through a
 * Functions-style `{url, accessToken}` redirect, receive broadcast, group, user and connection
 * messages sent through both versions of the REST API.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSIONS, clientToken, COMBINATIONS, connectClient, RestApi, startNegotiateEndpoint, startService } from './support.js';

// Mixed case on the client side, lowercase in REST calls: hub names are case-insensitive.
const CLIENT_HUB = 'RealtimePlot';
const REST_HUB = 'realtimeplot';

const service = await startService();
const functionsBase = await startNegotiateEndpoint(service, CLIENT_HUB);

describe('REST messages reach stock clients', () => {
  for (const { transport, protocol, label } of COMBINATIONS) {
    for (const negotiation of ['direct', 'Functions redirect'] as const) {
      it(`${label}, negotiated ${negotiation}`, async () => {
        const user = `user ${label} ${negotiation}`;
        const client = await connectClient(
          negotiation === 'direct'
            ? {
                transport,
                protocol,
                url: `${service.endpoint}/client/?hub=${CLIENT_HUB}`,
                accessTokenFactory: () => clientToken(service, { hub: CLIENT_HUB, userId: user }),
              }
            : { transport, protocol, url: functionsBase, headers: { 'x-ms-signalr-userid': user } },
        );
        const connectionId = client.connection.connectionId!;

        for (const version of API_VERSIONS) {
          const rest = new RestApi(service, version);
          const tag = { user, version };

          assert.equal((await rest.broadcast(REST_HUB, 'message', { ...tag, to: 'all' })).status, 202);
          await client.receives({ ...tag, to: 'all' });

          assert.equal((await rest.sendToUser(REST_HUB, user, 'message', { ...tag, to: 'user' }, 42)).status, 202);
          assert.deepEqual(await client.receives({ ...tag, to: 'user' }), [{ ...tag, to: 'user' }, 42]);

          assert.equal((await rest.sendToConnection(REST_HUB, connectionId, 'message', { ...tag, to: 'connection' })).status, 202);
          await client.receives({ ...tag, to: 'connection' });

          const connectionGroup = `by-connection/${label}/${negotiation}/${version}`;
          assert.equal((await rest.addConnectionToGroup(REST_HUB, connectionGroup, connectionId)).status, 200);
          assert.equal((await rest.sendToGroup(REST_HUB, connectionGroup, 'message', { ...tag, to: 'connection group' })).status, 202);
          await client.receives({ ...tag, to: 'connection group' });

          const userGroup = `by-user/${label}/${negotiation}/${version}`;
          assert.equal((await rest.addUserToGroup(REST_HUB, userGroup, user)).status, 200);
          assert.equal((await rest.sendToGroup(REST_HUB, userGroup, 'message', { ...tag, to: 'user group' })).status, 202);
          await client.receives({ ...tag, to: 'user group' });
        }
      });
    }
  }
});
