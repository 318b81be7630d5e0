/**
 * The hub protocol as the service speaks it on the wire: negotiate versions, the handshake,
 * keep-alive pings, the client time-out, Close messages, and malformed input that closes only
 * the connection it came from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { clientToken, connectDirect, negotiateRaw, RawJsonClient, RestApi, startService } from './support.js';

const HUB = 'wire';
const service = await startService({ maxFrameBytes: 64 * 1024 });
/** A service with short keep-alive and client time-out, for the time-out tests. */
const quick = await startService({ keepAliveIntervalInMs: 250, clientTimeoutInMs: 3000 });
const rest = new RestApi(service, '2022-06-01');

describe('negotiate', () => {
  it('answers version 1 with a connection token and the three transports in order', async () => {
    const { status, body } = await negotiateRaw(service, HUB, await clientToken(service, { hub: HUB }));
    assert.equal(status, 200);
    assert.equal(body.negotiateVersion, 1);
    assert.equal(typeof body.connectionId, 'string');
    assert.equal(typeof body.connectionToken, 'string');
    assert.notEqual(body.connectionToken, body.connectionId);
    assert.deepEqual(body.availableTransports, [
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
  });

  it('answers version 0 without a connection token; the client connects with the connection id', async () => {
    const token = await clientToken(service, { hub: HUB, userId: 'v0 client' });
    const { status, body } = await negotiateRaw(service, HUB, token, '');
    assert.equal(status, 200);
    assert.equal(body.negotiateVersion, undefined);
    assert.equal(body.connectionToken, undefined);
    const socket = new WebSocket(`${service.endpoint.replace('http', 'ws')}/client/?hub=${HUB}&id=${String(body.connectionId)}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const received = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString())));
    socket.once('open', () => socket.send('{"protocol":"json","version":1}\u001e'));
    assert.equal(await received, '{}\u001e');
    socket.terminate();
  });

  it('reports an unreadable negotiateVersion in the body, as ASP.NET Core does', async () => {
    const { status, body } = await negotiateRaw(service, HUB, await clientToken(service, { hub: HUB }), '&negotiateVersion=x');
    assert.equal(status, 200);
    assert.match(String(body.error), /invalid protocol version 'x'/);
  });

  it('refuses an unknown connection id (404) and a missing one (400)', async () => {
    const token = await clientToken(service, { hub: HUB });
    const headers = { Authorization: `Bearer ${token}` };
    assert.equal((await fetch(`${service.endpoint}/client/?hub=${HUB}&id=nope`, { headers })).status, 404);
    assert.equal((await fetch(`${service.endpoint}/client/?hub=${HUB}`, { headers })).status, 400);
  });
});

describe('handshake', () => {
  it('refuses an unknown protocol with an error and closes', async () => {
    const client = await RawJsonClient.connect(service, { hub: HUB, handshake: false });
    client.send('{"protocol":"xml","version":1}\u001e');
    assert.deepEqual(await client.next((frame) => 'error' in frame, 'a handshake error'), {
      error: "The protocol 'xml' is not supported.",
    });
    await client.closed;
  });

  it('refuses MessagePack on Server-Sent Events, which carry text only', async () => {
    const token = await clientToken(service, { hub: HUB });
    const { body } = await negotiateRaw(service, HUB, token);
    const url = `${service.endpoint}/client/?hub=${HUB}&id=${String(body.connectionToken)}`;
    const headers = { Authorization: `Bearer ${token}` };
    const stream = await fetch(url, { headers: { ...headers, Accept: 'text/event-stream' } });
    assert.equal(stream.headers.get('content-type'), 'text/event-stream');
    assert.equal((await fetch(url, { method: 'POST', headers, body: '{"protocol":"messagepack","version":1}\u001e' })).status, 200);
    const text = await stream.text(); // the service ends the stream after the error
    assert.match(
      text,
      /data: \{"error":"Cannot use the 'messagepack' protocol on the current transport\. The transport does not support 'Binary' transfer format\."\}\u001e/,
    );
  });
});

describe('keep-alive and time-outs', () => {
  it('pings a connection it has nothing else to send to', async () => {
    const client = await RawJsonClient.connect(quick, { hub: HUB });
    await client.next((frame) => frame.type === 6, 'a ping');
  });

  it('closes a connection whose client stays silent past the client time-out, with an error', async () => {
    const client = await RawJsonClient.connect(quick, { hub: HUB });
    const close = await client.next((frame) => frame.type === 7, 'a Close message');
    assert.match(String(close.error), /Server timeout elapsed without receiving a message from the client/);
    await client.closed;
  });

  it('keeps a stock client connected across several of its server time-outs', async () => {
    const client = await connectDirect(quick, { hub: HUB, userId: 'patient' }, { serverTimeoutInMs: 3000, keepAliveIntervalInMs: 500 });
    // Longer than two of the client's server time-outs: only the service's pings keep it open.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    assert.deepEqual(client.closes, []);
    assert.equal(client.reconnects, 0);
  });
});

describe('what clients send', () => {
  it('answers an invocation that expects a result with a completion error (no upstream in Serverless mode)', async () => {
    const client = await RawJsonClient.connect(service, { hub: HUB });
    client.send('{"type":1,"invocationId":"7","target":"echo","arguments":[1]}\u001e');
    const completion = await client.next((frame) => frame.type === 3, 'a completion');
    assert.equal(completion.invocationId, '7');
    assert.match(String(completion.error), /No upstream handles 'echo'/);
  });

  it('closes only the connection that sent a malformed frame, with an error', async () => {
    const bystander = await connectDirect(service, { hub: HUB, userId: 'bystander' });
    const offender = await RawJsonClient.connect(service, { hub: HUB, userId: 'offender' });
    offender.send('{"type":1,"target":\u001e');
    const close = await offender.next((frame) => frame.type === 7, 'a Close message');
    assert.match(String(close.error), /Connection closed with an error\. A frame is not valid JSON/);
    assert.equal(close.allowReconnect, false);
    await offender.closed;
    assert.equal((await rest.exists(HUB, `/connections/${offender.connectionId}`)).status, 404);

    assert.equal((await rest.sendToUser(HUB, 'bystander', 'message', 'still here')).status, 202);
    await bystander.receives('still here');
    assert.deepEqual(bystander.closes, []);
  });

  it('closes a connection whose frame exceeds the frame size limit', async () => {
    const client = await RawJsonClient.connect(service, { hub: HUB });
    client.send(`{"type":6,"padding":"${'x'.repeat(70 * 1024)}"}\u001e`);
    assert.equal(await client.closed, 1009); // WebSocket "message too big"
  });

  it('closes a connection whose unterminated frame grows past the limit across messages', async () => {
    const client = await RawJsonClient.connect(service, { hub: HUB });
    for (let i = 0; i < 3; i++) client.send(`"${'y'.repeat(30 * 1024)}`);
    const close = await client.next((frame) => frame.type === 7, 'a Close message');
    assert.match(String(close.error), /larger than the limit of 65536 bytes/);
  });
});

describe('stop()', () => {
  it('sends every client a Close message that allows reconnecting, and frees the port', async () => {
    const { startSignalRService } = await import('../../api/local/signalr/index.js');
    const own = await startSignalRService({ port: 0 });
    const client = await RawJsonClient.connect(own, { hub: HUB });
    await own.stop();
    assert.deepEqual(await client.next((frame) => frame.type === 7, 'a Close message'), {
      type: 7,
      error: 'The service is stopping.',
      allowReconnect: true,
    });
    await client.closed;
    const again = await startSignalRService({ port: own.port });
    await again.stop();
  });
});
