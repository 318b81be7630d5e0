/**
 * The local stack in one process: Azurite, the SignalR Service stand-in, the local Functions host,
 * the Event Grid topic stand-in subscribed to the host's `ingest` webhook, the demo site with the
 * built widget, and the demo publisher. Stand-ins named by Azure settings are left out (see
 * azure-services.ts). `npm start` runs it; the end-to-end tests and benchmarks start it with
 * port 0 everywhere.
 */
import type { FunctionLogEntry } from '../functions-host.js';
import { startFunctionsHost } from '../functions-host.js';
import { normalizeOrigin } from '../allowed-origin.js';
import { startAzurite } from '../azurite.js';
import { startSignalRService, type LocalSignalRService } from '../signalr/index.js';
import { startEventGridTopic } from '../eventgrid/topic.js';
import { parseSignalRConnectionString } from '../../signalr/connection-string.js';
import { parseOrigins, SETTING, type AppSettingsSource } from '../../settings.js';
import type { AzureServices, TopicAccess } from './azure-services.js';
import { startDemoPublisher, type DemoPublisher } from './demo-publisher.js';
import { startDemoSite, type RunningDemoSite } from './demo-site.js';
import { CONTINUOUS_FEEDS, DEMO_STREAM_PATTERN, type DemoFeed } from './demo-streams.js';
import { INGEST_DELIVERY_BATCHING } from './ingest-delivery-batching.js';
import { LabelledLog } from './labelled-log.js';
import { StackConfigurationError, type StackPorts } from './port-settings.js';
import { ensureWidgetBundle } from './widget-bundle.js';

export interface LocalStackOptions {
  /** The repository root (holds `demo/`, `widget/`, `dist/`). */
  root: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  ports: StackPorts;
  /** Real Azure services to use instead of stand-ins. Default: none. */
  azure?: AzureServices;
  /** App settings of the Functions app beyond what the stack sets (`npm start` passes the environment). */
  settings?: AppSettingsSource;
  /** Streams the demo publisher feeds continuously; default the demo feeds, [] for none. */
  feeds?: readonly DemoFeed[];
  log?: LabelledLog;
  /** Also log every function invocation's information lines. */
  verbose?: boolean;
  /** Where the topic stand-in writes dead-lettered events; default: kept in memory only. */
  deadLetterDirectory?: string;
}

export interface StackService {
  label: string;
  url: string;
  /** What it is, shown after the URL. */
  note: string;
}

