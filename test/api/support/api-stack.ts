/**
 * The API as tests drive it: a real Azurite, the recording SignalR service and the local
 * Functions host serving the app's functions, all on 127.0.0.1 with free ports.
 */
import { randomUUID } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../../api/local/azurite.js';
import { startFunctionsHost, type FunctionLogEntry, type RunningFunctionsHost } from '../../../api/local/functions-host.js';
import type { NegotiateResponse } from '../../../api/live-message.js';
import { startRecordingSignalRService, type RecordingSignalRService } from './recording-signalr-service.js';

export interface ApiStack {
  host: RunningFunctionsHost;
  signalR: RecordingSignalRService;
  azurite: RunningAzurite;
  settings: Record<string, string>;
  logs: FunctionLogEntry[];
  /** fetch relative to the host's `/api`. */
  api(path: string, init?: RequestInit): Promise<Response>;
  negotiate(headers?: Record<string, string>): Promise<NegotiateResponse>;
  /** Forgets recorded SignalR requests and logs, and lets SignalR answer as Azure does again. */
  reset(): void;
  /** Delivers events to `ingest` as Event Grid does (header `aeg-event-type: Notification`). */
  deliver(events: unknown, options?: { headers?: Record<string, string>; body?: string }): Promise<Response>;
  stop(): Promise<void>;
}

export interface StartApiStackOptions {
  /** Extra app settings (override the defaults below). */
  settings?: Record<string, string>;
  /** Share one Azurite between stacks of a test file. */
  azurite?: RunningAzurite;
}

export async function startApiStack(options: StartApiStackOptions = {}): Promise<ApiStack> {
  const azurite = options.azurite ?? (await startAzurite());
  const signalR = await startRecordingSignalRService();
  const settings: Record<string, string> = {
    AzureSignalRConnectionString: signalR.connectionString,
    AzureWebJobsStorage: azurite.connectionString,
    RECENT_POINTS_TABLE: `t${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    PUBLIC_STREAMS: 'public/*',
    ...options.settings,
  };
  const logs: FunctionLogEntry[] = [];
  const host = await startFunctionsHost({ settings, log: (entry) => logs.push(entry) });
  const api = (path: string, init?: RequestInit) => fetch(`${host.apiUrl}/${path.replace(/^\//, '')}`, init);
  return {
    host,
    signalR,
    azurite,
    settings,
    logs,
    api,
    async negotiate(headers = {}) {
      const response = await api('negotiate', { method: 'POST', headers });
      if (response.status !== 200) throw new Error(`negotiate answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as NegotiateResponse;
    },
    reset() {
      signalR.requests.length = 0;
      signalR.answerWith(undefined);
      logs.length = 0;
    },
    deliver(events, deliverOptions = {}) {
      return fetch(host.eventGridWebhookUrl('ingest'), {
        method: 'POST',
        headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json; charset=utf-8', ...deliverOptions.headers },
        body: deliverOptions.body ?? JSON.stringify(events),
      });
    },
    async stop() {
      await host.stop();
      await signalR.stop();
      if (!options.azurite) await azurite.stop();
    },
  };
}

/** An Event Grid schema event as Event Grid delivers it (topic and versions stamped). */
export function eventGridEvent(subject: string, data: unknown, fields: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    topic: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.EventGrid/topics/local',
    subject,
    eventType: 'RealtimePlot.Points',
    eventTime: new Date().toISOString(),
    data,
    dataVersion: '1.0',
    metadataVersion: '1',
    ...fields,
  };
}

/** A CloudEvents 1.0 event. */
export function cloudEvent(subject: string, data: unknown, fields: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/realtime-plot/tests',
    type: 'RealtimePlot.Points',
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    ...fields,
  };
}

/** Polls until `condition` holds (generous time-out: the machine is shared). */
export async function waitFor<T>(condition: () => T | undefined | false, what: string, timeoutInMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
