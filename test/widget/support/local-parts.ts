/**
 * The real local parts a widget talks to, started in this Node process: the SignalR Service
 * stand-in and the Functions host running the app's functions over Azurite storage. Used by
 * the browser tests (through server commands) and by the widget benchmark.
 */
import { randomUUID } from 'node:crypto';
import type { RunningAzurite } from '../../../api/local/azurite.js';
import { startFunctionsHost, type RunningFunctionsHost } from '../../../api/local/functions-host.js';
import { startSignalRService, type LocalSignalRService } from '../../../api/local/signalr/service.js';
import { parseSignalRConnectionString } from '../../../api/signalr/connection-string.js';
import { SignalRRestClient } from '../../../api/signalr/rest-client.js';
import type { LocalStackInfo, PublishRequest } from './stack-protocol.js';

export interface LocalPartsOptions {
  /** `PUBLIC_STREAMS` of the API; default `demo/*`. */
  publicStreams?: string;
  /** More app settings of the API. */
  settings?: Record<string, string>;
}

const HUB_NAME = 'realtimeplot';
const EVENT_TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.EventGrid/topics/widget-tests';

export class LocalParts {
  private readonly signalRPort: number;
  private readonly accessKey: string;

  private constructor(
    readonly info: LocalStackInfo,
    private signalR: LocalSignalRService | undefined,
    private readonly functions: RunningFunctionsHost,
    private readonly rest: SignalRRestClient,
  ) {
    this.signalRPort = signalR?.port ?? 0;
    this.accessKey = signalR?.accessKey ?? '';
  }

  /** Starts the SignalR stand-in and a Functions host (free ports, CORS open) on `storage`. */
  static async start(storage: RunningAzurite, options: LocalPartsOptions = {}): Promise<LocalParts> {
    const id = randomUUID().slice(0, 8);
    const signalR = await startSignalRService({ port: 0 });
    const settings: Record<string, string> = {
      AzureSignalRConnectionString: signalR.connectionString,
      AzureWebJobsStorage: storage.connectionString,
      SIGNALR_HUB: HUB_NAME,
      // One table per start: parts started on the same Azurite do not see each other's points.
      RECENT_POINTS_TABLE: `widget${id}`,
      PUBLIC_STREAMS: options.publicStreams ?? 'demo/*',
      RATE_LIMIT_NEGOTIATE_PER_MINUTE: '0',
      RATE_LIMIT_SUBSCRIBE_PER_MINUTE: '0',
      RATE_LIMIT_HISTORY_PER_MINUTE: '0',
      ...options.settings,
    };
    const functions = await startFunctionsHost({ port: 0, settings, corsAllowedOrigins: ['*'], log: () => undefined });
    const rest = new SignalRRestClient(parseSignalRConnectionString(signalR.connectionString), { hub: HUB_NAME });
    return new LocalParts({ id, hub: functions.apiUrl, signalREndpoint: signalR.endpoint }, signalR, functions, rest);
  }

  /** Delivers one event to `ingest` as Event Grid does; resolves with the webhook's HTTP status. */
  async publish(request: PublishRequest): Promise<number> {
    const event = {
      id: request.eventId ?? randomUUID(),
      subject: request.stream,
      eventType: 'RealtimePlot.Points',
      eventTime: new Date().toISOString(),
      data: request.data,
      dataVersion: '1.0',
      metadataVersion: '1',
      topic: EVENT_TOPIC,
    };
    const response = await fetch(this.functions.eventGridWebhookUrl('ingest'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([event]),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Stops the SignalR service: clients get a Close that allows reconnecting, and the port is freed. */
  async stopSignalR(): Promise<void> {
    await this.signalR?.stop();
    this.signalR = undefined;
  }

  /** Starts the SignalR service again on the same port with the same key (it remembers nothing). */
  async startSignalR(): Promise<void> {
    this.signalR ??= await startSignalRService({ port: this.signalRPort, accessKey: this.accessKey });
  }

  /** Sends an invocation to a stream's group through the service's REST API, as `ingest` does. */
  sendToGroup(stream: string, target: string, args: unknown[]): Promise<void> {
    return this.rest.sendToGroup(stream, { target, arguments: args });
  }

  userInGroup(stream: string, userId: string): Promise<boolean> {
    return this.rest.userInGroup(stream, userId);
  }

  /** Whether the user has any connection to the hub. */
  userConnected(userId: string): Promise<boolean> {
    return this.rest.userExists(userId);
  }

  async stop(): Promise<void> {
    await this.functions.stop();
    await this.stopSignalR();
  }
}
