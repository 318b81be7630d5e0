import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_TRACKED_AHEAD, SequenceTracker } from '../../widget/connection/sequence-tracker.js';

describe('SequenceTracker', () => {
  it('accepts each seq once, whatever the order and repetition', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 400 }), fc.integer({ min: 0, max: 50 }), (arrivals, synced) => {
        const tracker = new SequenceTracker();
        tracker.settle(synced);
        const accepted = arrivals.filter((seq) => tracker.accept(seq));
        expect(new Set(accepted).size).to.equal(accepted.length);
        expect(new Set(accepted)).to.deep.equal(new Set(arrivals.filter((seq) => seq > synced)));
      }),
    );
  });

  it('asks for a first backfill, then only for gaps', () => {
    const tracker = new SequenceTracker();
    expect(tracker.needsSync).to.equal(true);
    expect(tracker.syncAfter).to.equal(undefined);
    expect(tracker.accept(7)).to.equal(true); // live, before the backfill answered
    tracker.settle(6);
    expect(tracker.needsSync).to.equal(false);
    expect(tracker.accept(8)).to.equal(true);
    expect(tracker.accept(10)).to.equal(true);
    expect(tracker.needsSync).to.equal(true);
    expect(tracker.syncAfter).to.equal(8);
    expect(tracker.accept(9)).to.equal(true);
    expect(tracker.needsSync).to.equal(false);
    expect(tracker.accept(10)).to.equal(false);
  });

  it('treats history as complete up to its lastSeq', () => {
    const tracker = new SequenceTracker();
    tracker.settle(3);
    tracker.accept(6);
    tracker.settle(5); // history had 4 and 5 (or they are older than it keeps)
    expect(tracker.needsSync).to.equal(false);
    expect(tracker.syncAfter).to.equal(6);
  });

  it('gives up the oldest gaps rather than tracking without bound', () => {
    const tracker = new SequenceTracker();
    tracker.settle(0);
    for (let seq = 2; seq <= MAX_TRACKED_AHEAD + 2; seq += 1) tracker.accept(seq);
    expect(tracker.needsSync).to.equal(false);
    expect(tracker.syncAfter).to.equal(MAX_TRACKED_AHEAD + 2);
    expect(tracker.accept(1)).to.equal(false);
    // Without a first sync, everything seen is tracked until the bound, then folded the same way.
    const unsynced = new SequenceTracker();
    for (let seq = 1; seq <= 3 * MAX_TRACKED_AHEAD; seq += 2) unsynced.accept(seq);
    expect(unsynced.syncAfter).to.be.a('number');
    expect(unsynced.accept(1)).to.equal(false);
  });
});
