import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AzureKeyCredential, AzureSASCredential, EventGridDeserializer, EventGridPublisherClient, generateSharedAccessSignature,
} from '@azure/eventgrid';
import { LOCAL_TOPIC_KEY } from '../../api/local/eventgrid/local-topic-defaults.js';
import { startEventGridTopic, type LocalEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { WebhookReceiver } from './webhook-receiver.js';

const insecure = { allowInsecureConnection: true };
const deserializer = new EventGridDeserializer();

describe('publishing with the stock @azure/eventgrid client and delivery to a webhook', () => {
  let topic: LocalEventGridTopic;
  let eventGridWebhook: WebhookReceiver;
  let cloudEventsWebhook: WebhookReceiver;

  before(async () => {
    eventGridWebhook = await WebhookReceiver.start();
    cloudEventsWebhook = await WebhookReceiver.start();
    topic = await startEventGridTopic({
      port: 0,
      subscriptions: [
        { name: 'ingest', endpointUrl: eventGridWebhook.url, eventDeliverySchema: 'EventGridSchema' },
        { name: 'ingest-cloudevents', endpointUrl: cloudEventsWebhook.url, eventDeliverySchema: 'CloudEventSchemaV1_0' },
      ],
    });
  });
  after(async () => {
    await topic.stop();
    await eventGridWebhook.close();
    await cloudEventsWebhook.close();
  });

  it('listens on 127.0.0.1, uses the well-known key by default and has an ARM-style topic id', () => {
    assert.equal(topic.endpoint, `http://127.0.0.1:${topic.port}/api/events`);
    assert.equal(topic.key, LOCAL_TOPIC_KEY);
    assert.match(topic.topicId, /^\/subscriptions\/[0-9a-f-]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.EventGrid\/topics\/realtime-plot-local$/);
  });

  it('ran the Event Grid handshake for an Event Grid schema subscription and the OPTIONS check for a CloudEvents one', () => {
    const validation = eventGridWebhook.requests.find((request) => request.headers['aeg-event-type'] === 'SubscriptionValidation');
    assert.ok(validation, 'a SubscriptionValidation request');
    const [event] = JSON.parse(validation.body) as Record<string, any>[];
    assert.equal(event.eventType, 'Microsoft.EventGrid.SubscriptionValidationEvent');
    assert.equal(event.topic, topic.topicId);
    assert.equal(event.subject, '');
    assert.equal(event.metadataVersion, '1');
    assert.equal(typeof event.data.validationCode, 'string');
    assert.match(event.data.validationUrl, /\/eventsubscriptions\/ingest\/validate\?id=/);
    assert.equal(validation.headers['aeg-subscription-name'], 'ingest');

    const options = cloudEventsWebhook.requests.find((request) => request.method === 'OPTIONS');
    assert.ok(options, 'an OPTIONS request');
    assert.equal(options.headers['webhook-request-origin'], 'eventgrid.azure.net');
  });

  it('delivers Event Grid schema events one per request with Azure headers and stamped fields (AzureKeyCredential)', async () => {
    const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureKeyCredential(topic.key), insecure);
    await client.send([
      { id: 'eg-1', eventType: 'RealtimePlot.Points', subject: 'demo/a', dataVersion: '1.0', data: { points: [{ x: 1, y: 42 }, { x: 1, y: 17 }] } },
      { id: 'eg-2', eventType: 'RealtimePlot.Points', subject: 'demo/b', dataVersion: '1.0', data: { points: [{ series: 'inside', y: 21.5 }] } },
    ]);
    await topic.whenIdle();

    const deliveries = eventGridWebhook.notifications().filter((request) => request.body.includes('"eg-'));
    assert.equal(deliveries.length, 2);
    for (const delivery of deliveries) {
      assert.equal(delivery.method, 'POST');
      assert.equal(delivery.url, '/webhook?functionName=ingest');
      assert.equal(delivery.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(delivery.headers['aeg-event-type'], 'Notification');
      assert.equal(delivery.headers['aeg-subscription-name'], 'ingest');
      assert.equal(delivery.headers['aeg-delivery-count'], '0');
      assert.equal(delivery.headers['aeg-data-version'], '1.0');
      assert.equal(delivery.headers['aeg-metadata-version'], '1');
      const events = await deserializer.deserializeEventGridEvents(delivery.body);
      assert.equal(events.length, 1);
      assert.equal(events[0].topic, topic.topicId);
      assert.equal((JSON.parse(delivery.body) as Record<string, unknown>[])[0].metadataVersion, '1');
    }
    const byId = Object.fromEntries(eventGridWebhook.deliveredEvents().map((event) => [event.id, event]));
    assert.deepEqual(byId['eg-1'].data, { points: [{ x: 1, y: 42 }, { x: 1, y: 17 }] });
    assert.equal(byId['eg-2'].subject, 'demo/b');
    assert.equal(typeof byId['eg-2'].eventTime, 'string');
  });

  it('delivers Event Grid schema events converted to CloudEvents to a CloudEvents subscription', async () => {
    await topic.whenIdle();
    const converted = cloudEventsWebhook.deliveredEvents().find((event) => event.id === 'eg-1');
    assert.ok(converted);
    assert.deepEqual(
      { specversion: converted.specversion, source: converted.source, type: converted.type, subject: converted.subject, dataschema: converted.dataschema },
      { specversion: '1.0', source: topic.topicId, type: 'RealtimePlot.Points', subject: 'demo/a', dataschema: '#1.0' },
    );
    const delivery = cloudEventsWebhook.notifications().find((request) => request.body.includes('"eg-1"'));
    assert.equal(delivery?.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    assert.equal((await deserializer.deserializeCloudEvents(delivery.body)).length, 1);
  });

  it('accepts CloudEvents signed with a SAS token (AzureSASCredential) and delivers each as one application/cloudevents+json object', async () => {
    const sas = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(topic.key), new Date(Date.now() + 10 * 60_000));
    const client = new EventGridPublisherClient(topic.endpoint, 'CloudEvent', new AzureSASCredential(sas), insecure);
    await client.send([
      { id: 'ce-1', type: 'RealtimePlot.Points', source: '/publisher', subject: 'demo/c', data: { points: [{ y: 1 }] }, extensionAttributes: { traceparentx: 'a' } },
      { id: 'ce-2', type: 'RealtimePlot.Points', source: '/publisher', subject: 'demo/c', data: { points: [{ y: 2 }] } },
    ]);
    await topic.whenIdle();

    const deliveries = cloudEventsWebhook.notifications().filter((request) => request.body.includes('"ce-'));
    assert.equal(deliveries.length, 2);
    for (const delivery of deliveries) {
      assert.equal(delivery.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      assert.equal(delivery.headers['aeg-event-type'], 'Notification');
      assert.equal(delivery.headers['aeg-subscription-name'], 'ingest-cloudevents');
      const body = JSON.parse(delivery.body) as Record<string, unknown>;
      assert.equal(Array.isArray(body), false);
      const [event] = await deserializer.deserializeCloudEvents(delivery.body);
      assert.equal(event.subject, 'demo/c');
      assert.equal(event.source, '/publisher');
    }
    const first = cloudEventsWebhook.deliveredEvents().find((event) => event.id === 'ce-1');
    assert.equal(first?.traceparentx, 'a');
  });

  it('dead-letters CloudEvents for a subscription that wants the Event Grid schema, as Azure cannot convert them', async () => {
    await topic.whenIdle();
    const deadLetters = topic.deadLetters().filter((record) => record.subscriptionName === 'ingest');
    assert.deepEqual(deadLetters.map((record) => [record.event.id, record.deadLetterReason]).sort(), [
      ['ce-1', 'UnsupportedSchemaConversion'],
      ['ce-2', 'UnsupportedSchemaConversion'],
    ]);
    assert.equal(eventGridWebhook.deliveredEvents().some((event) => String(event.id).startsWith('ce-')), false);
  });

  it('accepts one CloudEvent as application/cloudevents+json', async () => {
    const response = await fetch(`${topic.endpoint}?api-version=2018-01-01`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8', 'aeg-sas-key': topic.key },
      body: JSON.stringify({ specversion: '1.0', id: 'ce-single', type: 't', source: '/s', subject: 'demo/d', data: { points: [] } }),
    });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    await topic.whenIdle();
    assert.ok(cloudEventsWebhook.deliveredEvents().some((event) => event.id === 'ce-single'));
  });

  it('accepts an event without data, as Azure does, and delivers it without data', async () => {
    const response = await fetch(`${topic.endpoint}?api-version=2018-01-01`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-sas-key': topic.key },
      body: JSON.stringify([{ id: 'eg-no-data', eventType: 't', subject: 'demo/e', eventTime: '2024-05-01T12:00:00Z' }]),
    });
    assert.equal(response.status, 200);
    await topic.whenIdle();
    const delivery = eventGridWebhook.notifications().find((request) => request.body.includes('eg-no-data'));
    assert.ok(delivery, 'delivered');
    const [event] = JSON.parse(delivery.body) as Record<string, unknown>[];
    assert.equal('data' in event, false);
    assert.equal(event.subject, 'demo/e');
  });

  it('stamps dataVersion "" when a publisher leaves it out', async () => {
    const response = await fetch(`${topic.endpoint}?api-version=2018-01-01`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-sas-key': topic.key },
      body: JSON.stringify([{ id: 'eg-no-version', eventType: 't', subject: 'demo/e', eventTime: '2024-05-01T12:00:00.1234567Z', data: {} }]),
    });
    assert.equal(response.status, 200);
    await topic.whenIdle();
    const delivery = eventGridWebhook.notifications().find((request) => request.body.includes('eg-no-version'));
    assert.equal(delivery?.headers['aeg-data-version'], '');
    const [event] = await deserializer.deserializeEventGridEvents(delivery.body);
    assert.equal(event.dataVersion, '');
    assert.equal(event.topic, topic.topicId);
  });
});

