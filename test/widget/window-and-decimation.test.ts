import { expect } from 'chai';
import { parseWindowSpan } from '../../widget/data/window-span.js';
import { decimateMinMax } from '../../widget/render/decimate.js';

describe('window attribute', () => {
  it('reads durations and plain numbers', () => {
    expect(parseWindowSpan('30s')).to.equal(30_000);
    expect(parseWindowSpan('5m')).to.equal(300_000);
    expect(parseWindowSpan('1.5h')).to.equal(5_400_000);
    expect(parseWindowSpan('2d')).to.equal(172_800_000);
    expect(parseWindowSpan('250ms')).to.equal(250);
    expect(parseWindowSpan(' 1000 ')).to.equal(1000);
    expect(parseWindowSpan('')).to.equal(undefined);
    expect(parseWindowSpan(null)).to.equal(undefined);
  });

  it('refuses anything else with a readable reason', () => {
    for (const bad of ['0', '-5s', '5 minutes', 'abc', '1e400', 'Infinity']) {
      expect(() => parseWindowSpan(bad), bad).to.throw(RangeError, /is not a span/);
    }
  });
});

describe('min/max decimation', () => {
  it('leaves small series alone', () => {
    const columns = { x: [1, 2, 3], y: [3, 1, 2] };
    expect(decimateMinMax(columns, 10)).to.equal(columns);
  });

  it('keeps the first and last point and each bucket extremes, in x order', () => {
    const x = Array.from({ length: 10_000 }, (_, i) => i);
    const y = x.map((i) => Math.sin(i / 100) * 10 + (i === 5000 ? 1000 : 0));
    const out = decimateMinMax({ x, y }, 100);
    expect(out.x.length).to.be.at.most(2 * 100 + 2);
    expect(out.x[0]).to.equal(0);
    expect(out.x.at(-1)).to.equal(9999);
    expect(out.y).to.include(1000 + Math.sin(50) * 10);
    expect(Math.min(...out.y)).to.equal(Math.min(...y));
    for (let i = 1; i < out.x.length; i += 1) expect(out.x[i]).to.be.greaterThan(out.x[i - 1]);
  });
});
