/**
 * The browser side of the local stack: a real Functions host, SignalR Service stand-in and
 * Azurite, driven from tests through web-test-runner server commands.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { existingHubClient } from '../../../widget/connection/hub-client-pool.js';
import { removePlots, waitFor } from './plot-fixture.js';
import type { LocalStackInfo, PublishRequest, StackCommand } from './stack-protocol.js';

async function command<T>(name: StackCommand, payload: object): Promise<T> {
  return (await executeServerCommand(name, payload)) as T;
}

export interface LocalStackOptions {
  /** `PUBLIC_STREAMS` of the API; default `demo/*`. */
  publicStreams?: string;
  /** More app settings of the API. */
  settings?: Record<string, string>;
}

export class LocalStack {
  private constructor(private readonly info: LocalStackInfo) {}

  static async start(options: LocalStackOptions = {}): Promise<LocalStack> {
    return new LocalStack(await command<LocalStackInfo>('stack-start', options));
  }

  /** The widget's `hub`. */
  get hub(): string {
    return this.info.hub;
  }

  /** The SignalR service's URL (where the widget's connection goes). */
  get signalREndpoint(): string {
    return this.info.signalREndpoint;
  }

  /** Publishes one event (as Event Grid delivers it to `ingest`); resolves with the webhook's status. */
  publish(request: PublishRequest): Promise<number> {
    return command('stack-publish', { id: this.info.id, ...request });
  }

  /** Publishes one point per call, in order (each ingest finishes before the next starts). */
  async publishPoints(stream: string, points: { series?: string; x: number; y: number }[]): Promise<void> {
    for (const point of points) {
      const status = await this.publish({ stream, data: { points: [point] } });
      if (status !== 202) throw new Error(`publish answered ${status}`);
    }
  }

  /** Stops the SignalR service (connections are closed with "reconnect allowed"). */
  stopSignalR(): Promise<void> {
    return command('stack-signalr-stop', { id: this.info.id });
  }

  /** Starts the SignalR service again on its port; it has forgotten every group. */
  startSignalR(): Promise<void> {
    return command('stack-signalr-start', { id: this.info.id });
  }

  /** Sends any invocation to a stream's group through the SignalR REST API (bypassing `ingest`'s checks). */
  sendToGroup(stream: string, target: string, args: unknown[]): Promise<void> {
    return command('stack-send-to-group', { id: this.info.id, stream, target, arguments: args });
  }

  userInGroup(stream: string, userId: string): Promise<boolean> {
    return command('stack-user-in-group', { id: this.info.id, stream, userId });
  }

  userConnected(userId: string): Promise<boolean> {
    return command('stack-user-connected', { id: this.info.id, userId });
  }

  stop(): Promise<void> {
    return command('stack-stop', { id: this.info.id });
  }
}

/**
 * A local stack for the tests of one `describe` block: started before them, stopped after them.
 * The plots a test created are removed after it; with `freshConnectionPerTest`, the test also
 * waits for the page's connection to the hub to close, so that the next one starts from nothing.
 */
export function useLocalStack(options: LocalStackOptions & { freshConnectionPerTest?: boolean } = {}): () => LocalStack {
  let stack: LocalStack | undefined;
  const started = () => {
    if (!stack) throw new Error('the local stack is not started yet');
    return stack;
  };
  before(async () => {
    stack = await LocalStack.start(options);
  });
  afterEach(async () => {
    removePlots();
    if (options.freshConnectionPerTest) await waitFor(() => existingHubClient(started().hub) === undefined, 'the connection to the hub to close');
  });
  after(async () => {
    removePlots();
    await stack?.stop();
  });
  return started;
}
