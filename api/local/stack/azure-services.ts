/**
 * Which real Azure services the environment names. Each one present switches off its local
 * stand-in: `AzureSignalRConnectionString` the SignalR Service stand-in, `EVENTGRID_TOPIC_ENDPOINT`
 * with `EVENTGRID_TOPIC_KEY` the Event Grid topic stand-in, a storage connection string
 * (`RECENT_POINTS_STORAGE` or `AzureWebJobsStorage`) Azurite. `UseDevelopmentStorage=true` counts:
 * it names an Azurite already running on the default ports, which is then used.
 */
import { SETTING } from '../../settings.js';
import { STAND_IN_PORTS, StackConfigurationError, type StackPortName, type StackPorts } from './port-settings.js';

const TOPIC_ENDPOINT_VARIABLE = 'EVENTGRID_TOPIC_ENDPOINT';
const TOPIC_KEY_VARIABLE = 'EVENTGRID_TOPIC_KEY';

/** Where a topic takes events and the key it takes them with (Azure's or the stand-in's). */
export interface TopicAccess {
  endpoint: string;
  key: string;
}

export interface AzureServices {
  signalRConnectionString?: string;
  topic?: TopicAccess;
  /** Set when storage is given (Azure Storage, or a running Azurite); the settings carrying it pass through unchanged. */
  storageConnectionString?: string;
}

export function detectAzureServices(env: Readonly<Record<string, string | undefined>>): AzureServices {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const endpoint = value(TOPIC_ENDPOINT_VARIABLE);
  const key = value(TOPIC_KEY_VARIABLE);
  if ((endpoint === undefined) !== (key === undefined)) {
    const missing = endpoint === undefined ? TOPIC_ENDPOINT_VARIABLE : TOPIC_KEY_VARIABLE;
    throw new StackConfigurationError(`${missing} is not set; an Azure Event Grid topic needs both ${TOPIC_ENDPOINT_VARIABLE} and ${TOPIC_KEY_VARIABLE}.`);
  }
  return {
    signalRConnectionString: value(SETTING.signalRConnectionString),
    topic: endpoint && key ? { endpoint, key } : undefined,
    storageConnectionString: value(SETTING.recentPointsStorage) ?? value(SETTING.hostStorage),
  };
}

/** The ports the stack will listen on: all of them but those of the stand-ins that `azure` replaces. */
export function portsToOpen(ports: StackPorts, azure: AzureServices): Partial<StackPorts> {
  const skipped = new Set<StackPortName>([
    ...(azure.storageConnectionString ? STAND_IN_PORTS.storage : []),
    ...(azure.signalRConnectionString ? STAND_IN_PORTS.signalR : []),
    ...(azure.topic ? STAND_IN_PORTS.topic : []),
  ]);
  return Object.fromEntries(Object.entries(ports).filter(([name]) => !skipped.has(name as StackPortName)));
}
