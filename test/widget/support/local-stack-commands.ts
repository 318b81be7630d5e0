/**
 * Server commands for the browser tests (web-test-runner `executeServerCommand`): start the real
 * local parts (see local-parts.ts) on one shared Azurite, publish Event Grid events to `ingest`,
 * take the SignalR service down and up again on the same port, and ask it about memberships.
 */
import type { TestRunnerPlugin } from '@web/test-runner';
import { startAzurite, type RunningAzurite } from '../../../api/local/azurite.js';
import { LocalParts, type LocalPartsOptions } from './local-parts.js';
import type { PublishRequest, StackCommand } from './stack-protocol.js';

type Payload = { id: string };

export function localStackCommands(): TestRunnerPlugin {
  const running = new Map<string, LocalParts>();
  let azurite: Promise<RunningAzurite> | undefined;

  const partsOf = ({ id }: Payload): LocalParts => {
    const parts = running.get(id);
    if (!parts) throw new Error(`no local stack ${JSON.stringify(id)}`);
    return parts;
  };

  const commands: Record<StackCommand, (payload: any) => Promise<unknown>> = {
    async 'stack-start'(options: LocalPartsOptions) {
      azurite ??= startAzurite();
      const parts = await LocalParts.start(await azurite, options);
      running.set(parts.info.id, parts);
      return parts.info;
    },
    async 'stack-stop'(payload: Payload) {
      await partsOf(payload).stop();
      running.delete(payload.id);
      return true;
    },
    'stack-publish': (payload: Payload & PublishRequest) => partsOf(payload).publish(payload),
    'stack-signalr-stop': async (payload: Payload) => (await partsOf(payload).stopSignalR(), true),
    'stack-signalr-start': async (payload: Payload) => (await partsOf(payload).startSignalR(), true),
    'stack-send-to-group': async (payload: Payload & { stream: string; target: string; arguments: unknown[] }) =>
      (await partsOf(payload).sendToGroup(payload.stream, payload.target, payload.arguments), true),
    'stack-user-in-group': (payload: Payload & { stream: string; userId: string }) => partsOf(payload).userInGroup(payload.stream, payload.userId),
    'stack-user-connected': (payload: Payload & { userId: string }) => partsOf(payload).userConnected(payload.userId),
  };

  return {
    name: 'realtime-plot-local-stack',
    async executeCommand({ command, payload }) {
      const run = commands[command as StackCommand];
      return run ? run(payload) : undefined;
    },
    async serverStop() {
      for (const parts of running.values()) await parts.stop();
      running.clear();
      if (azurite) await (await azurite).stop();
    },
  };
}
