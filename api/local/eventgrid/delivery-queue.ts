/**
 * At-least-once delivery of accepted events to webhook subscriptions, as Event Grid does it:
 * every matching subscription gets every event; a delivery that fails is retried on the
 * subscription's schedule until it succeeds (200-204), the webhook answers 400/401/413, the
 * attempts run out or the event outlives its time-to-live; then it is dead-lettered. Nothing
 * accepted is dropped while the webhook is down or restarting. Delivery is unordered, with a
 * bounded number of requests under way per subscription, and the backlog is bounded: `offer`
 * refuses events that would take it past `maxPendingDeliveries` or `maxPendingBytes`.
 */
import type { DeadLetterReason, DeadLetterStore } from './dead-letter-store.js';
import { notificationRequest } from './delivery-request.js';
import { FifoQueue } from './fifo-queue.js';
import type { AcceptedEvent, EventSchema } from './published-events.js';
import { outcomeForStatus, retryDelayInMs, verdictForStatus } from './retry-policy.js';
import { eventJsonInSchema } from './schema-conversion.js';
import type { Subscription } from './subscription.js';
import type { WebhookClient, WebhookResult } from './webhook-client.js';

export interface DeliveryQueueOptions {
  client: WebhookClient;
  deadLetters: DeadLetterStore;
  /** Events (counted once per subscription) accepted but not yet delivered or dead-lettered. */
  maxPendingDeliveries: number;
  /** Their JSON size in bytes. */
  maxPendingBytes: number;
  /** Delivery requests under way at once, per subscription. */
  maxConcurrentDeliveries: number;
  log: (message: string) => void;
}

interface Delivery {
  event: AcceptedEvent;
  schema: EventSchema;
  /** The event's JSON in `schema`. */
  json: string;
  bytes: number;
  attempts: number;
  lastOutcome: string;
  lastStatus: number | undefined;
  lastAttemptTime: Date | undefined;
}

interface Channel {
  subscription: Subscription;
  /** Deliveries whose retry delay has passed; served before fresh ones. */
  retries: FifoQueue<Delivery>;
  fresh: FifoQueue<Delivery>;
  inFlight: number;
  waiting: Map<NodeJS.Timeout, Delivery[]>;
  removed: boolean;
  /** Whether the last attempt failed, so a run of failures is logged once. */
  failing: boolean;
}

export class DeliveryQueue {
  readonly #channels = new Map<string, Channel>();
  readonly #idleWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #pendingCount = 0;
  #pendingBytes = 0;
  #stopped = false;

  constructor(private readonly options: DeliveryQueueOptions) {}

