import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  AzureKeyCredential, AzureSASCredential, EventGridPublisherClient, generateSharedAccessSignature,
} from '@azure/eventgrid';
import { startEventGridTopic, type LocalEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { startTopicWithWebhook, stopTopicWithWebhook } from './topic-with-webhook.js';
import { WebhookReceiver } from './webhook-receiver.js';

const insecure = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };
const validEvent = { id: 'ok-1', eventType: 'RealtimePlot.Points', subject: 'demo/a', eventTime: '2024-05-01T12:00:00Z', data: {}, dataVersion: '1' };
const validCloudEvent = { specversion: '1.0', id: 'ok-ce', type: 'RealtimePlot.Points', source: '/p', subject: 'demo/a', data: {} };

interface ErrorCase {
  name: string;
  status: number;
  /** Substring of `error.message`. */
  says: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  detailCode?: string;
}

describe('bad publish requests get Azure status codes and {"error": {code, message, details}}', () => {
  let topic: LocalEventGridTopic;
  let webhook: WebhookReceiver;
  before(async () => ({ topic, webhook } = await startTopicWithWebhook()));
  after(() => stopTopicWithWebhook({ topic, webhook }));

  const json = (value: unknown): string => JSON.stringify(value);
  const eg = { 'content-type': 'application/json' };
  const ceBatch = { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' };
  const ceSingle = { 'content-type': 'application/cloudevents+json' };
  const cases: ErrorCase[] = [
    { name: 'wrong path', path: '/api/event?api-version=2018-01-01', status: 404, says: 'No endpoint at /api/event' },
    { name: 'GET on the endpoint', method: 'GET', status: 405, says: 'publish with POST' },
    { name: 'no api-version', path: '/api/events', status: 400, says: 'api-version query parameter is required', detailCode: 'MissingApiVersionParameter' },
    { name: 'unknown api-version', path: '/api/events?api-version=2099-01-01', status: 400, says: "api-version '2099-01-01' is not supported" },
    { name: 'no key', headers: { 'aeg-sas-key': '' }, status: 401, says: 'does not hold a key of this topic' },
    { name: 'no credential header at all', headers: { 'aeg-sas-key': '!omit' }, status: 401, says: 'neither an aeg-sas-key nor an aeg-sas-token' },
    { name: 'malformed SAS token', headers: { 'aeg-sas-key': '!omit', 'aeg-sas-token': 'not-a-token' }, status: 401, says: 'SAS token is malformed' },
    { name: 'no content type', headers: { 'content-type': '!omit' }, status: 415, says: 'is not supported' },
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, status: 415, says: "Content-Type 'text/plain' is not supported" },
    { name: 'malformed JSON', body: '[{"id": ', status: 400, says: 'not valid JSON', detailCode: 'InputJsonInvalid' },
    { name: 'an object where an array belongs', body: json(validEvent), status: 400, says: 'expects a JSON array of events, but the body is object' },
    { name: 'an empty array', body: '[]', status: 400, says: 'holds no events' },
    { name: 'an item that is not an object', body: json([validEvent, 42]), status: 400, says: 'The event at index 1 must be a JSON object but is number' },
    { name: 'missing eventType', body: json([validEvent, { ...validEvent, eventType: undefined }]), status: 400, says: "Required property 'eventType' is missing in the event at index 1" },
    { name: 'missing eventTime', body: json([{ ...validEvent, eventTime: undefined }]), status: 400, says: "Required property 'eventTime' is missing in the event at index 0" },
    { name: 'id of the wrong type', body: json([{ ...validEvent, id: 7 }]), status: 400, says: "Property 'id' of the event at index 0 must be a string but is number" },
    { name: 'empty subject', body: json([{ ...validEvent, subject: '' }]), status: 400, says: "Property 'subject' of the event at index 0 must not be empty" },
    { name: 'eventTime not a date-time', body: json([{ ...validEvent, eventTime: 'yesterday' }]), status: 400, says: "Property 'eventTime' of the event at index 0 must be an ISO-8601 date-time" },
    { name: 'metadataVersion other than 1', body: json([{ ...validEvent, metadataVersion: '2' }]), status: 400, says: "'metadataVersion' of the event at index 0 must be \"1\"" },
    { name: 'topic of another topic', body: json([{ ...validEvent, topic: '/subscriptions/x/other' }]), status: 400, says: "must be left out or be this topic's id" },
    { name: 'a property the Event Grid schema does not have', body: json([{ ...validEvent, sas_url: 'x' }]), status: 400, says: "unexpected property 'sas_url'" },
    { name: 'CloudEvents batch that is an object', headers: ceBatch, body: json(validCloudEvent), status: 400, says: 'expects a JSON array of events' },
    { name: 'single CloudEvent that is an array', headers: ceSingle, body: json([validCloudEvent]), status: 400, says: 'send arrays as application/cloudevents-batch+json' },
    { name: 'CloudEvents spec 0.3', headers: ceBatch, body: json([{ ...validCloudEvent, specversion: '0.3' }]), status: 400, says: "'specversion' of the event at index 0 must be \"1.0\"" },
    { name: 'CloudEvent without source', headers: ceSingle, body: json({ ...validCloudEvent, source: undefined }), status: 400, says: "Required property 'source' is missing in the event." },
    { name: 'CloudEvent with data and data_base64', headers: ceBatch, body: json([{ ...validCloudEvent, data_base64: 'AA==' }]), status: 400, says: "has both 'data' and 'data_base64'" },
    { name: 'CloudEvent extension with a bad name', headers: ceBatch, body: json([{ ...validCloudEvent, 'Bad-Name': 1 }]), status: 400, says: "Extension attribute 'Bad-Name'" },
    { name: 'CloudEvent time not a date-time', headers: ceBatch, body: json([{ ...validCloudEvent, time: 5 }]), status: 400, says: "'time' of the event at index 0 must be a string but is number" },
  ];

  for (const errorCase of cases) {
    it(`${errorCase.name} -> ${errorCase.status}`, async () => {
      const headers: Record<string, string> = { ...eg, 'aeg-sas-key': topic.key, ...errorCase.headers };
      for (const [name, value] of Object.entries(headers)) if (value === '!omit') delete headers[name];
      const method = errorCase.method ?? 'POST';
      const response = await rawRequest(topic.port, method, errorCase.path ?? '/api/events?api-version=2018-01-01', headers,
        method === 'GET' ? undefined : errorCase.body ?? json([validEvent]));
      assert.equal(response.status, errorCase.status, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const { error } = JSON.parse(response.body) as { error: { code: string; message: string; details: { code: string; message: string }[] } };
      assert.ok(error.message.includes(errorCase.says), `message "${error.message}" should say "${errorCase.says}"`);
      assert.equal(typeof error.code, 'string');
      assert.ok(Array.isArray(error.details) && error.details.length > 0);
      if (errorCase.detailCode) assert.equal(error.details[0].code, errorCase.detailCode);
      if (errorCase.status === 405) assert.equal(response.headers.allow, 'POST');
    });
  }

  it('refuses a wrong key through the stock client with a RestError carrying the topic\'s message', async () => {
    const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureKeyCredential(Buffer.from('wrong').toString('base64')), insecure);
    await assert.rejects(client.send([{ eventType: 't', subject: 's', dataVersion: '1', data: {} }]), (error: any) => {
      assert.equal(error.statusCode, 401);
      assert.equal(error.code, 'Unauthorized');
      assert.match(error.message, /not authorized for topic 'realtime-plot-local'/);
      return true;
    });
  });

  it('refuses an expired SAS token with 401', async () => {
    const sas = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(topic.key), new Date(Date.now() - 1000));
    const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureSASCredential(sas), insecure);
    await assert.rejects(client.send([{ eventType: 't', subject: 's', dataVersion: '1', data: {} }]), (error: any) => {
      assert.equal(error.statusCode, 401);
      assert.match(error.message, /SAS token expired at/);
      return true;
    });
  });

  it('refuses a SAS token signed with another key, or issued for another endpoint', async () => {
    const expiresOn = new Date(Date.now() + 60_000);
    const otherKey = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(Buffer.from('other').toString('base64')), expiresOn);
    const otherTopic = await generateSharedAccessSignature('https://other.westus-1.eventgrid.azure.net/api/events', new AzureKeyCredential(topic.key), expiresOn);
    for (const [sas, says] of [[otherKey, /signature was not made with a key of this topic/], [otherTopic, /is not this topic's endpoint/]] as const) {
      const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureSASCredential(sas), insecure);
      await assert.rejects(client.send([{ eventType: 't', subject: 's', dataVersion: '1', data: {} }]), (error: any) => {
        assert.equal(error.statusCode, 401);
        assert.match(error.message, says);
        return true;
      });
    }
  });

  it('accepts the SAS token as Authorization: SharedAccessSignature too', async () => {
    const sas = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(topic.key), new Date(Date.now() + 60_000));
    const response = await rawRequest(topic.port, 'POST', '/api/events?api-version=2018-01-01',
      { ...eg, authorization: `SharedAccessSignature ${sas}` }, json([{ ...validEvent, id: 'authz-header' }]));
    assert.equal(response.status, 200);
  });

  it('refuses more than 1 MB with 413, with or without Content-Length', async () => {
    const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureKeyCredential(topic.key), insecure);
    await assert.rejects(
      client.send([{ eventType: 't', subject: 's', dataVersion: '1', data: { text: 'x'.repeat(1024 * 1024) } }]),
      (error: any) => error.statusCode === 413 && /larger than 1048576 bytes/.test(error.message),
    );
    const chunked = await rawRequest(topic.port, 'POST', '/api/events?api-version=2018-01-01',
      { ...eg, 'aeg-sas-key': topic.key, 'transfer-encoding': 'chunked' }, json([{ ...validEvent, data: { text: 'y'.repeat(1024 * 1024) } }]));
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).error.code, 'RequestEntityTooLarge');
  });

  it('delivers nothing of a refused request, and still accepts and delivers good ones afterwards', async () => {
    await topic.whenIdle();
    const before = webhook.deliveredEvents().length;
    const refused = await rawRequest(topic.port, 'POST', '/api/events?api-version=2018-01-01', { ...eg, 'aeg-sas-key': topic.key },
      json([{ ...validEvent, id: 'good-in-bad-batch' }, { ...validEvent, id: 5 }]));
    assert.equal(refused.status, 400);
    const accepted = await rawRequest(topic.port, 'POST', '/api/events?api-version=2018-01-01', { ...eg, 'aeg-sas-key': topic.key },
      json([{ ...validEvent, id: 'after-bad-input' }]));
    assert.equal(accepted.status, 200);
    await topic.whenIdle();
    const ids = webhook.deliveredEvents().slice(before).map((event) => event.id);
    assert.ok(ids.includes('after-bad-input'));
    assert.ok(!ids.includes('good-in-bad-batch'));
  });
});

