/**
 * The HTTP requests Event Grid sends a webhook: headers `aeg-event-type`, `aeg-subscription-name`,
 * `aeg-delivery-count` (attempts before this one), `aeg-data-version`, `aeg-metadata-version`;
 * Event Grid schema as a JSON array, CloudEvents as one `application/cloudevents+json` object
 * (or a `-batch+json` array when a subscription batches).
 */
import type { EventSchema } from './published-events.js';
import type { WebhookRequest } from './webhook-client.js';

export type AegEventType = 'Notification' | 'SubscriptionValidation';

export function webhookHeaders(eventType: AegEventType, subscriptionName: string, deliveryCount: number, dataVersion: string): Record<string, string> {
  return {
    'aeg-event-type': eventType,
    'aeg-subscription-name': subscriptionName,
    'aeg-delivery-count': String(deliveryCount),
    'aeg-data-version': dataVersion,
    'aeg-metadata-version': '1',
  };
}

/** A delivery of `eventJsons` (already in `schema`) to a subscription. */
export function notificationRequest(
  subscriptionName: string,
  schema: EventSchema,
  eventJsons: string[],
  deliveryCount: number,
  dataVersion: string,
): WebhookRequest {
  const single = schema === 'CloudEventSchemaV1_0' && eventJsons.length === 1;
  const contentType = schema === 'EventGridSchema'
    ? 'application/json; charset=utf-8'
    : single ? 'application/cloudevents+json; charset=utf-8' : 'application/cloudevents-batch+json; charset=utf-8';
  return {
    method: 'POST',
    headers: { ...webhookHeaders('Notification', subscriptionName, deliveryCount, dataVersion), 'content-type': contentType },
    body: single ? eventJsons[0] : `[${eventJsons.join(',')}]`,
  };
}
