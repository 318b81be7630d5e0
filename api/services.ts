/**
 * The clients the functions use, built from the settings in force and kept for as long as the
 * settings stay the same (one SignalR client, one table client, one JWKS cache, one set of rate
 * limit buckets per app). Each part is built on first use, so a missing setting only fails the
 * functions that need it, with an error naming the setting.
 */
import { CallerTokenVerifier } from './auth/caller-tokens.js';
import { RateLimiter } from './http/rate-limiter.js';
import { currentAppSettings, SETTING, SettingsError, type AppSettings } from './settings.js';
import { ClientAccessTokens } from './signalr/client-access-tokens.js';
import { ConnectionStringError, parseSignalRConnectionString, type SignalRServiceEndpoint } from './signalr/connection-string.js';
import { LiveMessageSender } from './signalr/live-message-sender.js';
import { SignalRRestClient } from './signalr/rest-client.js';
import { RecentPointsStore } from './store/recent-points-store.js';

export type RateLimitedOperation = 'negotiate' | 'subscribe' | 'history';

export interface Services {
  readonly settings: AppSettings;
  signalR(): SignalRRestClient;
  /** Live messages to their stream's group, batched per stream while a send is under way. */
  liveMessages(): LiveMessageSender;
  clientTokens(): ClientAccessTokens;
  store(): RecentPointsStore;
  /** Undefined when caller tokens are not configured. */
  callerTokens(): CallerTokenVerifier | undefined;
  /** Undefined when the operation's limit is 0 (off). */
  rateLimiter(operation: RateLimitedOperation): RateLimiter | undefined;
}

const servicesBySettings = new WeakMap<AppSettings, Services>();

/** The services for the settings in force (see settings.ts for how a host chooses them). */
export function currentServices(): Services {
  const settings = currentAppSettings();
  let services = servicesBySettings.get(settings);
  if (!services) {
    services = createServices(settings);
    servicesBySettings.set(settings, services);
  }
  return services;
}

function createServices(settings: AppSettings): Services {
  const endpoint = once(() => signalREndpoint(settings));
  const signalR = once(() => new SignalRRestClient(endpoint(), { hub: settings.hub, timeoutInMs: settings.signalRRequestTimeoutInMs }));
  const liveMessages = once(() => new LiveMessageSender(signalR()));
  const clientTokens = once(
    () => new ClientAccessTokens(endpoint(), { hub: settings.hub, lifetimeInSeconds: settings.accessTokenLifetimeInSeconds }),
  );
  const store = once(() => {
    if (!settings.storageConnectionString) throw new SettingsError(settings.storageSettingName, 'is not set');
    try {
      return new RecentPointsStore({
        connectionString: settings.storageConnectionString,
        tableName: settings.recentPointsTable,
        pointsPerStream: settings.recentPointsPerStream,
      });
    } catch {
      throw new SettingsError(settings.storageSettingName, 'is not a storage connection string');
    }
  });
  const callerTokens = once(() => (settings.callerJwt ? new CallerTokenVerifier(settings.callerJwt) : undefined));
  const limits: Record<RateLimitedOperation, number> = {
    negotiate: settings.rateLimits.negotiatePerMinute,
    subscribe: settings.rateLimits.subscribePerMinute,
    history: settings.rateLimits.historyPerMinute,
  };
  const limiters = new Map<RateLimitedOperation, RateLimiter | undefined>();
  return {
    settings,
    signalR,
    liveMessages,
    clientTokens,
    store,
    callerTokens,
    rateLimiter(operation) {
      if (!limiters.has(operation)) {
        limiters.set(operation, limits[operation] > 0 ? new RateLimiter({ perMinute: limits[operation] }) : undefined);
      }
      return limiters.get(operation);
    },
  };
}

function signalREndpoint(settings: AppSettings): SignalRServiceEndpoint {
  if (!settings.signalRConnectionString) throw new SettingsError(SETTING.signalRConnectionString, 'is not set');
  try {
    return parseSignalRConnectionString(settings.signalRConnectionString);
  } catch (error) {
    if (error instanceof ConnectionStringError) throw new SettingsError(SETTING.signalRConnectionString, `is not valid: ${error.message}`);
    throw error;
  }
}

/** A lazily built value; a build that throws is tried again next time. */
function once<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
