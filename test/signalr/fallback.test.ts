/**
 * The stock client's transport fallback: behind a proxy that refuses WebSocket upgrades (as some
 * corporate proxies do), JSON clients fall back to Server-Sent Events and MessagePack clients
 * (which SSE cannot carry) to long polling, and still receive their messages.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { clientToken, connectClient, PROTOCOLS, RestApi, startService, TRANSPORTS } from './support.js';

const HUB = 'fallback';
const log: string[] = [];
const service = await startService({ log: (line) => log.push(line) });

/** Forwards plain HTTP to the service, refuses every upgrade. */
const proxy = http.createServer((req, res) => {
  const upstream = http.request(
    { host: '127.0.0.1', port: service.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});
proxy.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
after(() => {
  proxy.closeAllConnections();
  return new Promise<void>((resolve) => proxy.close(() => resolve()));
});
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

const expected = { json: 'ServerSentEvents', messagepack: 'LongPolling' } as const;

for (const protocol of PROTOCOLS) {
  it(`${protocol}: WebSockets refused, the client falls back to ${expected[protocol]}`, async () => {
    const userId = `behind a proxy, ${protocol}`;
    const client = await connectClient({
      transport: TRANSPORTS[0],
      onlyThisTransport: false,
      protocol,
      url: `${proxyUrl}/client/?hub=${HUB}`,
      accessTokenFactory: () => clientToken(service, { hub: HUB, userId }),
    });
    const connected = log.find((line) => line.includes(client.connection.connectionId!) && line.startsWith('connected'));
    assert.match(connected ?? '', new RegExp(`${expected[protocol]} ${protocol}$`));
    assert.equal((await new RestApi(service, 'v1').sendToUser(HUB, userId, 'message', `via ${expected[protocol]}`)).status, 202);
    await client.receives(`via ${expected[protocol]}`);
  });
}
