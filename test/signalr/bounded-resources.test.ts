/**
 * Bounded resources: a client that does not read is dropped once its send buffer is full while
 * the others keep receiving, and the service refuses connections beyond its limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clientToken,
  connectClient,
  connectDirect,
  eventually,
  HttpTransportType,
  negotiateRaw,
  RawJsonClient,
  RestApi,
  startService,
} from './support.js';

const HUB = 'bounded';

describe('a client that does not read', () => {
  it('is dropped when its send buffer is full, while a reading client keeps receiving', async () => {
    const service = await startService({ maxFrameBytes: 256 * 1024, maxBufferedBytesPerConnection: 512 * 1024 });
    const rest = new RestApi(service, 'v1');
    const reader = await connectDirect(service, { hub: HUB, userId: 'reader' });
    const sleeper = await RawJsonClient.connect(service, { hub: HUB, userId: 'sleeper' });
    for (const user of ['reader', 'sleeper']) assert.equal((await rest.addUserToGroup(HUB, 'firehose', user)).status, 200);
    sleeper.socket.pause(); // stops reading from its TCP socket: the kernel buffers fill, then the service's

    const payload = 'p'.repeat(200 * 1024);
    let sent = 0;
    // Loopback kernel buffers can hold several megabytes before the service has to buffer anything.
    while ((await rest.exists(HUB, `/connections/${sleeper.connectionId}`)).status === 200) {
      assert.ok(sent < 1000, 'the sleeping client should have been dropped long before 200 MB were sent');
      assert.equal((await rest.sendToGroup(HUB, 'firehose', 'message', sent, payload)).status, 202);
      sent++;
    }
    assert.equal((await rest.sendToGroup(HUB, 'firehose', 'message', 'after the drop')).status, 202);
    await reader.receives('after the drop');
    for (let i = 0; i < sent; i++) await reader.receives(i);
    assert.deepEqual(reader.closes, []);
  });
});

describe('the connection limit', () => {
  it('refuses negotiate with 429 beyond maxConnections, and frees a place when a connection ends', async () => {
    const service = await startService({ maxConnections: 2, disconnectTimeoutInMs: 300 });
    const token = await clientToken(service, { hub: HUB });
    const first = await connectClient({
      transport: HttpTransportType.WebSockets,
      protocol: 'json',
      url: `${service.endpoint}/client/?hub=${HUB}`,
      accessTokenFactory: () => token,
    });
    assert.equal((await negotiateRaw(service, HUB, token)).status, 200); // never connects: dropped after disconnectTimeoutInMs
    const refused = await negotiateRaw(service, HUB, token);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { code: 'TooManyConnections', message: 'The service holds its limit of 2 connections.' });

    await first.connection.stop();
    await eventually(async () => (await negotiateRaw(service, HUB, token)).status === 200, 'a place is free again');
  });
});
