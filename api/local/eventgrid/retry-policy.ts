/**
 * Event Grid's delivery retry policy. Azure retries a failed delivery after 10 s, 30 s, 1 min,
 * 5 min, 10 min, 30 min, 1 h, 3 h, 6 h and then every 12 h, up to 30 attempts and a 24 h event
 * time-to-live, and waits 30 s for each answer. The local topic keeps that shape with the
 * delays and the time-to-live divided by 100, so a failing webhook is retried within a demo's
 * time span; both are options.
 */
import { STATUS_CODES } from 'node:http';

export interface DeliveryRetryOptions {
  /** Delay before the 2nd, 3rd, ... attempt; the last one repeats. */
  delaysInMs?: number[];
  /** Attempts (first delivery included) before an event is dead-lettered. */
  maxDeliveryAttempts?: number;
  /** Age (since it was published) after which an undelivered event is dead-lettered. */
  eventTimeToLiveInMs?: number;
  /** How long a webhook may take to answer one delivery (or the handshake). */
  responseTimeoutInMs?: number;
}

export type DeliveryRetryPolicy = Required<DeliveryRetryOptions>;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const AZURE_RETRY_POLICY: DeliveryRetryPolicy = {
  delaysInMs: [10 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR],
  maxDeliveryAttempts: 30,
  eventTimeToLiveInMs: 24 * HOUR,
  responseTimeoutInMs: 30 * SECOND,
};

/** How much faster than Azure the local topic's default schedule runs. */
const LOCAL_TIME_SCALE = 100;

export const LOCAL_RETRY_POLICY: DeliveryRetryPolicy = {
  ...AZURE_RETRY_POLICY,
  delaysInMs: AZURE_RETRY_POLICY.delaysInMs.map((delay) => delay / LOCAL_TIME_SCALE),
  eventTimeToLiveInMs: AZURE_RETRY_POLICY.eventTimeToLiveInMs / LOCAL_TIME_SCALE,
};

/** `options` over `base`, checked: every number a positive integer (delays may be 0). */
export function resolveRetryPolicy(options: DeliveryRetryOptions | undefined, base: DeliveryRetryPolicy): DeliveryRetryPolicy {
  const policy = { ...base, ...withoutUndefined(options ?? {}) };
  if (!Array.isArray(policy.delaysInMs) || policy.delaysInMs.length === 0 ||
      !policy.delaysInMs.every((delay) => Number.isInteger(delay) && delay >= 0)) {
    throw new TypeError(`retry.delaysInMs must be a non-empty list of whole milliseconds >= 0, got ${JSON.stringify(policy.delaysInMs)}`);
  }
  for (const name of ['maxDeliveryAttempts', 'eventTimeToLiveInMs', 'responseTimeoutInMs'] as const) {
    if (!Number.isInteger(policy[name]) || policy[name] < 1) {
      throw new TypeError(`retry.${name} must be a whole number >= 1, got ${String(policy[name])}`);
    }
  }
  return policy;
}

/** Delay before the next attempt after `failedAttempts` failed ones. */
export function retryDelayInMs(policy: DeliveryRetryPolicy, failedAttempts: number): number {
  return policy.delaysInMs[Math.min(failedAttempts, policy.delaysInMs.length) - 1];
}

export type StatusVerdict = 'delivered' | 'retry' | 'dead-letter';

/** 200-204 is success; 400, 401 and 413 are not retried (the event is dead-lettered at once). */
export function verdictForStatus(status: number): StatusVerdict {
  if (status >= 200 && status <= 204) return 'delivered';
  return status === 400 || status === 401 || status === 413 ? 'dead-letter' : 'retry';
}

/** `NotFound`, `InternalServerError`, ...: the HTTP reason phrase as Event Grid names an outcome. */
export function outcomeForStatus(status: number): string {
  return (STATUS_CODES[status] ?? `Status${status}`).replace(/[^A-Za-z0-9]/g, '');
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
