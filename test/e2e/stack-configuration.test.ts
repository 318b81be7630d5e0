/**
 * How the local stack is configured: port variables, the Azure settings that switch stand-ins
 * off (checked by running the stack against separately started services standing in for Azure),
 * the Functions host's CORS (the demo origins only) and the demo streams being public.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { startAzurite } from '../../api/local/azurite.js';
import { startEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { startSignalRService } from '../../api/local/signalr/index.js';
import { detectAzureServices, portsToOpen } from '../../api/local/stack/azure-services.js';
import { LabelledLog } from '../../api/local/stack/labelled-log.js';
import { startLocalStack } from '../../api/local/stack/local-stack.js';
import { readStackPorts, StackConfigurationError } from '../../api/local/stack/port-settings.js';
import type { LiveMessage } from '../../api/live-message.js';
import { FREE_PORTS, ROOT, startTestStack, uniqueStream, waitUntil } from './support.js';

const quietLog = () => new LabelledLog({ write: (chunk) => process.stderr.write(chunk), color: false });

describe('port variables', () => {
  it('default to the well-known ports', () => {
    assert.deepEqual(readStackPorts({}), {
      functions: 7071, signalR: 8888, eventGrid: 7072, demo: 5173, widget: 5174, azuriteBlob: 10000, azuriteQueue: 10001, azuriteTable: 10002,
    });
  });

  it('take each variable, 0 included', () => {
    assert.equal(readStackPorts({ FUNCTIONS_PORT: '17071', DEMO_PORT: '0' }).functions, 17071);
    assert.equal(readStackPorts({ DEMO_PORT: '0', WIDGET_PORT: '0' }).demo, 0);
  });

  it('treat an empty or blank value as unset', () => {
    assert.equal(readStackPorts({ FUNCTIONS_PORT: '', SIGNALR_PORT: ' ' }).functions, 7071);
    assert.equal(readStackPorts({ SIGNALR_PORT: ' ' }).signalR, 8888);
  });

  it('refuse a value that is not a port, naming the variable', () => {
    for (const bad of ['abc', '-1', '65536', '80.5']) {
      assert.throws(() => readStackPorts({ SIGNALR_PORT: bad }), (error: Error) => error instanceof StackConfigurationError && error.message.includes('SIGNALR_PORT'));
    }
  });

  it('refuse two services on one port, naming both variables', () => {
    assert.throws(() => readStackPorts({ DEMO_PORT: '7071' }), /FUNCTIONS_PORT and DEMO_PORT are both 7071/);
  });
});

describe('CORS_ALLOWED_ORIGINS', () => {
  for (const [value, message] of [
    ['https://page.example, https://page.example/app', /^CORS_ALLOWED_ORIGINS: "https:\/\/page\.example\/app" is not an origin/],
    ['https://*.example.com', /^CORS_ALLOWED_ORIGINS: "https:\/\/\*\.example\.com" is not an origin/],
    [' , ,', /^CORS_ALLOWED_ORIGINS is set but lists no origin/],
  ] as const) {
    it(`refuses, before anything starts, ${JSON.stringify(value)}, naming the setting`, async () => {
      await assert.rejects(
        startLocalStack({ root: ROOT, ports: FREE_PORTS, feeds: [], settings: { CORS_ALLOWED_ORIGINS: value } }),
        (error: Error) => error instanceof StackConfigurationError && message.test(error.message),
      );
    });
  }

  it('lets the API and the SignalR stand-in allow the same origins, written in any form a browser would send', async () => {
    const stack = await startLocalStack({ root: ROOT, ports: FREE_PORTS, feeds: [], settings: { CORS_ALLOWED_ORIGINS: 'HTTPS://Page.Example:443, http://[0:0:0:0:0:0:0:1]:8080' } });
    after(() => stack.stop());
    const signalREndpoint = stack.services.find((service) => service.label === 'signalr')!.url;
    for (const origin of ['https://page.example', 'http://[::1]:8080']) {
      for (const url of [`${stack.hubUrl}/negotiate`, `${signalREndpoint}/client/negotiate?hub=realtimeplot`]) {
        const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
        assert.equal(preflight.headers.get('access-control-allow-origin'), origin, `${origin} at ${url}`);
      }
    }
  });
});

describe('Azure settings', () => {
  it('switch off only the stand-ins they replace', () => {
    const ports = readStackPorts({});
    assert.deepEqual(Object.keys(portsToOpen(ports, detectAzureServices({}))).sort(), Object.keys(ports).sort());
    const azure = detectAzureServices({
      AzureSignalRConnectionString: 'Endpoint=https://x.service.signalr.net;AccessKey=k;Version=1.0;',
      EVENTGRID_TOPIC_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net/api/events',
      EVENTGRID_TOPIC_KEY: 'key',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    });
    assert.deepEqual(Object.keys(portsToOpen(ports, azure)).sort(), ['demo', 'functions', 'widget']);
  });

  it('refuse a topic endpoint without its key', () => {
    assert.throws(() => detectAzureServices({ EVENTGRID_TOPIC_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net/api/events' }), /EVENTGRID_TOPIC_KEY is not set/);
  });

  it('run the stack against the given services instead of stand-ins', async () => {
    // Separately started services play the Azure ones.
    const signalR = await startSignalRService({ port: 0 });
    after(() => signalR.stop());
    const topic = await startEventGridTopic({ port: 0 });
    after(() => topic.stop());
    const storage = await startAzurite();
    after(() => storage.stop());
    const stack = await startLocalStack({
      root: ROOT,
      ports: FREE_PORTS,
      feeds: [],
      log: quietLog(),
      azure: { signalRConnectionString: signalR.connectionString, topic: { endpoint: topic.endpoint, key: topic.key }, storageConnectionString: storage.connectionString },
    });
    after(() => stack.stop());
    assert.equal(stack.signalR, undefined);
    assert.deepEqual(stack.topic, { endpoint: topic.endpoint, key: topic.key });
    assert.deepEqual(stack.services.map((service) => service.label), ['storage', 'signalr', 'functions', 'eventgrid', 'demo', 'widget']);
    assert.equal(stack.services.find((service) => service.label === 'signalr')!.url, signalR.endpoint);

    // The topic's own subscription reaches ingest, as an Azure topic's event subscription would.
    const webhook = `${new URL(stack.hubUrl).origin}/runtime/webhooks/eventgrid?functionName=ingest`;
    assert.ok(stack.services.some((service) => service.note.includes(webhook)), 'the banner names the webhook to subscribe');
    await topic.addSubscription({ name: 'ingest', endpointUrl: webhook });
    const negotiated = (await (await fetch(`${stack.hubUrl}/negotiate`, { method: 'POST' })).json()) as { url: string; accessToken: string };
    assert.ok(negotiated.url.startsWith(signalR.endpoint), negotiated.url);
    const connection = new HubConnectionBuilder().withUrl(negotiated.url, { accessTokenFactory: () => negotiated.accessToken }).configureLogging(LogLevel.None).build();
    const received: LiveMessage[] = [];
    connection.on('points', (message: LiveMessage) => void received.push(message));
    await connection.start();
    after(() => connection.stop());
    const subscribed = await fetch(`${stack.hubUrl}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${negotiated.accessToken}` },
      body: JSON.stringify({ stream: 'demo/run' }),
    });
    assert.equal(subscribed.status, 200);
    const burst = await stack.publisher.burst(3);
    assert.equal(burst.sent, 3);
    await waitUntil('3 messages through the given topic, storage and SignalR', async () => received.length, (count) => count === 3);
    assert.deepEqual(received.map((message) => message.seq).sort(), [1, 2, 3]);
  });
});

describe('the local stack', async () => {
  const stack = await startTestStack();

  it('allows the demo origins by CORS, and no other', async () => {
    const preflight = (origin: string) => fetch(`${stack.hubUrl}/negotiate`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-requested-with' },
    });
    for (const origin of [stack.site.origin, stack.site.origin.replace('127.0.0.1', 'localhost')]) {
      assert.equal((await preflight(origin)).headers.get('access-control-allow-origin'), origin);
    }
    assert.equal((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin'), null);
    assert.equal((await preflight(stack.site.widgetOrigin)).headers.get('access-control-allow-origin'), null, 'the script origin is not a page origin');
  });

  it('lets the same origins, and no other, call the SignalR stand-in', async () => {
    const signalREndpoint = stack.services.find((service) => service.label === 'signalr')!.url;
    const negotiate = (origin: string) => fetch(`${signalREndpoint}/client/negotiate?hub=realtimeplot&negotiateVersion=1`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal((await negotiate(stack.site.origin)).headers.get('access-control-allow-origin'), stack.site.origin);
    assert.equal((await negotiate('https://elsewhere.example')).headers.get('access-control-allow-origin'), null);
  });

  it('makes the demo streams readable anonymously, and only those', async () => {
    const historyStatus = async (stream: string) => (await fetch(`${stack.hubUrl}/streams/${encodeURIComponent(stream)}/history`)).status;
    assert.equal(await historyStatus(uniqueStream('public')), 200);
    assert.equal(await historyStatus('plant/boiler-7'), 401, 'other streams want a caller token');
  });
});

describe('the demo site', async () => {
  const stack = await startTestStack();
  const burst = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.site.origin}/demo-api/burst`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('serves the pages and their script, and nothing outside them', async () => {
    assert.equal((await fetch(stack.site.url)).status, 200);
    const script = await fetch(`${stack.site.origin}/index.ts`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.doesNotMatch(await script.text(), /import type|: HTMLButtonElement/, 'compiled, not TypeScript');
    for (const path of ['/publisher/publisher.ts', '/%70ublisher/publisher.ts', '/..%2Fpackage.json', '/../package.json', '/index.html%00.txt']) {
      assert.equal((await fetch(`${stack.site.origin}${path}`)).status, 404, path);
    }
  });

  it('serves the widget to any origin, from its own origin', async () => {
    const response = await fetch(stack.site.widgetScriptUrl, { headers: { origin: 'https://cms.example' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
  });

  it('publishes a burst for the demo pages only, with bounded input', async () => {
    assert.deepEqual(await (await burst('{"events": 2}', { origin: stack.site.origin })).json(), { sent: 2, failed: 0 });
    assert.equal((await burst('{"events": 2}', { origin: 'https://elsewhere.example' })).status, 403);
    assert.equal((await burst('events=2', { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    for (const body of ['{"events": 0}', '{"events": 1001}', '{"events": "many"}', '[1]', '{']) assert.equal((await burst(body)).status, 400, body);
    assert.equal((await burst(`{"events": 1, "padding": "${'x'.repeat(2000)}"}`)).status, 413);
  });
});
