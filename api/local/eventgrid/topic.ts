/**
 * A local stand-in for an Azure Event Grid custom topic: the publish endpoint (`/api/events`,
 * SAS key or token, Event Grid schema and CloudEvents 1.0), webhook subscriptions with the
 * validation handshake, at-least-once delivery with Event Grid's retry schedule (scaled down),
 * and dead-lettering. Everything is kept in memory (dead letters also on disk when asked);
 * a restarted topic starts empty.
 */
import http from 'node:http';
import { closeServer, listen } from '../http-server.js';
import { DeadLetterStore, type DeadLetteredEvent } from './dead-letter-store.js';
import { DeliveryQueue } from './delivery-queue.js';
import { LOCAL_TOPIC_KEY, LOCAL_TOPIC_NAME, LOCAL_TOPIC_PORT, PUBLISH_PATH, localTopicId } from './local-topic-defaults.js';
import { LOCAL_RETRY_POLICY, resolveRetryPolicy, type DeliveryRetryOptions } from './retry-policy.js';
import { resolveSubscription, type WebhookSubscriptionOptions } from './subscription.js';
import { createTopicRequestHandler } from './topic-endpoint.js';
import { ValidationHandshakes } from './validation-handshake.js';
import { WebhookClient } from './webhook-client.js';

export type { DeadLetteredEvent, DeadLetterReason } from './dead-letter-store.js';
export type { EventSchema } from './published-events.js';
export type { DeliveryRetryOptions } from './retry-policy.js';
export type { WebhookSubscriptionOptions } from './subscription.js';

export interface EventGridTopicOptions {
  /** Default 7072; 0 picks a free port (see `port` of the result). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The key publishers present (`aeg-sas-key`) and SAS tokens are signed with; default the well-known local key. */
  key?: string;
  /** Last segment of the topic id stamped as `topic`; default `realtime-plot-local`. */
  topicName?: string;
  /** Subscriptions added (handshake included) before the promise resolves. */
  subscriptions?: WebhookSubscriptionOptions[];
  /** Default retry policy of subscriptions: Azure's divided by 100 (see retry-policy.ts). */
  retry?: DeliveryRetryOptions;
  /** When set, each dead-lettered event is also written there as a JSON file. */
  deadLetterDirectory?: string;
  /** Backlog bounds; a publish that would pass them gets 503. Defaults 100,000 events and 256 MB. */
  maxPendingDeliveries?: number;
  maxPendingBytes?: number;
  /** Delivery requests under way at once per subscription; default 16. */
  maxConcurrentDeliveries?: number;
  /** Dead-lettered events kept in memory (the most recent); default 1000. */
  maxDeadLettersInMemory?: number;
  /** Receives one line per notable happening (subscription added, webhook failing or back, dead letter). */
  log?: (message: string) => void;
}

export interface LocalEventGridTopic {
  /** `http://127.0.0.1:<port>/api/events`, what a publisher is given. */
  endpoint: string;
  port: number;
  key: string;
  /** ARM-style id stamped as `topic` on Event Grid schema events. */
  topicId: string;
  /** Runs the validation handshake, then delivers to the webhook; rejects with the reason when the handshake fails. Same name: replaces the settings. */
  addSubscription(subscription: WebhookSubscriptionOptions): Promise<void>;
  /** Deletes a subscription and drops its undelivered events; false when there was none of that name. */
  removeSubscription(name: string): boolean;
  subscriptionNames(): string[];
  /** The most recent dead-lettered events, oldest first. */
  deadLetters(): DeadLetteredEvent[];
  /** Events (counted once per subscription) accepted and not yet delivered or dead-lettered. */
  pendingDeliveries(): number;
  /** Resolves when nothing is pending and dead-letter files are written. */
  whenIdle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEventGridTopic(options: EventGridTopicOptions = {}): Promise<LocalEventGridTopic> {
  const key = options.key ?? LOCAL_TOPIC_KEY;
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('key must be a non-empty string.');
  const topicName = options.topicName ?? LOCAL_TOPIC_NAME;
  if (!/^[A-Za-z0-9-]{3,50}$/.test(topicName)) throw new TypeError(`topicName '${topicName}' must be 3 to 50 letters, digits or hyphens.`);
  const topicId = localTopicId(topicName);
  const retry = resolveRetryPolicy(options.retry, LOCAL_RETRY_POLICY);
  const log = options.log ?? (() => {});
  const client = new WebhookClient();
  const deadLetterStore = new DeadLetterStore({
    topicName, directory: options.deadLetterDirectory, maxInMemory: positive(options.maxDeadLettersInMemory ?? 1000, 'maxDeadLettersInMemory'), log,
  });
  const queue = new DeliveryQueue({
    client,
    deadLetters: deadLetterStore,
    maxPendingDeliveries: positive(options.maxPendingDeliveries ?? 100_000, 'maxPendingDeliveries'),
    maxPendingBytes: positive(options.maxPendingBytes ?? 256 * 1024 * 1024, 'maxPendingBytes'),
    maxConcurrentDeliveries: positive(options.maxConcurrentDeliveries ?? 16, 'maxConcurrentDeliveries'),
    log,
  });
  let baseUrl = '';
  const handshakes = new ValidationHandshakes(client, topicId, () => baseUrl);
  const server = http.createServer(createTopicRequestHandler({
    key,
    topicId,
    topicName,
    offer: (events) => queue.offer(events),
    confirmValidationLink: (name, code) => handshakes.confirmLink(name, code),
    log,
  }));
  const { port, origin } = await listen(server, options.port ?? LOCAL_TOPIC_PORT, options.host ?? '127.0.0.1');
  baseUrl = origin;

  let stopping: Promise<void> | undefined;
  const topic: LocalEventGridTopic = {
    endpoint: `${baseUrl}${PUBLISH_PATH}`,
    port,
    key,
    topicId,
    async addSubscription(subscriptionOptions) {
      const subscription = resolveSubscription(subscriptionOptions, retry);
      await handshakes.validate(subscription);
      queue.setSubscription(subscription);
      log(`subscription '${subscription.name}' -> ${subscription.endpointUrl.href} validated and active`);
    },
    removeSubscription: (name) => queue.removeSubscription(name),
    subscriptionNames: () => queue.subscriptionNames(),
    deadLetters: () => deadLetterStore.list(),
    pendingDeliveries: () => queue.pending(),
    async whenIdle() {
      await queue.whenIdle();
      await deadLetterStore.flushed();
    },
    stop() {
      stopping ??= (async () => {
        queue.stop();
        client.close();
        await closeServer(server);
        await deadLetterStore.flushed();
      })();
      return stopping;
    },
  };
  try {
    for (const subscription of options.subscriptions ?? []) await topic.addSubscription(subscription);
  } catch (error) {
    await topic.stop();
    throw error;
  }
  return topic;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a whole number >= 1, got ${String(value)}.`);
  return value;
}
