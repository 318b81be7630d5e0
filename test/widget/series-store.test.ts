import { expect } from 'chai';
import fc from 'fast-check';
import type { LiveMessage } from '../../api/live-message.js';
import { SeriesBuffer } from '../../widget/data/series-buffer.js';
import { MAX_SERIES, SeriesStore } from '../../widget/data/series-store.js';

const message = (series: { name: string; x: number[]; y: number[] }[], seq = 1): LiveMessage => ({ v: 1, stream: 's', seq, id: String(seq), time: 0, series });

describe('SeriesBuffer', () => {
  it('keeps points sorted by x, equal x in arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer()), { maxLength: 300 }), (points) => {
        const buffer = new SeriesBuffer();
        for (const [x, y] of points) buffer.insert(x, y);
        const { x, y } = buffer.columns();
        const expected = points.map(([px, py], index) => ({ px, py, index })).sort((a, b) => a.px - b.px || a.index - b.index);
        expect(x).to.deep.equal(expected.map((point) => point.px));
        expect(y).to.deep.equal(expected.map((point) => point.py));
      }),
    );
  });

  it('drops from the front and keeps its memory within the window', () => {
    const buffer = new SeriesBuffer();
    for (let i = 0; i < 100_000; i += 1) {
      buffer.insert(i, i);
      buffer.keepLast(1000);
    }
    expect(buffer.length).to.equal(1000);
    expect(buffer.x(0)).to.equal(99_000);
    expect(buffer.columns().x).to.have.length(1000);
    expect(buffer.lowerBound(99_500)).to.equal(500);
    expect(buffer.upperBound(99_500)).to.equal(501);
  });
});

describe('SeriesStore', () => {
  it('bounds each series by count and all series by the time span', () => {
    const store = new SeriesStore({ maxPoints: 3, span: 10 });
    store.add(message([{ name: 'a', x: [1, 2, 3, 4], y: [1, 2, 3, 4] }]));
    expect(store.copy()).to.deep.equal([{ name: 'a', x: [2, 3, 4], y: [2, 3, 4] }]);
    store.add(message([{ name: 'b', x: [13], y: [0] }], 2));
    // The window is [newest - span, newest]: 3 is still in.
    expect(store.copy()).to.deep.equal([
      { name: 'a', x: [3, 4], y: [3, 4] },
      { name: 'b', x: [13], y: [0] },
    ]);
    expect(store.newest).to.equal(13);
  });

  it('places late points in x order and copies ranges', () => {
    const store = new SeriesStore({ maxPoints: 100 });
    store.add(message([{ name: 'a', x: [1, 5], y: [1, 5] }]));
    store.add(message([{ name: 'a', x: [3], y: [3] }], 2));
    expect(store.copy()[0].x).to.deep.equal([1, 3, 5]);
    expect(store.copy([2, 5])[0].x).to.deep.equal([3, 5]);
    expect(store.latest()).to.deep.equal([{ name: 'a', x: 5, y: 5 }]);
  });

  it(`keeps at most ${MAX_SERIES} series and counts what it drops`, () => {
    const store = new SeriesStore({ maxPoints: 10 });
    for (let i = 0; i <= MAX_SERIES; i += 1) store.add(message([{ name: `s${i}`, x: [i], y: [i] }], i + 1));
    expect(store.series.size).to.equal(MAX_SERIES);
    expect(store.droppedPoints).to.equal(1);
  });

  it('clones into an independent store (a paused view)', () => {
    const store = new SeriesStore({ maxPoints: 10 });
    store.add(message([{ name: 'a', x: [1], y: [1] }]));
    const frozen = store.clone();
    store.add(message([{ name: 'a', x: [2], y: [2] }], 2));
    expect(frozen.copy()).to.deep.equal([{ name: 'a', x: [1], y: [1] }]);
  });
});