export interface RunningLocalStack {
  /** One entry per service, in start order, for the start banner. */
  services: StackService[];
  /** The widget's `hub`. */
  hubUrl: string;
  topic: TopicAccess;
  site: RunningDemoSite;
  /** The demo publisher (bursts for the demo page's button). */
  publisher: DemoPublisher;
  /** The SignalR Service stand-in (absent with Azure SignalR): stop it and start it again on the same port. */
  signalR?: { readonly running: boolean; stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  const host = options.host ?? '127.0.0.1';
  const azure = options.azure ?? {};
  const log = options.log ?? new LabelledLog();
  const stops: { label: string; stop: () => Promise<void> }[] = [];
  const services: StackService[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { label, stop } of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => log.for(label)(`did not stop cleanly: ${(error as Error).message}`));
    }
  };

  const configuredOrigins = configuredPageOrigins(options.settings ?? {});
  try {
    // Started side by side; all of them settle before a failure is thrown, so nothing started is left running.
    const [bundle, storage] = await allStarted([
      ensureWidgetBundle(options.root, log.for('build')),
      azure.storageConnectionString ? Promise.resolve(undefined) : startAzurite({ host, ports: { blob: options.ports.azuriteBlob, queue: options.ports.azuriteQueue, table: options.ports.azuriteTable } }).then((azurite) => {
        stops.push({ label: 'azurite', stop: azurite.stop });
        return azurite;
      }),
    ]);
    services.push(storage
      ? { label: 'azurite', url: storage.tableEndpoint, note: `Azurite in memory (table; blob ${new URL(storage.blobEndpoint).origin}, queue ${new URL(storage.queueEndpoint).origin})` }
      : { label: 'storage', url: storageEndpoint(azure.storageConnectionString!), note: `storage from ${SETTING.recentPointsStorage} or ${SETTING.hostStorage}` });

    const site = await startDemoSite({
      host,
      port: options.ports.demo,
      widgetPort: options.ports.widget,
      pagesDirectory: `${options.root}/demo`,
      bundle,
      log: log.for('demo'),
    });
    stops.push({ label: 'demo', stop: site.stop });
    // The pages that may call the API and the SignalR stand-in: the configured origins, else the demo site's own.
    const pageOrigins = configuredOrigins ?? [site.origin, site.origin.replace('127.0.0.1', 'localhost')];

    let signalR: { standIn: LocalSignalRService; standInSwitch: NonNullable<RunningLocalStack['signalR']> } | undefined;
    if (!azure.signalRConnectionString) {
      const signalRLog = log.for('signalr');
      const standIn = await startSignalRService({ host, port: options.ports.signalR, allowedOrigins: pageOrigins, log: signalRLog });
      signalR = { standIn, standInSwitch: restartable(standIn, { host, allowedOrigins: pageOrigins, log: signalRLog }) };
      stops.push({ label: 'signalr', stop: () => signalR!.standInSwitch.stop() });
    }
    const signalRConnectionString = azure.signalRConnectionString ?? signalR!.standIn.connectionString;
    services.push(signalR
      ? { label: 'signalr', url: signalR.standIn.endpoint, note: `SignalR Service stand-in (Serverless); CORS ${pageOrigins.join(' ')}` }
      : { label: 'signalr', url: parseSignalRConnectionString(signalRConnectionString).baseUrl, note: 'Azure SignalR Service (AzureSignalRConnectionString)' });

    const settings = functionsSettings(options.settings ?? {}, { signalRConnectionString, storageConnectionString: storage?.connectionString ?? azure.storageConnectionString! });
    const functionsLog = log.for('functions');
    const functions = await startFunctionsHost({
      port: options.ports.functions,
      host,
      settings,
      corsAllowedOrigins: pageOrigins,
      log: (entry) => logFunction(functionsLog, entry, options.verbose === true),
    });
    stops.push({ label: 'functions', stop: functions.stop });
    services.push({ label: 'functions', url: functions.apiUrl, note: `Functions host (negotiate, subscribe, unsubscribe, history, ingest); CORS ${pageOrigins.join(' ')}` });

    let topic: TopicAccess;
    if (azure.topic) {
      topic = azure.topic;
      services.push({ label: 'eventgrid', url: topic.endpoint, note: `Azure Event Grid topic; its event subscription must reach ingest (local webhook: ${functions.eventGridWebhookUrl('ingest')})` });
    } else {
      const topicLog = log.for('eventgrid');
      const localTopic = await startEventGridTopic({
        port: options.ports.eventGrid,
        host,
        subscriptions: [{ name: 'ingest', endpointUrl: functions.eventGridWebhookUrl('ingest'), ...INGEST_DELIVERY_BATCHING }],
        deadLetterDirectory: options.deadLetterDirectory,
        log: topicLog,
      });
      stops.push({ label: 'eventgrid', stop: localTopic.stop });
      topic = { endpoint: localTopic.endpoint, key: localTopic.key };
      const deadLetters = options.deadLetterDirectory === undefined ? '' : `, dead letters in ${options.deadLetterDirectory}`;
      services.push({ label: 'eventgrid', url: localTopic.endpoint, note: `Event Grid topic stand-in, subscription ingest -> Functions host${deadLetters}` });
    }

    const publisher = startDemoPublisher(topic, options.feeds ?? CONTINUOUS_FEEDS, log.for('publisher'));
    stops.push({ label: 'publisher', stop: publisher.stop });
    site.connect({
      hubUrl: functions.apiUrl,
      signalROrigin: new URL(parseSignalRConnectionString(signalRConnectionString).baseUrl).origin,
      burst: (events) => publisher.burst(events),
    });
    services.push({ label: 'demo', url: site.url, note: `demo pages (also ${site.pageUrl('cms.html')})` });
    services.push({ label: 'widget', url: site.widgetScriptUrl, note: 'the built widget, from its own origin' });

    let stopped: Promise<void> | undefined;
    return {
      services,
      hubUrl: functions.apiUrl,
      topic,
      site,
      publisher,
      signalR: signalR?.standInSwitch,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Like Promise.all, but waits for every start to settle before rejecting with the first failure. */
async function allStarted<T extends readonly unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** `CORS_ALLOWED_ORIGINS`, checked before anything starts; undefined when it is not set. */
function configuredPageOrigins(settings: AppSettingsSource): string[] | undefined {
  const raw = settings[SETTING.corsAllowedOrigins];
  if (!raw) return undefined;
  const origins = parseOrigins(raw).map((origin) => {
    try {
      return normalizeOrigin(origin);
    } catch (error) {
      throw new StackConfigurationError(`${SETTING.corsAllowedOrigins}: ${(error as Error).message}`);
    }
  });
  if (origins.length === 0) throw new StackConfigurationError(`${SETTING.corsAllowedOrigins} is set but lists no origin; leave it unset for the demo site's own.`);
  return origins;
}

/** The Functions app's settings: the given ones, the services the stack uses, the demo streams public unless set. */
function functionsSettings(given: AppSettingsSource, stack: { signalRConnectionString: string; storageConnectionString: string }): AppSettingsSource {
  const settings: Record<string, string | undefined> = {
    ...given,
    [SETTING.signalRConnectionString]: stack.signalRConnectionString,
    [SETTING.hostStorage]: stack.storageConnectionString,
    [SETTING.recentPointsStorage]: undefined,
  };
  if (!settings[SETTING.publicStreams]?.trim()) settings[SETTING.publicStreams] = DEMO_STREAM_PATTERN;
  return settings;
}

/** The stand-in behind a switch; a restart reuses the port and the options, so the Functions app's connection string stays right. */
function restartable(
  first: LocalSignalRService,
  options: { host: string; allowedOrigins: readonly string[]; log: (line: string) => void },
): NonNullable<RunningLocalStack['signalR']> {
  const { log } = options;
  let current: LocalSignalRService | undefined = first;
  return {
    get running() {
      return current !== undefined;
    },
    async stop() {
      const service = current;
      current = undefined;
      if (!service) return;
      await service.stop();
      log('stopped');
    },
    async start() {
      if (current) return;
      current = await startSignalRService({ ...options, port: first.port, accessKey: first.accessKey });
      log(`started again on ${current.endpoint}`);
    },
  };
}

function logFunction(log: (line: string) => void, entry: FunctionLogEntry, verbose: boolean): void {
  const important = entry.level === 'warning' || entry.level === 'error' || entry.level === 'critical';
  if (important || (verbose && entry.level === 'information')) log(`${entry.functionName ? `[${entry.functionName}] ` : ''}${entry.level === 'information' ? '' : `${entry.level}: `}${entry.message}`);
}

/** The table endpoint of a storage connection string, for the banner (never the key). */
function storageEndpoint(connectionString: string): string {
  const table = /TableEndpoint=([^;]+)/i.exec(connectionString)?.[1];
  const account = /AccountName=([^;]+)/i.exec(connectionString)?.[1];
  return table ?? (account ? `https://${account}.table.core.windows.net` : '(from the connection string)');
}
