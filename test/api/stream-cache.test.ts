import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { emptyBucket, type KnownBucket } from '../../api/store/id-buckets.js';
import { StreamMemory } from '../../api/store/stream-cache.js';

const bucketOf = (ids: number): KnownBucket => ({ ...emptyBucket(), ids: new Map(Array.from({ length: ids }, (_, i) => [`hash-${i}`, i + 1])) });
const counter = { state: { lastSeq: 1, oldestSeq: 1, storedPoints: 1, sentThrough: 0 }, etag: 'W/"1"' };

describe('StreamMemory', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_733_250_000_000 }));
  afterEach(() => mock.timers.reset());

  it('forgets a bucket unused for a minute, so that memory follows the recent rate', () => {
    const memory = new StreamMemory();
    memory.adopt(counter);
    memory.noteBucket(1, bucketOf(10));
    mock.timers.tick(30_000);
    memory.noteBucket(2, bucketOf(10));
    mock.timers.tick(31_000);
    memory.noteBucket(3, bucketOf(10));
    assert.equal(memory.bucket(1), undefined, 'idle for 61 s');
    assert.ok(memory.bucket(2), 'used 31 s ago');
    assert.ok(memory.bucket(3));
  });

  it('keeps at most 20,000 known ids of a stream, the least recently used going first', () => {
    const memory = new StreamMemory();
    memory.adopt(counter);
    memory.noteBucket(1, bucketOf(9000));
    memory.noteBucket(2, bucketOf(9000));
    memory.bucket(1);
    memory.noteBucket(3, bucketOf(9000));
    assert.ok(memory.bucket(1), 'used lately');
    assert.equal(memory.bucket(2), undefined, 'used least lately');
    memory.noteBucket(4, bucketOf(25_000));
    assert.equal(memory.bucket(4), undefined, 'a bucket larger than the bound alone is not kept');
  });

  it('forgets the buckets when the counter changed under another ETag, not when it wrote the counter itself', () => {
    const memory = new StreamMemory();
    memory.adopt(counter);
    memory.noteBucket(1, bucketOf(1));
    memory.wrote({ ...counter, etag: 'W/"2"' });
    assert.ok(memory.bucket(1), 'its own write');
    memory.adopt({ ...counter, etag: 'W/"3"' });
    assert.equal(memory.bucket(1), undefined, 'another writer');
  });
});
