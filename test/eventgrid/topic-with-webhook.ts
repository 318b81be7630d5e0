/** A local topic on a free port with one subscription, `ingest`, to a fresh test webhook. */
import { startEventGridTopic, type EventGridTopicOptions, type LocalEventGridTopic, type WebhookSubscriptionOptions } from '../../api/local/eventgrid/topic.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface TopicWithWebhook {
  topic: LocalEventGridTopic;
  webhook: WebhookReceiver;
}

export async function startTopicWithWebhook(
  options: EventGridTopicOptions = {},
  subscription: Partial<WebhookSubscriptionOptions> = {},
): Promise<TopicWithWebhook> {
  const webhook = await WebhookReceiver.start();
  const topic = await startEventGridTopic({ port: 0, ...options, subscriptions: [{ name: 'ingest', endpointUrl: webhook.url, ...subscription }] });
  return { topic, webhook };
}

export async function stopTopicWithWebhook({ topic, webhook }: TopicWithWebhook): Promise<void> {
  await topic.stop();
  await webhook.close();
}
