/**
 * Bounded resources: a client that does not read (on any transport) is dropped once its send
 * buffer is full while the others keep receiving, and the service refuses connections beyond its limit.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, describe, it } from 'node:test';
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
  type TestClient,
} from './support.js';

const HUB = 'bounded';
/** Small enough a limit that a few 200 KB messages pass it. */
const BOUNDED_BUFFERS = { maxFrameBytes: 256 * 1024, maxBufferedBytesPerConnection: 512 * 1024 };

/** Floods the group until the service no longer has `connectionId`; how many 200 KB messages that took. */
async function floodUntilDropped(rest: RestApi, connectionId: string): Promise<number> {
  const payload = 'p'.repeat(200 * 1024);
  let sent = 0;
  // Loopback kernel buffers can hold several megabytes before the service has to buffer anything.
  while ((await rest.exists(HUB, `/connections/${connectionId}`)).status === 200) {
    assert.ok(sent < 1000, 'the client should have been dropped long before 200 MB were sent');
    assert.equal((await rest.sendToGroup(HUB, 'firehose', 'message', sent, payload)).status, 202);
    sent++;
  }
  return sent;
}

/** The reading client got all `sent` messages and what came after the drop, and is still connected. */
async function assertReaderKeptReceiving(rest: RestApi, reader: TestClient, sent: number): Promise<void> {
  assert.equal((await rest.sendToGroup(HUB, 'firehose', 'message', 'after the drop')).status, 202);
  await reader.receives('after the drop');
  for (let i = 0; i < sent; i++) await reader.receives(i);
  assert.deepEqual(reader.closes, []);
}

describe('a client that does not read', () => {
  it('is dropped when its send buffer is full, while a reading client keeps receiving', async () => {
    const service = await startService(BOUNDED_BUFFERS);
    const rest = new RestApi(service, 'v1');
    const reader = await connectDirect(service, { hub: HUB, userId: 'reader' });
    const sleeper = await RawJsonClient.connect(service, { hub: HUB, userId: 'sleeper' });
    for (const user of ['reader', 'sleeper']) assert.equal((await rest.addUserToGroup(HUB, 'firehose', user)).status, 200);
    sleeper.socket.pause(); // stops reading from its TCP socket: the kernel buffers fill, then the service's

    await assertReaderKeptReceiving(rest, reader, await floodUntilDropped(rest, sleeper.connectionId));
  });
});

describe('a client of the HTTP transports that does not take what it is sent', () => {
  const HANDSHAKE = '{"protocol":"json","version":1}\u001e';

  it('drops a Server-Sent Events client that stops reading, while a reading client keeps receiving', async () => {
    const service = await startService(BOUNDED_BUFFERS);
    const rest = new RestApi(service, 'v1');
    const reader = await connectDirect(service, { hub: HUB, userId: 'reader' });
    const token = await clientToken(service, { hub: HUB, userId: 'sse-sleeper' });
    const { body } = await negotiateRaw(service, HUB, token);
    const url = `${service.endpoint}/client/?hub=${HUB}&id=${String(body.connectionToken)}`;
    const stream = http.get(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
    after(() => stream.destroy());
    const [events] = (await once(stream, 'response')) as [http.IncomingMessage];
    assert.equal(events.statusCode, 200);
    const posted = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: HANDSHAKE });
    assert.equal(posted.status, 200);
    for (const user of ['reader', 'sse-sleeper']) assert.equal((await rest.addUserToGroup(HUB, 'firehose', user)).status, 200);
    events.socket.pause();

    await assertReaderKeptReceiving(rest, reader, await floodUntilDropped(rest, String(body.connectionId)));
  });

  it('drops a long-polling client that stops polling once its queue is full, before its disconnect time-out', async () => {
    const service = await startService({ ...BOUNDED_BUFFERS, disconnectTimeoutInMs: 120_000 });
    const rest = new RestApi(service, 'v1');
    const token = await clientToken(service, { hub: HUB, userId: 'poll-sleeper' });
    const { body } = await negotiateRaw(service, HUB, token);
    const url = `${service.endpoint}/client/?hub=${HUB}&id=${String(body.connectionToken)}`;
    const headers = { authorization: `Bearer ${token}` };
    assert.equal((await fetch(url, { headers })).status, 200, 'the first poll connects');
    assert.equal((await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: HANDSHAKE })).status, 200);
    assert.equal(await (await fetch(url, { headers })).text(), '{}\u001e', 'a poll returns the handshake answer');
    assert.equal((await rest.addUserToGroup(HUB, 'firehose', 'poll-sleeper')).status, 200);

    const startedAt = Date.now();
    const sent = await floodUntilDropped(rest, String(body.connectionId));
    assert.ok(sent <= 4, `dropped after ${sent} messages of 200 KB, as its 512 KB queue allows`);
    assert.ok(Date.now() - startedAt < 60_000, 'dropped by the bound, not by the disconnect time-out');
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
