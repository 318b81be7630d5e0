/**
 * The SignalR REST client's HTTP exchanges over kept-alive connections: idle connections are
 * closed before the server closes them, and a request that meets a connection the server has
 * just closed is sent again on a new one.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { KeepAliveTransport } from '../../api/signalr/keep-alive-transport.js';

async function startServer(handle: (request: IncomingMessage, response: ServerResponse, socket: Socket) => void): Promise<{ url: URL; server: Server; connections: Socket[] }> {
  const connections: Socket[] = [];
  const server = createServer((request, response) => handle(request, response, request.socket));
  server.on('connection', (socket) => connections.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/hubs/h/groups/g/:send`), server, connections };
}

const exchange = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"target":"t","arguments":[]}', timeoutInMs: 5000, maxBodyBytes: 1024 };

describe('KeepAliveTransport', () => {
  it('reuses a connection, and sends again on a new one when the server closed it as the request went out', async () => {
    let requests = 0;
    const { url, connections } = await startServer((_, response, socket) => {
      requests += 1;
      // The second request arrives on the first, kept-alive connection: the server closes it unanswered.
      if (requests === 2) return void socket.destroy();
      response.writeHead(202).end();
    });
    const transport = new KeepAliveTransport();
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    assert.equal(requests, 3);
    assert.equal(connections.length, 2);
  });

  it('does not send again a request whose fresh connection failed', async () => {
    let requests = 0;
    const { url } = await startServer((_request, _response, socket) => {
      requests += 1;
      socket.destroy();
    });
    const transport = new KeepAliveTransport();
    await assert.rejects(transport.exchange(url, exchange), { name: 'NoAnswerError', code: 'ECONNRESET' });
    assert.equal(requests, 1);
  });

  it('sends again on a connection of its own, not on another pooled one the server also closed', async () => {
    let requests = 0;
    const { url, connections } = await startServer((_request, response, socket) => {
      requests += 1;
      // Every request on a connection that already served one is dropped unanswered.
      if ((socket as Socket & { served?: boolean }).served) return void socket.destroy();
      (socket as Socket & { served?: boolean }).served = true;
      response.writeHead(202).end();
    });
    const transport = new KeepAliveTransport();
    // Three connections in the pool.
    assert.deepEqual((await Promise.all([1, 2, 3].map(() => transport.exchange(url, exchange)))).map((answer) => answer.status), [202, 202, 202]);
    assert.equal(connections.length, 3);
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    assert.equal(requests, 5, 'the first try on a pooled connection, the second on a new one');
    assert.equal(connections.length, 4);
  });

  it('keeps to one time-out over both tries', async () => {
    let requests = 0;
    const { url } = await startServer((_request, response, socket) => {
      requests += 1;
      if (requests === 1) return void response.writeHead(202).end();
      // The reused connection is reset after 300 ms; the second try gets no answer at all.
      if (requests === 2) return void setTimeout(() => socket.destroy(), 300);
    });
    const transport = new KeepAliveTransport();
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    const startedAt = Date.now();
    await assert.rejects(transport.exchange(url, { ...exchange, timeoutInMs: 1000 }), { name: 'NoAnswerError', timedOut: true });
    const tookInMs = Date.now() - startedAt;
    assert.ok(tookInMs >= 900 && tookInMs < 1500, `gave up after ${tookInMs} ms`);
    assert.equal(requests, 3);
  });

  it('closes an idle connection before the server would, so the next request opens a new one', async () => {
    const { url, connections } = await startServer((_, response) => response.writeHead(202).end());
    const transport = new KeepAliveTransport({ idleSocketTimeoutInMs: 200 });
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    assert.equal(connections.length, 1, 'back to back, the connection is reused');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(connections[0].destroyed || connections[0].readyState === 'closed' || connections[0].readableEnded, true, 'the idle connection was closed');
    assert.equal((await transport.exchange(url, exchange)).status, 202);
    assert.equal(connections.length, 2);
  });
});
