/**
 * Per-client token buckets: `perMinute` requests a minute, in bursts of up to `perMinute`.
 * In memory, so each Function App instance counts on its own. Bounded: the least recently seen
 * clients are forgotten past `maxClients` (a forgotten client starts again with a full bucket).
 */

export interface RateLimiterOptions {
  perMinute: number;
  maxClients?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterInSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    this.#capacity = options.perMinute;
    this.#refillPerMs = options.perMinute / 60_000;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  take(client: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.#capacity, updatedAt: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs);
    bucket.updatedAt = now;
    // Re-inserting keeps the map in least-recently-seen order for eviction.
    this.#buckets.delete(client);
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > this.#maxClients) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterInSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#refillPerMs / 1000)) };
  }
}
