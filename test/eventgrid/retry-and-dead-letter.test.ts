import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import type { EventGridTopicOptions, LocalEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { startTopicWithWebhook, stopTopicWithWebhook } from './topic-with-webhook.js';
import { acceptEverything, type WebhookBehaviour, type WebhookReceiver } from './webhook-receiver.js';

/** Short, Azure-shaped delays so a test sees many attempts. */
const fastRetry = { delaysInMs: [20, 50, 100], responseTimeoutInMs: 2000 };

async function setUp(t: TestContext, behaviour: WebhookBehaviour, options: EventGridTopicOptions = {}) {
  const log: string[] = [];
  const fixture = await startTopicWithWebhook({ retry: fastRetry, log: (line) => log.push(line), ...options });
  fixture.webhook.behaviour = (request) => (request.headers['aeg-event-type'] === 'Notification' ? behaviour(request) : acceptEverything(request));
  t.after(() => stopTopicWithWebhook(fixture));
  return { ...fixture, log };
}

async function publish(topic: LocalEventGridTopic, ids: string[]): Promise<void> {
  const client = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureKeyCredential(topic.key), { allowInsecureConnection: true });
  await client.send(ids.map((id) => ({ id, eventType: 'RealtimePlot.Points', subject: 'demo/retry', dataVersion: '1', data: { points: [{ y: 1 }] } })));
}

const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const deliveryCount = (request: { headers: Record<string, unknown> }): number => Number(request.headers['aeg-delivery-count']);
const idsIn = (webhook: WebhookReceiver): Set<unknown> => new Set(webhook.deliveredEvents().map((event) => event.id));

describe('at-least-once delivery with retries', () => {
  it('retries a webhook answering 500 until it answers 200, counting attempts in aeg-delivery-count', async (t) => {
    const { webhook, topic } = await setUp(t, (request) => (deliveryCount(request) < 2 ? { status: 500 } : { status: 200 }));
    const sent = ids('e500', 10);
    await publish(topic, sent);
    await topic.whenIdle();

    assert.deepEqual(idsIn(webhook), new Set(sent));
    const counts = webhook.notifications().map(deliveryCount).sort();
    assert.deepEqual([...new Set(counts)], [0, 1, 2]);
    assert.deepEqual(topic.deadLetters(), []);
  });

  it('loses no accepted event while the webhook is down (connection refused) and restarts on the same port', async (t) => {
    const { webhook, topic, log } = await setUp(t, () => ({ status: 200 }), { retry: { ...fastRetry, delaysInMs: [50, 100, 200, 300] } });
    await webhook.close();
    const sent = ids('down', 25);
    await publish(topic, sent);
    await webhook.waitFor('a refused delivery', () => log.some((line) => line.includes('ConnectionFailed')));
    assert.equal(topic.pendingDeliveries(), 25);

    await webhook.listen();
    await topic.whenIdle();
    assert.deepEqual(idsIn(webhook), new Set(sent));
    assert.deepEqual(topic.deadLetters(), []);
    assert.ok(log.some((line) => line.includes('accepts deliveries again')));
  });

  it('retries a webhook that does not answer within the response time-out', async (t) => {
    const { webhook, topic } = await setUp(t, (request) => (deliveryCount(request) === 0 ? 'hang' : { status: 202 }), {
      retry: { ...fastRetry, responseTimeoutInMs: 200 },
    });
    const sent = ids('slow', 5);
    await publish(topic, sent);
    await topic.whenIdle();
    assert.deepEqual(idsIn(webhook), new Set(sent));
    assert.ok(webhook.notifications().some((request) => deliveryCount(request) === 1));
  });
});

