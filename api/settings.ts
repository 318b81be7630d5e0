/**
 * The Function app's settings, read from app settings (environment variables in Azure).
 *
 * The functions read settings only through `currentAppSettings()`. In Azure (and under any host
 * that sets environment variables) that is `process.env`. A host that runs several apps in one
 * process, like the local Functions host, runs each invocation inside `runWithAppSettings(env, fn)`
 * so that each app sees its own settings without touching `process.env`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseStreamPatterns, type StreamPatterns } from './streams/stream-patterns.js';

/** Raw app settings: name -> value, as in `process.env`. */
export type AppSettingsSource = Readonly<Record<string, string | undefined>>;

/** A setting that is missing where it is needed, or does not parse. Names the setting, never echoes its value. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`app setting ${setting} ${problem}`);
    this.name = 'SettingsError';
  }
}

export interface CallerJwtSettings {
  /** HS256/384/512 shared secret (UTF-8), or undefined when a JWKS URL is used. */
  secret?: string;
  /** URL of the issuer's JSON Web Key Set (asymmetric keys), or undefined when a secret is used. */
  jwksUrl?: URL;
  issuer: string;
  audience: string;
  /** Claim holding the stream patterns the caller may read. */
  streamsClaim: string;
  clockSkewInSeconds: number;
}

export interface RateLimitSettings {
  /** Requests per minute per client address; 0 turns the limit off. Bursts up to the same number. */
  negotiatePerMinute: number;
  subscribePerMinute: number;
  historyPerMinute: number;
  /** Proxies in front of the app that append to `X-Forwarded-For` beyond the platform's own front end. */
  trustedProxyHops: number;
}

export interface AppSettings {
  /** `AzureSignalRConnectionString`; checked when the SignalR client is built. */
  signalRConnectionString: string | undefined;
  hub: string;
  /** Storage connection string of the recent-points table. */
  storageConnectionString: string | undefined;
  /** Which setting `storageConnectionString` came from, for error messages. */
  storageSettingName: string;
  recentPointsTable: string;
  recentPointsPerStream: number;
  publicStreams: StreamPatterns;
  callerJwt: CallerJwtSettings | undefined;
  accessTokenLifetimeInSeconds: number;
  sessionGraceInSeconds: number;
  subscriptionTtlInSeconds: number;
  signalRRequestTimeoutInMs: number;
  rateLimits: RateLimitSettings;
  corsAllowedOrigins: string[];
}

/** Setting names, in one place so that docs, hosts and tests use the same spelling. */
export const SETTING = {
  signalRConnectionString: 'AzureSignalRConnectionString',
  hub: 'SIGNALR_HUB',
  hostStorage: 'AzureWebJobsStorage',
  recentPointsStorage: 'RECENT_POINTS_STORAGE',
  recentPointsTable: 'RECENT_POINTS_TABLE',
  recentPointsPerStream: 'RECENT_POINTS_PER_STREAM',
  publicStreams: 'PUBLIC_STREAMS',
  callerJwtSecret: 'CALLER_JWT_SECRET',
  callerJwtJwksUrl: 'CALLER_JWT_JWKS_URL',
  callerJwtIssuer: 'CALLER_JWT_ISSUER',
  callerJwtAudience: 'CALLER_JWT_AUDIENCE',
  callerJwtStreamsClaim: 'CALLER_JWT_STREAMS_CLAIM',
  callerJwtClockSkewSeconds: 'CALLER_JWT_CLOCK_SKEW_SECONDS',
  accessTokenLifetimeMinutes: 'ACCESS_TOKEN_LIFETIME_MINUTES',
  sessionGraceHours: 'SESSION_GRACE_HOURS',
  subscriptionTtlSeconds: 'SUBSCRIPTION_TTL_SECONDS',
  signalRRequestTimeoutSeconds: 'SIGNALR_REQUEST_TIMEOUT_SECONDS',
  negotiateRateLimit: 'RATE_LIMIT_NEGOTIATE_PER_MINUTE',
  subscribeRateLimit: 'RATE_LIMIT_SUBSCRIBE_PER_MINUTE',
  historyRateLimit: 'RATE_LIMIT_HISTORY_PER_MINUTE',
  trustedProxyHops: 'RATE_LIMIT_TRUSTED_PROXY_HOPS',
  corsAllowedOrigins: 'CORS_ALLOWED_ORIGINS',
} as const;

const HUB_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const CLAIM_NAME = /^[\x21-\x7e]{1,64}$/;

