/**
 * Which real Azure services the environment names. Each one present switches off its local
 * stand-in: `AzureSignalRConnectionString` the SignalR Service stand-in, `EVENTGRID_TOPIC_ENDPOINT`
 * with `EVENTGRID_TOPIC_KEY` the Event Grid topic stand-in, a storage connection string
 * (`RECENT_POINTS_STORAGE` or `AzureWebJobsStorage`, other than `UseDevelopmentStorage=true`) Azurite.
 */
import { SETTING } from '../../settings.js';
import { StackConfigurationError } from './port-settings.js';

export const TOPIC_ENDPOINT_VARIABLE = 'EVENTGRID_TOPIC_ENDPOINT';
export const TOPIC_KEY_VARIABLE = 'EVENTGRID_TOPIC_KEY';

export interface AzureTopic {
  endpoint: string;
  key: string;
}

export interface AzureServices {
  signalRConnectionString?: string;
  topic?: AzureTopic;
  /** Set when the recent-points store is in Azure Storage; the settings carrying it pass through unchanged. */
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
  const storage = [value(SETTING.recentPointsStorage), value(SETTING.hostStorage)].find(
    (connectionString) => connectionString !== undefined && !/^UseDevelopmentStorage=true;?$/i.test(connectionString),
  );
  return {
    signalRConnectionString: value(SETTING.signalRConnectionString),
    topic: endpoint && key ? { endpoint, key } : undefined,
    storageConnectionString: storage,
  };
}
