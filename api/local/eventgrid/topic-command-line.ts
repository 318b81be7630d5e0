/**
 * Options of `npm run eventgrid`: flags first, then environment variables, then defaults.
 */
import path from 'node:path';
import { environmentOption, listOption, parseFlags, UsageError, wholeNumberOption } from './command-line-values.js';
import { DEFAULT_DEAD_LETTER_DIRECTORY, LOCAL_TOPIC_KEY, LOCAL_TOPIC_NAME, LOCAL_TOPIC_PORT } from './local-topic-defaults.js';
import { LOCAL_RETRY_POLICY } from './retry-policy.js';
import type { WebhookSubscriptionOptions } from './subscription.js';
import type { EventGridTopicOptions } from './topic.js';

export const TOPIC_HELP = `npm run eventgrid -- [options]

Runs a local stand-in for an Azure Event Grid custom topic: POST /api/events?api-version=2018-01-01
with aeg-sas-key or aeg-sas-token, Event Grid schema and CloudEvents 1.0, webhook subscriptions with
the validation handshake, retries on Azure's schedule divided by 100, and dead-lettering.

Options (environment variable in brackets):
  --port <n>                   port, 0 for any free one (EVENTGRID_TOPIC_PORT; default ${LOCAL_TOPIC_PORT})
  --host <address>             address to bind (default 127.0.0.1)
  --key <key>                  topic key (EVENTGRID_TOPIC_KEY; default the well-known local key
                               ${LOCAL_TOPIC_KEY})
  --topic-name <name>          last segment of the topic id stamped as "topic" (default ${LOCAL_TOPIC_NAME})
  --subscription <name>=<url>  a webhook subscription; repeatable. Full options as JSON in
                               EVENTGRID_SUBSCRIPTIONS, e.g. '[{"name":"ingest","endpointUrl":"http://
                               127.0.0.1:7071/runtime/webhooks/eventgrid?functionName=ingest",
                               "eventDeliverySchema":"CloudEventSchemaV1_0","subjectBeginsWith":"demo/"}]'
  --retry-delays-ms <list>     delays before retries, the last repeats (default ${LOCAL_RETRY_POLICY.delaysInMs.join(',')})
  --max-delivery-attempts <n>  attempts before dead-lettering (default ${LOCAL_RETRY_POLICY.maxDeliveryAttempts})
  --event-ttl-ms <n>           event time-to-live (default ${LOCAL_RETRY_POLICY.eventTimeToLiveInMs})
  --response-timeout-ms <n>    time a webhook has to answer (default ${LOCAL_RETRY_POLICY.responseTimeoutInMs})
  --max-pending-deliveries <n> backlog bound; publishes past it get 503 (default 100000)
  --dead-letter-dir <path>     where dead-lettered events are written as JSON
                               (EVENTGRID_DEAD_LETTER_DIR; default ${DEFAULT_DEAD_LETTER_DIRECTORY})
  --help                       this text
`;

export type TopicCommand = { help: true } | { help: false; options: EventGridTopicOptions & { subscriptions: WebhookSubscriptionOptions[] } };

export function parseTopicCommandLine(args: string[], environment: NodeJS.ProcessEnv): TopicCommand {
  const { values } = parseFlags(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    key: { type: 'string' },
    'topic-name': { type: 'string' },
    subscription: { type: 'string', multiple: true },
    'retry-delays-ms': { type: 'string' },
    'max-delivery-attempts': { type: 'string' },
    'event-ttl-ms': { type: 'string' },
    'response-timeout-ms': { type: 'string' },
    'max-pending-deliveries': { type: 'string' },
    'dead-letter-dir': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) return { help: true };
  const env = (name: string): string | undefined => environmentOption(environment, name);
  return {
    help: false,
    options: {
      port: wholeNumberOption(values.port ?? env('EVENTGRID_TOPIC_PORT'), '--port', 0, LOCAL_TOPIC_PORT),
      host: values.host,
      key: values.key ?? env('EVENTGRID_TOPIC_KEY') ?? LOCAL_TOPIC_KEY,
      topicName: values['topic-name'],
      subscriptions: [...subscriptionsFromEnvironment(env('EVENTGRID_SUBSCRIPTIONS')), ...(values.subscription ?? []).map(subscriptionFlag)],
      retry: {
        delaysInMs: values['retry-delays-ms'] === undefined
          ? undefined
          : listOption([values['retry-delays-ms']]).map((delay) => wholeNumberOption(delay, '--retry-delays-ms', 0)),
        maxDeliveryAttempts: wholeNumberOption(values['max-delivery-attempts'], '--max-delivery-attempts', 1),
        eventTimeToLiveInMs: wholeNumberOption(values['event-ttl-ms'], '--event-ttl-ms', 1),
        responseTimeoutInMs: wholeNumberOption(values['response-timeout-ms'], '--response-timeout-ms', 1),
      },
      maxPendingDeliveries: wholeNumberOption(values['max-pending-deliveries'], '--max-pending-deliveries', 1),
      deadLetterDirectory: path.resolve(values['dead-letter-dir'] ?? env('EVENTGRID_DEAD_LETTER_DIR') ?? DEFAULT_DEAD_LETTER_DIRECTORY),
    },
  };
}

function subscriptionFlag(text: string): WebhookSubscriptionOptions {
  const separator = text.indexOf('=');
  if (separator < 1) throw new UsageError(`--subscription must be <name>=<url>, got '${text}'.`);
  return { name: text.slice(0, separator), endpointUrl: text.slice(separator + 1) };
}

function subscriptionsFromEnvironment(json: string | undefined): WebhookSubscriptionOptions[] {
  if (json === undefined || json.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`EVENTGRID_SUBSCRIPTIONS is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'object' && item !== null)) {
    throw new UsageError('EVENTGRID_SUBSCRIPTIONS must be a JSON array of subscription objects ({"name", "endpointUrl", ...}).');
  }
  return parsed as WebhookSubscriptionOptions[];
}
