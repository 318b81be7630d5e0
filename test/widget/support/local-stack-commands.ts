/**
 * Server commands for the browser tests (web-test-runner `executeServerCommand`): start the real
 * local parts — Azurite, the SignalR Service stand-in and the Functions host with the app's
 * functions — publish Event Grid events to `ingest` as Event Grid delivers them, take the
 * SignalR service down and up again on the same port, and ask the service about memberships.
 */
import { randomUUID } from 'node:crypto';
import type { TestRunnerPlugin } from '@web/test-runner';
import { startAzurite, type RunningAzurite } from '../../../api/local/azurite.js';
import { startFunctionsHost, type RunningFunctionsHost } from '../../../api/local/functions-host.js';
import { startSignalRService, type LocalSignalRService } from '../../../api/local/signalr/service.js';
import { parseSignalRConnectionString } from '../../../api/signalr/connection-string.js';
import { SignalRRestClient } from '../../../api/signalr/rest-client.js';
import type { LocalStackInfo, PublishRequest, StackCommand } from './stack-protocol.js';

interface LocalStack {
  info: LocalStackInfo;
  signalR?: LocalSignalRService;
  signalRPort: number;
  accessKey: string;
  functions: RunningFunctionsHost;
  rest: SignalRRestClient;
  hubName: string;
}

const HUB_NAME = 'realtimeplot';
const EVENT_TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.EventGrid/topics/widget-tests';

export function localStackCommands(): TestRunnerPlugin {
  const stacks = new Map<string, LocalStack>();
  let azurite: Promise<RunningAzurite> | undefined;

  const stackOf = (payload: unknown): LocalStack => {
    const id = (payload as { id?: string } | undefined)?.id;
    const stack = id ? stacks.get(id) : undefined;
    if (!stack) throw new Error(`no local stack ${JSON.stringify(id)}`);
    return stack;
  };

  const commands: Record<StackCommand, (payload: any) => Promise<unknown>> = {
    async 'stack-start'(payload: { publicStreams?: string; settings?: Record<string, string> }) {
      azurite ??= startAzurite();
      const storage = await azurite;
      const id = randomUUID().slice(0, 8);
      const signalR = await startSignalRService({ port: 0 });
      const settings: Record<string, string> = {
        AzureSignalRConnectionString: signalR.connectionString,
        AzureWebJobsStorage: storage.connectionString,
        SIGNALR_HUB: HUB_NAME,
        // One table per stack: tests do not see each other's points.
        RECENT_POINTS_TABLE: `widget${id}`,
        PUBLIC_STREAMS: payload.publicStreams ?? 'demo/*',
        RATE_LIMIT_NEGOTIATE_PER_MINUTE: '0',
        RATE_LIMIT_SUBSCRIBE_PER_MINUTE: '0',
        RATE_LIMIT_HISTORY_PER_MINUTE: '0',
        ...payload.settings,
      };
      const functions = await startFunctionsHost({ port: 0, settings, corsAllowedOrigins: ['*'], log: () => undefined });
      const info: LocalStackInfo = { id, hub: functions.apiUrl, signalREndpoint: signalR.endpoint };
      stacks.set(id, {
        info,
        signalR,
        signalRPort: signalR.port,
        accessKey: signalR.accessKey,
        functions,
        rest: new SignalRRestClient(parseSignalRConnectionString(signalR.connectionString), { hub: HUB_NAME }),
        hubName: HUB_NAME,
      });
      return info;
    },

    async 'stack-stop'(payload) {
      const stack = stackOf(payload);
      stacks.delete(stack.info.id);
      await stack.functions.stop();
      await stack.signalR?.stop();
      return true;
    },

    /** Delivers one event to `ingest` as Event Grid does; answers the webhook's HTTP status. */
    async 'stack-publish'(payload: PublishRequest & { id: string }) {
      const stack = stackOf(payload);
      const event = {
        id: payload.eventId ?? randomUUID(),
        subject: payload.stream,
        eventType: 'RealtimePlot.Points',
        eventTime: new Date().toISOString(),
        data: payload.data,
        dataVersion: '1.0',
        metadataVersion: '1',
        topic: EVENT_TOPIC,
      };
      const response = await fetch(stack.functions.eventGridWebhookUrl('ingest'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
        body: JSON.stringify([event]),
      });
      await response.arrayBuffer();
      return response.status;
    },

    /** Stops the SignalR service: clients get a Close that allows reconnecting, and the port is freed. */
    async 'stack-signalr-stop'(payload) {
      const stack = stackOf(payload);
      await stack.signalR?.stop();
      stack.signalR = undefined;
      return true;
    },

    /** Starts the SignalR service again on the same port with the same key (it remembers nothing). */
    async 'stack-signalr-start'(payload) {
      const stack = stackOf(payload);
      stack.signalR ??= await startSignalRService({ port: stack.signalRPort, accessKey: stack.accessKey });
      return true;
    },

    /** Sends an invocation to a stream's group through the service's REST API, as the API's `ingest` does. */
    async 'stack-send-to-group'(payload: { id: string; stream: string; target: string; arguments: unknown[] }) {
      await stackOf(payload).rest.sendToGroup(payload.stream, { target: payload.target, arguments: payload.arguments });
      return true;
    },

    async 'stack-user-in-group'(payload: { id: string; stream: string; userId: string }) {
      return stackOf(payload).rest.userInGroup(payload.stream, payload.userId);
    },

    /** Whether the user has any connection to the hub. */
    async 'stack-user-connected'(payload: { id: string; userId: string }) {
      return stackOf(payload).rest.userExists(payload.userId);
    },
  };

  return {
    name: 'realtime-plot-local-stack',
    async executeCommand({ command, payload }) {
      const run = commands[command as StackCommand];
      return run ? run(payload) : undefined;
    },
    async serverStop() {
      for (const stack of stacks.values()) {
        await stack.functions.stop();
        await stack.signalR?.stop();
      }
      stacks.clear();
      if (azurite) await (await azurite).stop();
    },
  };
}
