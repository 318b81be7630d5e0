/**
 * The API against the local SignalR Service stand-in: the widget's flow (negotiate, subscribe,
 * connect with the access token) delivers ingested events to a stock client, and the user's
 * membership survives a new connection.
 */
import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { decodeJwt } from 'jose';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LiveMessage } from '../../api/live-message.js';
import { startAzurite, type RunningAzurite } from '../../api/local/azurite.js';
import { startFunctionsHost, type RunningFunctionsHost } from '../../api/local/functions-host.js';
import { startSignalRService, type LocalSignalRService } from '../../api/local/signalr/index.js';
import { parseSignalRConnectionString } from '../../api/signalr/connection-string.js';
import { SignalRRestClient } from '../../api/signalr/rest-client.js';
import { eventGridEvent, waitFor } from './support/api-stack.js';

describe('API with the local SignalR Service', () => {
  let azurite: RunningAzurite;
  let service: LocalSignalRService;
  let host: RunningFunctionsHost;

  const negotiate = async (headers: Record<string, string> = {}) =>
    (await (await fetch(`${host.apiUrl}/negotiate`, { method: 'POST', headers })).json()) as { url: string; accessToken: string };

  const subscribe = (accessToken: string, stream: string, route = 'subscribe') =>
    fetch(`${host.apiUrl}/${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stream }),
    });

  const deliver = (subject: string, data: unknown) =>
    fetch(host.eventGridWebhookUrl('ingest'), {
      method: 'POST',
      headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' },
      body: JSON.stringify([eventGridEvent(subject, data)]),
    });

  async function connect(url: string, accessToken: string, received: LiveMessage[]): Promise<HubConnection> {
    const connection = new HubConnectionBuilder().withUrl(url, { accessTokenFactory: () => accessToken }).configureLogging(LogLevel.None).build();
    connection.on('points', (message: LiveMessage) => received.push(message));
    await connection.start();
    return connection;
  }

  before(async () => {
    azurite = await startAzurite();
    service = await startSignalRService({ port: 0 });
    host = await startFunctionsHost({
      settings: {
        AzureSignalRConnectionString: service.connectionString,
        AzureWebJobsStorage: azurite.connectionString,
        PUBLIC_STREAMS: 'plant/*',
      },
      log: () => undefined,
    });
  });
  after(async () => {
    await host?.stop();
    await service?.stop();
    await azurite?.stop();
  });

  it('delivers an ingested event to a subscribed stock client, and again after it reconnects', async () => {
    const { url, accessToken } = await negotiate();
    assert.equal((await subscribe(accessToken, 'plant/line-1')).status, 200);
    const received: LiveMessage[] = [];
    const first = await connect(url, accessToken, received);
    assert.equal((await deliver('plant/line-1', [{ X: 1, Y: 42 }])).status, 202);
    await waitFor(() => received.length === 1, 'the first live message');
    assert.deepEqual(received[0].series, [{ name: 'series-1', x: [1], y: [42] }]);
    assert.equal(received[0].seq, 1);
    await first.stop();

    // A new connection of the same user (renegotiated with the session token) is already a member.
    const renewed = await negotiate({ 'x-realtime-plot-session': accessToken });
    assert.equal(decodeJwt(renewed.accessToken)['asrs.s.uid'], decodeJwt(accessToken)['asrs.s.uid']);
    const second = await connect(renewed.url, renewed.accessToken, received);
    try {
      assert.equal((await deliver('plant/line-1', [{ X: 2, Y: 43 }])).status, 202);
      await waitFor(() => received.length === 2, 'the live message after reconnecting');
      assert.equal(received[1].seq, 2);
    } finally {
      await second.stop();
    }
  });

  it('adds and removes the user through the REST API the same way against the stand-in', async () => {
    const { accessToken } = await negotiate();
    const userId = String(decodeJwt(accessToken)['asrs.s.uid']);
    const rest = new SignalRRestClient(parseSignalRConnectionString(service.connectionString), { hub: 'realtimeplot' });
    assert.equal((await subscribe(accessToken, 'plant/line-2')).status, 200);
    assert.equal(await rest.userInGroup('plant/line-2', userId), true);
    assert.equal((await subscribe(accessToken, 'plant/line-2', 'unsubscribe')).status, 200);
    assert.equal(await rest.userInGroup('plant/line-2', userId), false);
  });

  it('does not deliver streams the client did not subscribe to', async () => {
    const { url, accessToken } = await negotiate();
    assert.equal((await subscribe(accessToken, 'plant/mine')).status, 200);
    const received: LiveMessage[] = [];
    const connection = await connect(url, accessToken, received);
    try {
      await deliver('plant/other', [{ Y: 1 }]);
      await deliver('plant/mine', [{ Y: 2 }]);
      await waitFor(() => received.length >= 1, 'the subscribed stream\'s message');
      assert.deepEqual(received.map((message) => message.stream), ['plant/mine']);
    } finally {
      await connection.stop();
    }
  });
});
