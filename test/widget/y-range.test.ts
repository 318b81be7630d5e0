import { expect } from 'chai';
import { StickyYRange, yExtent } from '../../widget/render/y-range.js';

describe('y range while following live', () => {
  it('fits the data with headroom and keeps the range while the data stay in it', () => {
    const range = new StickyYRange();
    expect(range.fit([0, 10])).to.deep.equal([-1, 11]);
    expect(range.fit([2, 9])).to.deep.equal([-1, 11]);
    const [low, high] = range.fit([0, 12])!;
    expect(low).to.be.closeTo(-1.2, 1e-9);
    expect(high).to.be.closeTo(13.2, 1e-9);
  });

  it('refits when the data shrink to a small part of the range', () => {
    const range = new StickyYRange();
    range.fit([0, 100]);
    expect(range.fit([50, 52])).to.deep.equal([49.8, 52.2]);
  });

  it('keeps fixed ends exactly and fits the other end', () => {
    const range = new StickyYRange();
    expect(range.fit([5, 10], { min: 0 })).to.deep.equal([0, 11]);
    expect(range.fit([5, 10], { max: 20 })).to.deep.equal([3.5, 20]);
    expect(range.fit([5, 10], { min: -1, max: 1 })).to.deep.equal([-1, 1]);
    expect(range.fit(undefined, { min: 3 })).to.deep.equal([3, 4]);
    expect(range.fit(undefined)).to.equal(undefined);
  });

  it('gives a flat line some room', () => {
    expect(new StickyYRange().fit([5, 5])).to.deep.equal([4.5, 5.5]);
    expect(yExtent([{ y: [3, -2] }, { y: [7] }])).to.deep.equal([-2, 7]);
    expect(yExtent([{ y: [] }])).to.equal(undefined);
  });
});