describe('a full delivery backlog', () => {
  it('refuses publishes with 503, Retry-After and a clear message, and accepts again once it drains', async (t) => {
    const webhook = await WebhookReceiver.start();
    const topic = await startEventGridTopic({
      port: 0, maxPendingDeliveries: 2, retry: { responseTimeoutInMs: 300, delaysInMs: [50] }, subscriptions: [{ name: 'slow', endpointUrl: webhook.url }],
    });
    t.after(async () => {
      await topic.stop();
      await webhook.close();
    });
    const accept = webhook.behaviour;
    webhook.behaviour = () => 'hang';
    const send = (id: string) => rawRequest(topic.port, 'POST', '/api/events?api-version=2018-01-01',
      { 'content-type': 'application/json', 'aeg-sas-key': topic.key }, JSON.stringify([{ ...validEvent, id }]));
    assert.equal((await send('b-1')).status, 200);
    assert.equal((await send('b-2')).status, 200);
    const full = await send('b-3');
    assert.equal(full.status, 503);
    assert.equal(full.headers['retry-after'], '1');
    assert.match(JSON.parse(full.body).error.message, /delivery backlog is full/);

    webhook.behaviour = accept;
    await topic.whenIdle();
    assert.equal((await send('b-4')).status, 200);
    await topic.whenIdle();
    assert.deepEqual(new Set(webhook.deliveredEvents().map((event) => event.id)), new Set(['b-1', 'b-2', 'b-4']));
  });
});

/** A request with exactly these headers (fetch would add or refuse some). */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}
