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