/** Parses raw app settings; throws `SettingsError` naming the first bad setting. */
export function parseAppSettings(env: AppSettingsSource): AppSettings {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new SettingsError(name, `must be a whole number from ${min} to ${max}`);
    }
    return Number(raw);
  };

  const hub = value(SETTING.hub) ?? 'realtimeplot';
  if (!HUB_NAME.test(hub)) throw new SettingsError(SETTING.hub, 'must start with a letter and hold only letters, digits and _');
  const recentPointsTable = value(SETTING.recentPointsTable) ?? 'recentpoints';
  if (!TABLE_NAME.test(recentPointsTable)) {
    throw new SettingsError(SETTING.recentPointsTable, 'must be 3 to 63 letters and digits, starting with a letter');
  }
  const ownStorage = value(SETTING.recentPointsStorage);

  let publicStreams: StreamPatterns;
  try {
    publicStreams = parseStreamPatterns((value(SETTING.publicStreams) ?? '').split(','));
  } catch (error) {
    throw new SettingsError(SETTING.publicStreams, `is not a list of stream patterns: ${(error as Error).message}`);
  }

  return {
    signalRConnectionString: value(SETTING.signalRConnectionString),
    hub,
    storageConnectionString: ownStorage ?? value(SETTING.hostStorage),
    storageSettingName: ownStorage ? SETTING.recentPointsStorage : SETTING.hostStorage,
    recentPointsTable,
    recentPointsPerStream: integer(SETTING.recentPointsPerStream, 2000, 1, 100_000),
    publicStreams,
    callerJwt: parseCallerJwtSettings(value, integer),
    accessTokenLifetimeInSeconds: integer(SETTING.accessTokenLifetimeMinutes, 60, 1, 24 * 60) * 60,
    sessionGraceInSeconds: integer(SETTING.sessionGraceHours, 24, 0, 24 * 30) * 3600,
    subscriptionTtlInSeconds: integer(SETTING.subscriptionTtlSeconds, 86_400, 60, 365 * 86_400),
    signalRRequestTimeoutInMs: integer(SETTING.signalRRequestTimeoutSeconds, 10, 1, 120) * 1000,
    rateLimits: {
      negotiatePerMinute: integer(SETTING.negotiateRateLimit, 60, 0, 1_000_000),
      subscribePerMinute: integer(SETTING.subscribeRateLimit, 600, 0, 1_000_000),
      historyPerMinute: integer(SETTING.historyRateLimit, 600, 0, 1_000_000),
      trustedProxyHops: integer(SETTING.trustedProxyHops, 0, 0, 10),
    },
    corsAllowedOrigins: parseOrigins(value(SETTING.corsAllowedOrigins)),
  };
}

function parseCallerJwtSettings(
  value: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
): CallerJwtSettings | undefined {
  const secret = value(SETTING.callerJwtSecret);
  const jwksUrl = value(SETTING.callerJwtJwksUrl);
  if (!secret && !jwksUrl) return undefined;
  if (secret && jwksUrl) {
    throw new SettingsError(SETTING.callerJwtSecret, `and ${SETTING.callerJwtJwksUrl} are both set; set one`);
  }
  // HS256 wants a key at least as long as its hash (RFC 7518 §3.2).
  if (secret && Buffer.byteLength(secret, 'utf8') < 32) {
    throw new SettingsError(SETTING.callerJwtSecret, 'must be at least 32 bytes long');
  }
  let url: URL | undefined;
  if (jwksUrl) {
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new SettingsError(SETTING.callerJwtJwksUrl, 'is not a URL');
    }
    // Keys fetched over plain HTTP could be swapped on the way; only a loopback identity provider may use it.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new SettingsError(SETTING.callerJwtJwksUrl, 'must be an https: URL (http: only on loopback: localhost, 127.x.x.x, [::1])');
    }
  }
  // Issuer and audience are required: a token minted for another app must not open streams here.
  const issuer = value(SETTING.callerJwtIssuer);
  if (!issuer) throw new SettingsError(SETTING.callerJwtIssuer, 'is required when caller tokens are configured');
  const audience = value(SETTING.callerJwtAudience);
  if (!audience) throw new SettingsError(SETTING.callerJwtAudience, 'is required when caller tokens are configured');
  const streamsClaim = value(SETTING.callerJwtStreamsClaim) ?? 'streams';
  if (!CLAIM_NAME.test(streamsClaim)) throw new SettingsError(SETTING.callerJwtStreamsClaim, 'is not a claim name');
  return {
    secret,
    jwksUrl: url,
    issuer,
    audience,
    streamsClaim,
    clockSkewInSeconds: integer(SETTING.callerJwtClockSkewSeconds, 60, 0, 600),
  };
}

/** Whether a URL's host name is this machine's loopback interface. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** `CORS_ALLOWED_ORIGINS`: comma-separated origins (a trailing `/` is ignored); `*` means any. */
export function parseOrigins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0);
}

const settingsScope = new AsyncLocalStorage<AppSettingsSource>();

/** Runs `fn` (and everything it awaits) with `env` as the app settings instead of `process.env`. */
export function runWithAppSettings<T>(env: AppSettingsSource, fn: () => T): T {
  return settingsScope.run(env, fn);
}

/** The raw settings in force: the enclosing `runWithAppSettings` scope, else `process.env`. */
function currentAppSettingsSource(): AppSettingsSource {
  return settingsScope.getStore() ?? process.env;
}

// Parsed settings are cached by their raw values, so that an unchanged environment yields the
// same object (and so the same clients, see services.ts) on every invocation.
const parsedCache = new Map<string, AppSettings>();
const PARSED_CACHE_LIMIT = 16;
const SETTING_NAMES = Object.values(SETTING);

/** The parsed settings in force. Throws `SettingsError` if a setting does not parse. */
export function currentAppSettings(): AppSettings {
  const source = currentAppSettingsSource();
  const key = JSON.stringify(SETTING_NAMES.map((name) => source[name] ?? null));
  let settings = parsedCache.get(key);
  if (!settings) {
    settings = parseAppSettings(source);
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.delete(parsedCache.keys().next().value!);
    parsedCache.set(key, settings);
  }
  return settings;
}
