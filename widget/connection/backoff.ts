/**
 * Capped exponential backoff with jitter, used for every retry the widget makes: connecting and
 * reconnecting (forever, unlike SignalR's default policy, which stops after four tries),
 * subscribing, and fetching history.
 */

export interface BackoffOptions {
  /** Delay before the first retry (before jitter). */
  initialDelayInMs?: number;
  /** Upper bound of any delay. */
  maxDelayInMs?: number;
}

const DEFAULT_INITIAL_DELAY_IN_MS = 500;
const DEFAULT_MAX_DELAY_IN_MS = 30_000;

/**
 * The delay before retry number `attempt` (0-based): doubling from `initialDelayInMs` up to
 * `maxDelayInMs`, then a random point in its upper half, so that many pages reconnecting after a
 * service restart spread out instead of arriving together.
 */
export function backoffDelayInMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayInMs ?? DEFAULT_INITIAL_DELAY_IN_MS;
  const max = options.maxDelayInMs ?? DEFAULT_MAX_DELAY_IN_MS;
  const ceiling = Math.min(max, initial * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
