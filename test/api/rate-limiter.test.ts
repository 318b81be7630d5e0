import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../api/http/rate-limiter.js';

describe('RateLimiter (token bucket per client)', () => {
  it('allows a burst of perMinute, then one more per 60/perMinute seconds', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 3, now: () => now });
    assert.deepEqual([1, 2, 3].map(() => limiter.take('a').allowed), [true, true, true]);
    assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterInSeconds: 20 });
    now += 19_000;
    assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterInSeconds: 1 });
    now += 1_000;
    assert.equal(limiter.take('a').allowed, true);
  });

  it('counts each client on its own', () => {
    const limiter = new RateLimiter({ perMinute: 1, now: () => 0 });
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
    assert.equal(limiter.take('b').allowed, true);
  });

  it('remembers at most maxClients, forgetting the least recently seen', () => {
    const limiter = new RateLimiter({ perMinute: 1, maxClients: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c'); // forgets b, the least recently seen
    assert.equal(limiter.take('a').allowed, false, 'a is still remembered');
    assert.equal(limiter.take('b').allowed, true, 'b starts again with a full bucket');
  });
});