describe('dead-lettering', () => {
  it('does not retry a 400 answer: the event is dead-lettered at once and written to a JSON file', async (t) => {
    const directory = await mkdtemp(path.join(tmpdir(), 'eventgrid-dead-letters-'));
    t.after(() => rm(directory, { recursive: true, force: true }));
    const { webhook, topic } = await setUp(t, () => ({ status: 400, body: 'bad event' }), { deadLetterDirectory: directory });
    await publish(topic, ['rejected']);
    await topic.whenIdle();

    assert.equal(webhook.notifications().length, 1);
    const [record] = topic.deadLetters();
    assert.equal(record.deadLetterReason, 'NonRetriableHttpStatusCode');
    assert.equal(record.deliveryAttempts, 1);
    assert.equal(record.lastHttpStatusCode, 400);
    assert.equal(record.lastDeliveryOutcome, 'BadRequest');
    assert.equal(record.subscriptionName, 'ingest');
    assert.equal(record.event.id, 'rejected');

    assert.ok(record.file?.startsWith(path.join(directory, 'realtime-plot-local', 'ingest')));
    const blob = JSON.parse(await readFile(record.file ?? '', 'utf8'));
    assert.equal(blob.id, 'rejected');
    assert.equal(blob.topic, topic.topicId);
    assert.equal(blob.deadLetterReason, 'NonRetriableHttpStatusCode');
    assert.equal(blob.deliveryAttempts, 1);
    assert.equal(blob.lastDeliveryOutcome, 'BadRequest');
    assert.equal(typeof blob.publishTime, 'string');
    assert.equal(typeof blob.lastDeliveryAttemptTime, 'string');
  });

  for (const status of [401, 413]) {
    it(`does not retry a ${status} answer either`, async (t) => {
      const { webhook, topic } = await setUp(t, () => ({ status }));
      await publish(topic, [`no-retry-${status}`]);
      await topic.whenIdle();
      assert.equal(webhook.notifications().length, 1);
      assert.equal(topic.deadLetters()[0].deadLetterReason, 'NonRetriableHttpStatusCode');
    });
  }

  it('dead-letters after the maximum number of attempts', async (t) => {
    const { webhook, topic } = await setUp(t, () => ({ status: 503 }), { retry: { ...fastRetry, maxDeliveryAttempts: 3 } });
    await publish(topic, ['always-503']);
    await topic.whenIdle();

    assert.deepEqual(webhook.notifications().map(deliveryCount), [0, 1, 2]);
    const [record] = topic.deadLetters();
    assert.equal(record.deadLetterReason, 'MaxDeliveryAttemptsExceeded');
    assert.equal(record.deliveryAttempts, 3);
    assert.equal(record.lastDeliveryOutcome, 'ServiceUnavailable');
  });

  it('dead-letters an event that outlives its time-to-live', async (t) => {
    const { webhook, topic } = await setUp(t, () => ({ status: 500 }), { retry: { ...fastRetry, delaysInMs: [100], eventTimeToLiveInMs: 300 } });
    await publish(topic, ['too-old']);
    await topic.whenIdle();

    const [record] = topic.deadLetters();
    assert.equal(record.deadLetterReason, 'TimeToLiveExceeded');
    assert.ok(record.deliveryAttempts >= 1 && record.deliveryAttempts < 30);
    assert.equal(webhook.notifications().length, record.deliveryAttempts);
  });

  it('writes CloudEvents dead letters with lowercase metadata names, as Azure does', async (t) => {
    const directory = await mkdtemp(path.join(tmpdir(), 'eventgrid-dead-letters-'));
    t.after(() => rm(directory, { recursive: true, force: true }));
    const { topic } = await setUp(t, () => ({ status: 400 }), { deadLetterDirectory: directory });
    const client = new EventGridPublisherClient(topic.endpoint, 'CloudEvent', new AzureKeyCredential(topic.key), { allowInsecureConnection: true });
    await client.send([{ id: 'ce-dead', type: 't', source: '/p', subject: 'demo/x', data: {} }]);
    await topic.whenIdle();
    const blob = JSON.parse(await readFile(topic.deadLetters()[0].file ?? '', 'utf8'));
    assert.equal(blob.specversion, '1.0');
    assert.equal(blob.deadletterreason, 'NonRetriableHttpStatusCode');
    assert.equal(blob.deliveryattempts, 1);
  });
});

describe('removing a subscription', () => {
  it('drops its undelivered events, so the topic becomes idle', async (t) => {
    const { topic } = await setUp(t, () => ({ status: 500 }), { retry: { ...fastRetry, delaysInMs: [60_000] } });
    await publish(topic, ids('dropped', 3));
    assert.equal(topic.pendingDeliveries(), 3);
    assert.equal(topic.removeSubscription('ingest'), true);
    assert.equal(topic.removeSubscription('ingest'), false);
    await topic.whenIdle();
    assert.equal(topic.pendingDeliveries(), 0);
    assert.deepEqual(topic.subscriptionNames(), []);
  });
});
