/**
 * The publisher's `EventGridPublisherClient`. It is used with the "Custom" input schema, which
 * sends each event object as it is: the typed "EventGrid" and "CloudEvent" paths of
 * `@azure/eventgrid` 5.x serialize an array `data` (the original sample's format) as an object
 * with keys "0", "1", .... The events are built complete (event-builder.ts), and CloudEvents get
 * their `application/cloudevents-batch+json` content type from a pipeline policy.
 */
import { AzureKeyCredential, AzureSASCredential, EventGridPublisherClient } from '@azure/eventgrid';
import type { PublishSchema } from './event-builder.js';

export type TopicCredential = { key: string } | { sas: string };

export interface PublisherClient {
  send(events: Record<string, unknown>[]): Promise<void>;
}

const CLOUD_EVENTS_BATCH = 'application/cloudevents-batch+json; charset=utf-8';

export function createPublisherClient(endpoint: string, credential: TopicCredential, schema: PublishSchema, maxRetries: number): PublisherClient {
  const url = new URL(endpoint);
  const client = new EventGridPublisherClient(
    endpoint,
    'Custom',
    'sas' in credential ? new AzureSASCredential(credential.sas) : new AzureKeyCredential(credential.key),
    {
      // http:// only for a topic on this machine (the local stand-in); the options check refuses other http hosts.
      allowInsecureConnection: url.protocol === 'http:' && isLoopback(url.hostname),
      retryOptions: { maxRetries },
      additionalPolicies: schema === 'cloudevents'
        ? [{
          position: 'perCall',
          policy: { name: 'cloudEventsBatchContentType', sendRequest: (request, next) => { request.headers.set('content-type', CLOUD_EVENTS_BATCH); return next(request); } },
        }]
        : [],
    },
  );
  return { send: async (events) => { await client.send(events); } };
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
