import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEventGridTopic, type LocalEventGridTopic } from '../../api/local/eventgrid/topic.js';
import { acceptEverything, WebhookReceiver, type WebhookBehaviour } from './webhook-receiver.js';

describe('the subscription validation handshake', () => {
  let topic: LocalEventGridTopic;
  const webhooks: WebhookReceiver[] = [];
  before(async () => {
    topic = await startEventGridTopic({ port: 0, retry: { responseTimeoutInMs: 1000 } });
  });
  after(async () => {
    await topic.stop();
    await Promise.all(webhooks.map((webhook) => webhook.close()));
  });
  const webhookThat = async (behaviour: WebhookBehaviour): Promise<WebhookReceiver> => {
    const webhook = await WebhookReceiver.start({ behaviour });
    webhooks.push(webhook);
    return webhook;
  };
  const validationCodeOf = (body: string): { validationCode: string; validationUrl: string } => (JSON.parse(body) as { data: { validationCode: string; validationUrl: string } }[])[0].data;

  it('activates a subscription whose webhook echoes the validation code', async () => {
    const webhook = await webhookThat(acceptEverything);
    await topic.addSubscription({ name: 'echoes', endpointUrl: webhook.url });
    assert.ok(topic.subscriptionNames().includes('echoes'));
    assert.equal(webhook.requests[0].headers['aeg-event-type'], 'SubscriptionValidation');
  });

  const refusals: [string, WebhookBehaviour, RegExp][] = [
    ['a wrong validation code', () => ({ status: 200, body: JSON.stringify({ validationResponse: 'guess' }) }), /validationResponse 'guess' is not the validationCode sent/],
    ['a 404', () => ({ status: 404, body: 'no such function' }), /answered status 404: no such function/],
    ['the right code with 202', (request) => ({ status: 202, body: JSON.stringify({ validationResponse: validationCodeOf(request.body).validationCode }) }), /Event Grid needs 200/],
    ['a 200 without the code and no GET on validationUrl', () => ({ status: 200, body: '{}' }), /did not GET the validationUrl within 1000 ms/],
  ];
  for (const [what, behaviour, reason] of refusals) {
    it(`rejects addSubscription with the reason when the webhook answers ${what}`, async () => {
      const webhook = await webhookThat(behaviour);
      await assert.rejects(topic.addSubscription({ name: 'refused', endpointUrl: webhook.url }), (error: Error) => {
        assert.match(error.message, /^Webhook validation handshake failed for subscription 'refused'/);
        assert.match(error.message, reason);
        return true;
      });
      assert.ok(!topic.subscriptionNames().includes('refused'));
    });
  }

  it('rejects when the webhook cannot be reached', async () => {
    const webhook = await webhookThat(acceptEverything);
    await webhook.close();
    await assert.rejects(topic.addSubscription({ name: 'unreachable', endpointUrl: webhook.url }), /ConnectionFailed \(ECONNREFUSED/);
  });

  it('accepts manual validation: a 202, then a GET on validationUrl', async () => {
    const links: string[] = [];
    const webhook = await webhookThat((request) => {
      links.push(validationCodeOf(request.body).validationUrl);
      return { status: 202 };
    });
    const adding = topic.addSubscription({ name: 'manual', endpointUrl: webhook.url });
    await webhook.waitFor('the validation event', () => links.length === 1);
    const confirmation = await fetch(links[0]);
    assert.equal(confirmation.status, 200);
    assert.match(await confirmation.text(), /successfully validated/);
    await adding;
    assert.ok(topic.subscriptionNames().includes('manual'));
    assert.equal((await fetch(links[0])).status, 404, 'a link works once, while its handshake is under way');
  });

  it('runs the CloudEvents OPTIONS check for CloudEvents delivery and accepts "*"', async () => {
    const allowAll: Record<string, string> = { 'webhook-allowed-origin': '*' };
    const webhook = await webhookThat((request) => ({ status: 200, headers: request.method === 'OPTIONS' ? allowAll : {} }));
    await topic.addSubscription({ name: 'cloudevents-star', endpointUrl: webhook.url, eventDeliverySchema: 'CloudEventSchemaV1_0' });
    assert.equal(webhook.requests[0].method, 'OPTIONS');
  });

  it('rejects a CloudEvents webhook that does not allow the origin', async () => {
    const webhook = await webhookThat(() => ({ status: 200 }));
    await assert.rejects(
      topic.addSubscription({ name: 'cloudevents-no', endpointUrl: webhook.url, eventDeliverySchema: 'CloudEventSchemaV1_0' }),
      /no 'WebHook-Allowed-Origin: eventgrid.azure.net' \(or '\*'\) header/,
    );
  });

  it('refuses bad subscription options with a TypeError naming the option', async () => {
    await assert.rejects(topic.addSubscription({ name: 'x', endpointUrl: 'http://127.0.0.1:1/' }), /Subscription name 'x' must be 3 to 64/);
    await assert.rejects(topic.addSubscription({ name: 'bad-url', endpointUrl: 'not a url' }), /endpointUrl 'not a url' is not a URL/);
    await assert.rejects(topic.addSubscription({ name: 'ftp-url', endpointUrl: 'ftp://host/' }), /must be http:\/\/ or https:\/\//);
    await assert.rejects(topic.addSubscription({ name: 'big-batch', endpointUrl: 'http://127.0.0.1:1/', maxEventsPerBatch: 6000 }), /maxEventsPerBatch must be a whole number from 1 to 5000/);
    await assert.rejects(topic.addSubscription({ name: 'bad-retry', endpointUrl: 'http://127.0.0.1:1/', retry: { maxDeliveryAttempts: 0 } }), /retry.maxDeliveryAttempts must be a whole number >= 1/);
  });
});

describe('starting a topic with a subscription whose handshake fails', () => {
  it('rejects and frees the port', async () => {
    const webhook = await WebhookReceiver.start({ behaviour: () => ({ status: 500 }) });
    const port = await freePort();
    try {
      await assert.rejects(startEventGridTopic({ port, subscriptions: [{ name: 'broken', endpointUrl: webhook.url }] }), /status 500/);
      const again = await startEventGridTopic({ port });
      await again.stop();
    } finally {
      await webhook.close();
    }
  });
});

function freePort(): Promise<number> {
  const server = net.createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo;
    server.close(() => resolve(port));
  }));
}
