/**
 * The whole local path as the fault and fuzz tests drive it, every part real: Azurite, the
 * SignalR Service stand-in, the local Functions host serving the app, and the Event Grid topic
 * stand-in subscribed to `ingest` with short retry delays. Storage and SignalR can be stopped
 * and started again on the same ports (Azurite then keeps its data in a folder, as Azure
 * Storage keeps it through an outage), so the functions find them where they were.
 */
import { AzureKeyCredential, EventGridPublisherClient, type SendEventGridEventInput } from '@azure/eventgrid';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryResponse, NegotiateResponse } from '../../../api/live-message.js';
import { startAzurite, type RunningAzurite } from '../../../api/local/azurite.js';
import { startEventGridTopic, type DeliveryRetryOptions, type LocalEventGridTopic } from '../../../api/local/eventgrid/topic.js';
import { startFunctionsHost, type FunctionLogEntry, type RunningFunctionsHost } from '../../../api/local/functions-host.js';
import { startSignalRService, type LocalSignalRService, type SignalRServiceOptions } from '../../../api/local/signalr/index.js';

export interface FaultStackOptions {
  /** App settings over the defaults (every stream public, rate limits as configured here). */
  settings?: Record<string, string>;
  corsAllowedOrigins?: string[];
  /** Keep Azurite's data in a folder, so that `stopStorage()` and `startStorage()` lose nothing. */
  restartableStorage?: boolean;
  /** The topic's retry policy; default: short delays, so a retry comes within a second. */
  retry?: DeliveryRetryOptions;
  signalR?: Omit<SignalRServiceOptions, 'port'>;
}

export interface FaultStack {
  readonly host: RunningFunctionsHost;
  readonly topic: LocalEventGridTopic;
  readonly settings: Readonly<Record<string, string>>;
  /** What the functions logged. */
  readonly logs: FunctionLogEntry[];
  /** What the topic logged (failing and recovering webhooks, dead letters). */
  readonly topicLog: string[];
  /** The SignalR stand-in running now (a new instance after `startSignalR()`). */
  signalR(): LocalSignalRService;
  stopStorage(): Promise<void>;
  startStorage(): Promise<void>;
  stopSignalR(): Promise<void>;
  startSignalR(): Promise<void>;
  /** Publishes through the topic with the stock `@azure/eventgrid` client. */
  publish(events: SendEventGridEventInput<unknown>[]): Promise<void>;
  /** `fetch` relative to the host's `/api`. */
  api(path: string, init?: RequestInit): Promise<Response>;
  negotiate(headers?: Record<string, string>): Promise<NegotiateResponse>;
  history(stream: string, afterSeq?: number): Promise<HistoryResponse>;
  stop(): Promise<void>;
}

const SHORT_RETRY: DeliveryRetryOptions = { delaysInMs: [100, 300, 600, 1000], maxDeliveryAttempts: 200, eventTimeToLiveInMs: 300_000 };

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const location = options.restartableStorage ? await mkdtemp(join(tmpdir(), 'azurite-data-')) : undefined;
  let azurite: RunningAzurite | undefined = await startAzurite({ location });
  const storagePorts = {
    blob: Number(new URL(azurite.blobEndpoint).port),
    queue: Number(new URL(azurite.queueEndpoint).port),
    table: Number(new URL(azurite.tableEndpoint).port),
  };
  let signalR: LocalSignalRService | undefined = await startSignalRService({ port: 0, ...options.signalR });
  const signalRPort = signalR.port;
  const accessKey = signalR.accessKey;

  const settings: Record<string, string> = {
    AzureSignalRConnectionString: signalR.connectionString,
    AzureWebJobsStorage: azurite.connectionString,
    RECENT_POINTS_TABLE: `t${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    PUBLIC_STREAMS: '*',
    // A dependency that is down fails an invocation fast, so the topic retries soon.
    SIGNALR_REQUEST_TIMEOUT_SECONDS: '3',
    ...options.settings,
  };
  const logs: FunctionLogEntry[] = [];
  const host = await startFunctionsHost({ settings, corsAllowedOrigins: options.corsAllowedOrigins, log: (entry) => logs.push(entry) });
  const topicLog: string[] = [];
  const topic = await startEventGridTopic({
    port: 0,
    retry: { ...SHORT_RETRY, ...options.retry },
    log: (line) => topicLog.push(line),
    subscriptions: [{ name: 'ingest', endpointUrl: host.eventGridWebhookUrl('ingest') }],
  });
  const publisher = new EventGridPublisherClient(topic.endpoint, 'EventGrid', new AzureKeyCredential(topic.key), { allowInsecureConnection: true });
  const api = (path: string, init?: RequestInit) => fetch(`${host.apiUrl}/${path.replace(/^\//, '')}`, init);

  return {
    host,
    topic,
    settings,
    logs,
    topicLog,
    signalR() {
      if (!signalR) throw new Error('the SignalR stand-in is stopped');
      return signalR;
    },
    async stopStorage() {
      await azurite?.stop();
      azurite = undefined;
    },
    async startStorage() {
      azurite ??= await startAzurite({ location, ports: storagePorts });
    },
    async stopSignalR() {
      await signalR?.stop();
      signalR = undefined;
    },
    async startSignalR() {
      signalR ??= await startSignalRService({ ...options.signalR, port: signalRPort, accessKey });
    },
    publish: (events) => publisher.send(events),
    api,
    async negotiate(headers = {}) {
      const response = await api('negotiate', { method: 'POST', headers });
      if (response.status !== 200) throw new Error(`negotiate answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as NegotiateResponse;
    },
    async history(stream, afterSeq) {
      const query = afterSeq === undefined ? '' : `?afterSeq=${afterSeq}`;
      const response = await api(`streams/${encodeURIComponent(stream)}/history${query}`);
      if (response.status !== 200) throw new Error(`history answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as HistoryResponse;
    },
    async stop() {
      await topic.stop();
      await host.stop();
      await signalR?.stop();
      await azurite?.stop();
      if (location) await rm(location, { recursive: true, force: true });
    },
  };
}

/** An event of one point (series `s`) as a publisher sends it, with a fixed id so it can be sent again. */
export function pointEvent(stream: string, x: number, y: number = x, id: string = randomUUID()): SendEventGridEventInput<unknown> {
  return { id, eventType: 'RealtimePlot.Points', subject: `streams/${stream}`, dataVersion: '1.0', data: { points: [{ series: 's', x, y }] } };
}
