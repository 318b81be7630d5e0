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
    const { url } = await startServer((_request, _response, socket) => void socket.destroy());
    const transport = new KeepAliveTransport();
    await assert.rejects(transport.exchange(url, exchange), { name: 'NoAnswerError', code: 'ECONNRESET' });
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
