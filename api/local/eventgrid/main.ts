/**
 * `npm run eventgrid`: runs the local Event Grid topic on its own until Ctrl-C. Subscriptions
 * whose webhook is not up yet are retried every few seconds, so the topic may start first.
 */
import { UsageError } from './command-line-values.js';
import { parseTopicCommandLine, TOPIC_HELP } from './topic-command-line.js';
import { startEventGridTopic, type LocalEventGridTopic, type WebhookSubscriptionOptions } from './topic.js';

const SUBSCRIPTION_RETRY_INTERVAL_IN_MS = 5000;

async function main(): Promise<void> {
  const command = parseTopicCommandLine(process.argv.slice(2), process.env);
  if (command.help) {
    process.stdout.write(TOPIC_HELP);
    return;
  }
  const { subscriptions, ...options } = command.options;
  const log = (message: string): void => console.log(`${new Date().toISOString()} ${message}`);
  const topic = await startEventGridTopic({ ...options, log });
  console.log([
    'Local Event Grid topic listening',
    `  endpoint      ${topic.endpoint}`,
    `  key           ${topic.key}`,
    `  topic id      ${topic.topicId}`,
    `  dead letters  ${options.deadLetterDirectory}`,
    `Publish: EVENTGRID_TOPIC_ENDPOINT=${topic.endpoint} EVENTGRID_TOPIC_KEY=${topic.key} npm run publish`,
    subscriptions.length === 0 ? 'No subscriptions (--subscription <name>=<url>): accepted events are dropped, as on Azure.' : '',
  ].filter(Boolean).join('\n'));

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    log('stopping');
    void topic.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const subscription of subscriptions) void subscribeWhenReachable(topic, subscription, log, () => stopped);
}

async function subscribeWhenReachable(
  topic: LocalEventGridTopic,
  subscription: WebhookSubscriptionOptions,
  log: (message: string) => void,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    try {
      await topic.addSubscription(subscription);
      return;
    } catch (error) {
      if (error instanceof TypeError) {
        log(`subscription '${String(subscription.name)}' not added: ${error.message}`);
        return;
      }
      log(`${(error as Error).message}; trying again in ${SUBSCRIPTION_RETRY_INTERVAL_IN_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, SUBSCRIPTION_RETRY_INTERVAL_IN_MS));
    }
  }
}

main().catch((error: Error) => {
  const message = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? `${error.message} Pick another with --port.`
    : error.message;
  console.error(`eventgrid: ${message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
