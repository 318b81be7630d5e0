/**
 * CORS for a page on another origin, with credentials (the stock client's default): the origin
 * is reflected, never `*`, and preflights get the headers the SignalR client sends.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { clientToken, startService } from './support.js';

const HUB = 'cors';
const ORIGIN = 'http://page.example:8080';
const service = await startService();

it('answers a negotiate preflight with the origin, credentials and the requested headers', async () => {
  const response = await fetch(`${service.endpoint}/client/negotiate?hub=${HUB}&negotiateVersion=1`, {
    method: 'OPTIONS',
    headers: {
      Origin: ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,x-requested-with,x-signalr-user-agent',
    },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(response.headers.get('access-control-allow-methods'), 'POST');
  assert.equal(response.headers.get('access-control-allow-headers'), 'authorization,x-requested-with,x-signalr-user-agent');
});

it('reflects the origin with credentials on negotiate and on long-polling requests', async () => {
  const token = await clientToken(service, { hub: HUB });
  const negotiate = await fetch(`${service.endpoint}/client/negotiate?hub=${HUB}&negotiateVersion=1`, {
    method: 'POST',
    headers: { Origin: ORIGIN, Authorization: `Bearer ${token}` },
  });
  assert.equal(negotiate.status, 200);
  assert.equal(negotiate.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(negotiate.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(negotiate.headers.get('vary'), 'Origin');
  const { connectionToken } = (await negotiate.json()) as { connectionToken: string };

  const poll = await fetch(`${service.endpoint}/client/?hub=${HUB}&id=${connectionToken}&access_token=${encodeURIComponent(token)}`, {
    headers: { Origin: ORIGIN },
  });
  assert.equal(poll.status, 200);
  assert.equal(poll.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(poll.headers.get('access-control-allow-credentials'), 'true');
});

it('adds no CORS headers to a request without an origin', async () => {
  const response = await fetch(`${service.endpoint}/api/v1/health`);
  assert.equal(response.headers.get('access-control-allow-origin'), null);
});

it('with allowedOrigins, answers only those origins and gives others no CORS headers', async () => {
  const restricted = await startService({ allowedOrigins: [ORIGIN] });
  const token = await clientToken(restricted, { hub: HUB });
  const negotiateFrom = (origin: string) => fetch(`${restricted.endpoint}/client/negotiate?hub=${HUB}&negotiateVersion=1`, {
    method: 'POST',
    headers: { Origin: origin, Authorization: `Bearer ${token}` },
  });
  const allowed = await negotiateFrom(ORIGIN);
  assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
  const other = await negotiateFrom('https://elsewhere.example');
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal(other.headers.get('access-control-allow-credentials'), null);
  assert.equal(other.headers.get('vary'), 'Origin');
});

it('takes allowedOrigins as a browser sends Origin (case and default ports aside), and refuses what is not an origin', async () => {
  const restricted = await startService({ allowedOrigins: ['HTTP://Page.Example:8080', 'https://other.example:443/'] });
  for (const origin of [ORIGIN, 'https://other.example']) {
    const preflight = await fetch(`${restricted.endpoint}/client/negotiate?hub=${HUB}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
  }
  for (const origin of ['page.example', 'https://page.example/path', 'https://page.example?q', 'https://*.example.com', '']) {
    await assert.rejects(startService({ allowedOrigins: [origin] }), { name: 'RangeError', message: /^allowedOrigins: .* is not an origin such as https:\/\/www\.example\.com/ });
  }
});