describe('subscription filters and batching', () => {
  it('delivers only events whose subject and type match, and batches when a subscription asks for it', async (t) => {
    const filtered = await WebhookReceiver.start();
    const batched = await WebhookReceiver.start();
    const topic = await startEventGridTopic({
      port: 0,
      subscriptions: [
        { name: 'only-demo', endpointUrl: filtered.url, subjectBeginsWith: 'DEMO/', includedEventTypes: ['RealtimePlot.Points'] },
        { name: 'batched', endpointUrl: batched.url, maxEventsPerBatch: 10 },
      ],
    });
    t.after(async () => {
      await topic.stop();
      await filtered.close();
      await batched.close();
    });
    const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureKeyCredential(topic.key), insecure);
    await client.send(['demo/1', 'other/2', 'demo/3'].map((subject) => ({ eventType: 'RealtimePlot.Points', subject, dataVersion: '1', data: {} })));
    await client.send([{ eventType: 'Other.Type', subject: 'demo/4', dataVersion: '1', data: {} }]);
    await topic.whenIdle();

    assert.deepEqual(filtered.deliveredEvents().map((event) => event.subject).sort(), ['demo/1', 'demo/3']);
    assert.equal(batched.deliveredEvents().length, 4);
    assert.ok(batched.notifications().length < 4, 'several events per request');
  });
});
