import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { cloudEvent, eventGridEvent, startApiStack, type ApiStack } from './support/api-stack.js';
import type { ProblemBody } from '../../api/http/http-problem.js';

const DEMO_ORIGIN = 'http://localhost:5173';

describe('local Functions host', () => {
  let stack: ApiStack;
  const webhook = (query = 'functionName=ingest') => `${stack.host.baseUrl}/runtime/webhooks/eventgrid?${query}`;

  before(async () => {
    stack = await startApiStack({ settings: { CORS_ALLOWED_ORIGINS: `${DEMO_ORIGIN}, https://cms.example.test/`, PUBLIC_STREAMS: '*' } });
  });
  after(async () => {
    await stack?.stop();
  });

  describe('HTTP routes', () => {
    it('answers 404 for unknown routes and for a method a function does not take, as the host does', async () => {
      for (const [method, path] of [['GET', 'api/nothing'], ['GET', 'api/negotiate'], ['POST', 'api/streams/a/history'], ['GET', 'elsewhere']]) {
        const response = await fetch(`${stack.host.baseUrl}/${path}`, { method });
        assert.equal(response.status, 404, `${method} /${path}`);
        await response.body?.cancel();
      }
    });

    it('matches literal route segments case-insensitively and binds {stream}', async () => {
      const response = await fetch(`${stack.host.baseUrl}/api/Streams/demo/HISTORY`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { stream: string }).stream, 'demo');
    });

    it('answers 413 with a JSON error to a body over its 4 MiB limit', async (t) => {
      const small = await startApiStack({ azurite: stack.azurite, settings: { PUBLIC_STREAMS: '*' } });
      t.after(() => small.stop());
      const response = await fetch(`${small.host.apiUrl}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(5 * 1024 * 1024),
      });
      assert.equal(response.status, 413);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(((await response.json()) as ProblemBody).error.code, 'PayloadTooLarge');
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin with credentials and the SignalR client\'s headers', async () => {
      const response = await fetch(`${stack.host.apiUrl}/negotiate`, {
        method: 'OPTIONS',
        headers: {
          origin: DEMO_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, x-requested-with, x-signalr-user-agent, x-realtime-plot-session',
        },
      });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), DEMO_ORIGIN);
      assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
      const allowed = response.headers.get('access-control-allow-headers')!.split(/,\s*/);
      for (const header of ['authorization', 'content-type', 'x-requested-with', 'x-signalr-user-agent', 'x-realtime-plot-session']) {
        assert.ok(allowed.includes(header), header);
      }
      assert.match(response.headers.get('access-control-allow-methods')!, /POST/);
    });

    it('adds the origin to responses for allowed origins only (listed with a trailing slash too)', async () => {
      const allowed = await fetch(`${stack.host.apiUrl}/negotiate`, { method: 'POST', headers: { origin: 'https://cms.example.test' } });
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://cms.example.test');
      assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
      assert.match(allowed.headers.get('access-control-expose-headers')!, /retry-after/);
      await allowed.body?.cancel();

      const other = await fetch(`${stack.host.apiUrl}/negotiate`, { method: 'POST', headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      await other.body?.cancel();
      const preflight = await fetch(`${stack.host.apiUrl}/subscribe`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    });
  });

  describe('Event Grid webhook', () => {
    it('completes the subscription validation handshake', async () => {
      const response = await fetch(webhook(), {
        method: 'POST',
        headers: { 'aeg-event-type': 'SubscriptionValidation', 'content-type': 'application/json' },
        body: JSON.stringify([
          eventGridEvent('', { validationCode: 'code-123', validationUrl: 'https://example.test/validate' }, { eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent' }),
        ]),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { validationResponse: 'code-123' });
    });

    it('reads a CloudEvent validation event\'s double-encoded data', async () => {
      const response = await fetch(webhook(), {
        method: 'POST',
        headers: { 'aeg-event-type': 'SubscriptionValidation', 'content-type': 'application/cloudevents+json; charset=utf-8' },
        body: JSON.stringify(cloudEvent('', JSON.stringify({ validationCode: 'ce-code' }))),
      });
      assert.deepEqual(await response.json(), { validationResponse: 'ce-code' });
    });

    it('answers the CloudEvents abuse-protection OPTIONS request', async () => {
      const response = await fetch(webhook(), { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net', 'webhook-request-rate': '100' } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('webhook-allowed-origin'), 'eventgrid.azure.net');
      assert.equal(response.headers.get('webhook-allowed-rate'), '*');
    });

    it('answers Notification deliveries with 202, as an array or a single object', async () => {
      assert.equal((await stack.deliver([eventGridEvent('host/a', [{ Y: 1 }])])).status, 202);
      assert.equal((await stack.deliver(eventGridEvent('host/a', [{ Y: 2 }]))).status, 202);
      const history = (await (await stack.api('streams/host%2Fa/history')).json()) as { lastSeq: number };
      assert.equal(history.lastSeq, 2);
    });

    it('answers Unsubscribe with 202, and a missing or unknown aeg-event-type with 400', async () => {
      for (const [eventType, status] of [['Unsubscribe', 202], [undefined, 400], ['Bogus', 400]] as const) {
        const headers: Record<string, string> = eventType ? { 'aeg-event-type': eventType } : {};
        const response = await fetch(webhook(), { method: 'POST', headers, body: '[]' });
        assert.equal(response.status, status, String(eventType));
        await response.body?.cancel();
      }
    });

    it('answers 404 for an unknown function', async () => {
      const response = await fetch(webhook('functionName=nope'), { method: 'POST', headers: { 'aeg-event-type': 'Notification' }, body: '[]' });
      assert.equal(response.status, 404);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /cannot find function: 'nope'/);
    });

    for (const [what, body, contentType, status, code] of [
      ['malformed JSON', '[{"id": ', 'application/json', 400, 'InvalidJson'],
      ['a bare number', '42', 'application/json', 400, 'InvalidBody'],
      ['a non-JSON content type', '[]', 'text/csv', 415, 'UnsupportedMediaType'],
    ] as const) {
      it(`answers ${status} ${code} to ${what}`, async () => {
        const response = await stack.deliver(undefined, { body, headers: { 'content-type': contentType } });
        assert.equal(response.status, status);
        assert.equal(((await response.json()) as ProblemBody).error.code, code);
      });
    }

    it('appends the caller address to X-Forwarded-For as the platform front end does', async () => {
      // Rate limits key on the last entry; a spoofed first entry does not change the client.
      const limited = await startApiStack({ azurite: stack.azurite, settings: { RATE_LIMIT_NEGOTIATE_PER_MINUTE: '1' } });
      const statuses = [];
      for (const spoofed of ['203.0.113.1', '203.0.113.2']) {
        statuses.push(await new Promise<number>((resolve, reject) => {
          const request = httpRequest(`${limited.host.apiUrl}/negotiate`, { method: 'POST', headers: { 'x-forwarded-for': spoofed } }, (response) => {
            response.resume();
            resolve(response.statusCode!);
          });
          request.on('error', reject);
          request.end();
        }));
      }
      await limited.stop();
      assert.deepEqual(statuses, [200, 429]);
    });
  });
});
