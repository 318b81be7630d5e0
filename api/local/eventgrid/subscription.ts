/**
 * Webhook event subscriptions of the local topic: their options (a subset of Azure's event
 * subscription properties), checked once when added, and the filter that decides which events
 * a subscription receives (subject prefix/suffix, case-insensitive unless asked, and event types).
 */
import type { AcceptedEvent, EventSchema } from './published-events.js';
import { resolveRetryPolicy, type DeliveryRetryOptions, type DeliveryRetryPolicy } from './retry-policy.js';

export interface WebhookSubscriptionOptions {
  /** 3 to 64 letters, digits and hyphens, as Azure requires; sent as `aeg-subscription-name`. */
  name: string;
  /** The webhook, `http://` or `https://`, query kept (e.g. `?functionName=ingest`). */
  endpointUrl: string;
  /**
   * Schema events are delivered in. Left out, each event goes out in the schema it was published
   * in (the local topic takes both; an Azure topic has one input schema). Event Grid schema
   * events can be delivered as CloudEvents; CloudEvents cannot be delivered as Event Grid schema
   * (Azure refuses that pairing) and are dead-lettered with reason `UnsupportedSchemaConversion`.
   */
  eventDeliverySchema?: EventSchema;
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  /** Event types (`eventType` / CloudEvents `type`) delivered; all when left out. */
  includedEventTypes?: string[];
  /** Subject filters compare case-insensitively unless this is true (Azure's default is false). */
  isSubjectCaseSensitive?: boolean;
  /** Events per delivery request, 1 (Azure's default: batching off) to 5000. */
  maxEventsPerBatch?: number;
  /** Size a batch is kept under, 1 to 1024 KB (Azure's default 64). */
  preferredBatchSizeInKilobytes?: number;
  /** This subscription's retry policy, over the topic's. */
  retry?: DeliveryRetryOptions;
}

export interface Subscription {
  name: string;
  endpointUrl: URL;
  eventDeliverySchema: EventSchema | undefined;
  maxEventsPerBatch: number;
  preferredBatchSizeInBytes: number;
  retry: DeliveryRetryPolicy;
  matches(event: AcceptedEvent): boolean;
}

const NAME = /^[A-Za-z0-9-]{3,64}$/;
const SCHEMAS: readonly EventSchema[] = ['EventGridSchema', 'CloudEventSchemaV1_0'];

/** Checks `options`; throws a TypeError naming the bad option. */
export function resolveSubscription(options: WebhookSubscriptionOptions, topicRetry: DeliveryRetryPolicy): Subscription {
  const { name } = options;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`Subscription name '${String(name)}' must be 3 to 64 letters, digits or hyphens.`);
  }
  const endpointUrl = webhookUrl(options.endpointUrl, name);
  if (options.eventDeliverySchema !== undefined && !SCHEMAS.includes(options.eventDeliverySchema)) {
    throw new TypeError(`Subscription '${name}': eventDeliverySchema must be ${SCHEMAS.join(' or ')}.`);
  }
  const maxEventsPerBatch = wholeNumberIn(options.maxEventsPerBatch ?? 1, 1, 5000, `Subscription '${name}': maxEventsPerBatch`);
  const preferredKilobytes = wholeNumberIn(options.preferredBatchSizeInKilobytes ?? 64, 1, 1024, `Subscription '${name}': preferredBatchSizeInKilobytes`);
  const caseSensitive = options.isSubjectCaseSensitive === true;
  const fold = (text: string): string => (caseSensitive ? text : text.toLowerCase());
  const beginsWith = fold(options.subjectBeginsWith ?? '');
  const endsWith = fold(options.subjectEndsWith ?? '');
  const eventTypes = options.includedEventTypes === undefined ? undefined : new Set(options.includedEventTypes.map((type) => type.toLowerCase()));
  return {
    name,
    endpointUrl,
    eventDeliverySchema: options.eventDeliverySchema,
    maxEventsPerBatch,
    preferredBatchSizeInBytes: preferredKilobytes * 1024,
    retry: resolveRetryPolicy(options.retry, topicRetry),
    matches: (event) => {
      const subject = fold(event.subject);
      return subject.startsWith(beginsWith) && subject.endsWith(endsWith) && (eventTypes === undefined || eventTypes.has(event.eventType.toLowerCase()));
    },
  };
}

function webhookUrl(text: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`Subscription '${name}': endpointUrl '${String(text)}' is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Subscription '${name}': endpointUrl must be http:// or https://, got '${text}'.`);
  }
  return url;
}

function wholeNumberIn(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${what} must be a whole number from ${min} to ${max}, got ${String(value)}.`);
  }
  return value;
}
