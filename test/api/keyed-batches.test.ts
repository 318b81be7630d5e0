import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedBatches } from '../../api/keyed-batches.js';

type Item = { note: string } | { event: string };

/** Batches of every key as processed, each a list of item names, with when it started. */
function recordingBatches(lingerForMs?: number) {
  const processed: { key: string; items: string[]; atMs: number }[] = [];
  const started = performance.now();
  const batches = new KeyedBatches<Item, string>({
    select: (waiting) => waiting.map((_, index) => index),
    process: async (key, items) => {
      processed.push({ key, items: items.map((item) => ('note' in item ? item.note : item.event)), atMs: performance.now() - started });
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item) => ('note' in item ? `noted ${item.note}` : `recorded ${item.event}`));
    },
    ...(lingerForMs !== undefined && { linger: { forMs: lingerForMs, applies: (item: Item) => 'note' in item } }),
  });
  return { batches, processed };
}

describe('KeyedBatches', () => {
  it('starts an item at an idle key at once, and batches what arrives meanwhile, per key', async () => {
    const { batches, processed } = recordingBatches();
    const results = await Promise.all([
      batches.add('a', { event: 'a1' }),
      batches.add('a', { event: 'a2' }),
      batches.add('b', { event: 'b1' }),
      batches.add('a', { event: 'a3' }),
    ]);
    assert.deepEqual(results, ['recorded a1', 'recorded a2', 'recorded b1', 'recorded a3']);
    assert.deepEqual(processed.map(({ key, items }) => ({ key, items })), [
      { key: 'a', items: ['a1'] },
      { key: 'b', items: ['b1'] },
      { key: 'a', items: ['a2', 'a3'] },
    ]);
  });

  it('lets items that may linger wait for company, and no longer than the linger', async () => {
    const { batches, processed } = recordingBatches(200);
    const note = batches.add('a', { note: 'n1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const event = batches.add('a', { event: 'e1' });
    assert.deepEqual(await Promise.all([note, event]), ['noted n1', 'recorded e1']);
    assert.deepEqual(processed[0].items, ['n1', 'e1'], 'the note went with the event that came 20 ms later');
    assert.ok(processed[0].atMs < 150, `the event ended the linger (${processed[0].atMs.toFixed(0)} ms)`);

    const alone = await batches.add('b', { note: 'n2' });
    assert.equal(alone, 'noted n2');
    assert.ok(processed[1].atMs - processed[0].atMs >= 190, 'a note with no company goes when the linger ends');
  });

  it('fails every item of a batch whose processing throws, and goes on with the next', async () => {
    let calls = 0;
    const batches = new KeyedBatches<string, string>({
      select: (waiting) => waiting.map((_, index) => index),
      process: async (_, items) => {
        calls += 1;
        if (calls === 1) throw new Error('storage down');
        return items;
      },
    });
    const outcomes = await Promise.allSettled([batches.add('k', 'x'), batches.add('k', 'y')]);
    assert.deepEqual(outcomes.map((outcome) => outcome.status), ['rejected', 'fulfilled']);
  });

  it('fails the oldest item when choosing a batch fails, and goes on with the rest', async () => {
    let selections = 0;
    const batches = new KeyedBatches<string, string>({
      select: (waiting) => {
        selections += 1;
        if (selections === 2) throw new Error('select failed');
        return waiting.map((_, index) => index);
      },
      process: async (_, items) => items.map((item) => `done ${item}`),
    });
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((item) => batches.add('k', item)));
    assert.deepEqual(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message)), ['done a', 'select failed', 'done c']);
  });
});