  /** Adds a subscription, or replaces the settings of one with the same name (its backlog stays). */
  setSubscription(subscription: Subscription): void {
    const existing = this.#channels.get(subscription.name);
    if (existing) {
      existing.subscription = subscription;
      return;
    }
    this.#channels.set(subscription.name, {
      subscription, retries: new FifoQueue(), fresh: new FifoQueue(), inFlight: 0, waiting: new Map(), removed: false, failing: false,
    });
  }

  /** Removes a subscription; its undelivered events are dropped, as when an Azure subscription is deleted. */
  removeSubscription(name: string): boolean {
    const channel = this.#channels.get(name);
    if (!channel) return false;
    this.#channels.delete(name);
    channel.removed = true;
    for (const [timer, deliveries] of channel.waiting) {
      clearTimeout(timer);
      deliveries.forEach((delivery) => this.#settle(delivery));
    }
    channel.waiting.clear();
    [...channel.retries.drain(), ...channel.fresh.drain()].forEach((delivery) => this.#settle(delivery));
    return true;
  }

  subscriptionNames(): string[] {
    return [...this.#channels.keys()];
  }

  /**
   * Queues `events` for every subscription they match, or refuses them all (returning why) when
   * the backlog would grow past its bounds. Events no subscription matches are dropped, as Azure does.
   */
  offer(events: AcceptedEvent[]): { accepted: true } | { accepted: false; reason: string } {
    const queued: { channel: Channel; delivery: Delivery }[] = [];
    const unconvertible: { channel: Channel; event: AcceptedEvent }[] = [];
    let bytes = 0;
    for (const event of events) {
      for (const channel of this.#channels.values()) {
        if (!channel.subscription.matches(event)) continue;
        const schema = channel.subscription.eventDeliverySchema ?? event.schema;
        const json = eventJsonInSchema(event, schema);
        if (json === undefined) {
          unconvertible.push({ channel, event });
          continue;
        }
        const delivery: Delivery = {
          event, schema, json, bytes: Buffer.byteLength(json), attempts: 0, lastOutcome: 'None', lastStatus: undefined, lastAttemptTime: undefined,
        };
        bytes += delivery.bytes;
        queued.push({ channel, delivery });
      }
    }
    if (this.#pendingCount + queued.length > this.options.maxPendingDeliveries || this.#pendingBytes + bytes > this.options.maxPendingBytes) {
      return {
        accepted: false,
        reason: `The topic's delivery backlog is full (${this.#pendingCount} events, ${this.#pendingBytes} bytes pending; ` +
          `limits ${this.options.maxPendingDeliveries} events, ${this.options.maxPendingBytes} bytes). Retry later.`,
      };
    }
    for (const { channel, event } of unconvertible) {
      this.#deadLetter(channel, {
        event, schema: event.schema, json: event.json, bytes: 0, attempts: 0, lastOutcome: 'UnsupportedSchemaConversion', lastStatus: undefined, lastAttemptTime: undefined,
      }, 'UnsupportedSchemaConversion', false);
    }
    for (const { channel, delivery } of queued) {
      this.#pendingCount += 1;
      this.#pendingBytes += delivery.bytes;
      channel.fresh.push(delivery);
    }
    new Set(queued.map(({ channel }) => channel)).forEach((channel) => this.#pump(channel));
    return { accepted: true };
  }

  pending(): number {
    return this.#pendingCount;
  }

  /** Resolves once nothing is pending; rejects if the queue stops first. */
  whenIdle(): Promise<void> {
    if (this.#pendingCount === 0) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new Error(`The topic stopped with ${this.#pendingCount} deliveries pending.`));
    return new Promise((resolve, reject) => this.#idleWaiters.push({ resolve, reject }));
  }

  /** Stops delivering; pending deliveries are dropped (the local topic keeps them in memory only). */
  stop(): void {
    this.#stopped = true;
    for (const channel of this.#channels.values()) {
      for (const timer of channel.waiting.keys()) clearTimeout(timer);
      channel.waiting.clear();
    }
    const error = new Error(`The topic stopped with ${this.#pendingCount} deliveries pending.`);
    this.#idleWaiters.splice(0).forEach((waiter) => waiter.reject(error));
  }

  #pump(channel: Channel): void {
    while (!this.#stopped && !channel.removed && channel.inFlight < this.options.maxConcurrentDeliveries) {
      const batch = this.#takeBatch(channel);
      if (batch.length === 0) return;
      channel.inFlight += 1;
      void this.#attempt(channel, batch).finally(() => {
        channel.inFlight -= 1;
        this.#pump(channel);
      });
    }
  }

  /** Up to `maxEventsPerBatch` deliveries of one schema, kept under the preferred batch size. */
  #takeBatch(channel: Channel): Delivery[] {
    const { maxEventsPerBatch, preferredBatchSizeInBytes } = channel.subscription;
    const batch: Delivery[] = [];
    let size = 0;
    for (const queue of [channel.retries, channel.fresh]) {
      for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
        const fits = batch.length === 0 ||
          (batch.length < maxEventsPerBatch && next.schema === batch[0].schema && next.attempts === batch[0].attempts &&
            size + next.bytes <= preferredBatchSizeInBytes);
        if (!fits) return batch;
        batch.push(queue.take() as Delivery);
        size += next.bytes;
      }
    }
    return batch;
  }

  async #attempt(channel: Channel, batch: Delivery[]): Promise<void> {
    const policy = channel.subscription.retry;
    const live = batch.filter((delivery) => {
      const expired = Date.now() - delivery.event.publishTime.getTime() >= policy.eventTimeToLiveInMs;
      if (expired) this.#deadLetter(channel, delivery, 'TimeToLiveExceeded');
      return !expired;
    });
    if (live.length === 0) return;
    const { name, endpointUrl } = channel.subscription;
    const request = notificationRequest(name, live[0].schema, live.map((delivery) => delivery.json), live[0].attempts, live[0].event.dataVersion);
    const result = await this.options.client.send(endpointUrl, request, policy.responseTimeoutInMs);
    if (this.#stopped) return;
    if (channel.removed) {
      live.forEach((delivery) => this.#settle(delivery));
      return;
    }
    const attemptTime = new Date();
    const status = 'response' in result ? result.response.status : undefined;
    for (const delivery of live) {
      delivery.attempts += 1;
      delivery.lastAttemptTime = attemptTime;
      delivery.lastStatus = status;
      delivery.lastOutcome = status === undefined ? (result as { failure: string }).failure : outcomeForStatus(status);
    }
    const verdict = status === undefined ? 'retry' : verdictForStatus(status);
    this.#noteHealth(channel, verdict === 'delivered', result);
    if (verdict === 'delivered') live.forEach((delivery) => this.#settle(delivery));
    else if (verdict === 'dead-letter') live.forEach((delivery) => this.#deadLetter(channel, delivery, 'NonRetriableHttpStatusCode'));
    else this.#scheduleRetry(channel, live);
  }

  #scheduleRetry(channel: Channel, batch: Delivery[]): void {
    const policy = channel.subscription.retry;
    const delayInMs = retryDelayInMs(policy, batch[0].attempts);
    const retry = batch.filter((delivery) => {
      if (delivery.attempts >= policy.maxDeliveryAttempts) {
        this.#deadLetter(channel, delivery, 'MaxDeliveryAttemptsExceeded');
        return false;
      }
      // An event that would outlive its time-to-live before the next attempt is dead-lettered now.
      if (delivery.event.publishTime.getTime() + policy.eventTimeToLiveInMs <= Date.now() + delayInMs) {
        this.#deadLetter(channel, delivery, 'TimeToLiveExceeded');
        return false;
      }
      return true;
    });
    if (retry.length === 0) return;
    const timer = setTimeout(() => {
      channel.waiting.delete(timer);
      channel.retries.push(...retry);
      this.#pump(channel);
    }, delayInMs);
    channel.waiting.set(timer, retry);
  }

  #noteHealth(channel: Channel, delivered: boolean, result: WebhookResult): void {
    if (delivered === !channel.failing) return;
    channel.failing = !delivered;
    const { name, endpointUrl } = channel.subscription;
    if (delivered) {
      this.options.log(`subscription '${name}': ${endpointUrl.href} accepts deliveries again`);
    } else {
      const why = 'response' in result ? `status ${result.response.status}` : `${result.failure}: ${result.message}`;
      this.options.log(`subscription '${name}': delivery to ${endpointUrl.href} failed (${why}); retrying on schedule`);
    }
  }

  #deadLetter(channel: Channel, delivery: Delivery, reason: DeadLetterReason, pending = true): void {
    this.options.deadLetters.add({
      subscriptionName: channel.subscription.name,
      deadLetterReason: reason,
      deliveryAttempts: delivery.attempts,
      lastDeliveryOutcome: delivery.lastOutcome,
      lastHttpStatusCode: delivery.lastStatus,
      publishTime: delivery.event.publishTime.toISOString(),
      lastDeliveryAttemptTime: delivery.lastAttemptTime?.toISOString(),
      schema: delivery.schema,
      event: JSON.parse(delivery.json) as Record<string, unknown>,
    });
    if (pending) this.#settle(delivery);
  }

  #settle(delivery: Delivery): void {
    this.#pendingCount -= 1;
    this.#pendingBytes -= delivery.bytes;
    if (this.#pendingCount === 0) this.#idleWaiters.splice(0).forEach((waiter) => waiter.resolve());
  }
}
