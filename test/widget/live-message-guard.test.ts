import { expect } from 'chai';
import { MalformedError, readHistoryResponse, readLiveMessage, readNegotiateResponse } from '../../widget/connection/live-message-guard.js';
import { backoffDelayInMs } from '../../widget/connection/backoff.js';
import { renewTime } from '../../widget/connection/access-token.js';

const valid = { v: 1, stream: 'demo/a', seq: 1, id: 'e1', time: 5, series: [{ name: 'a', x: [1], y: [2] }] };

describe('contract checks of what arrives from outside', () => {
  it('accepts a live message as documented', () => {
    expect(readLiveMessage(valid)).to.deep.equal(valid);
  });

  it('rejects live messages that break the contract, saying where', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ ...valid, v: 2 }, /v is not 1/],
      [{ ...valid, stream: 'a//b' }, /stream/],
      [{ ...valid, seq: 0 }, /seq is 0/],
      [{ ...valid, seq: 1.5 }, /seq/],
      [{ ...valid, time: Infinity }, /time/],
      [{ ...valid, id: 'x'.repeat(513) }, /id/],
      [{ ...valid, series: {} }, /series is not an array/],
      [{ ...valid, series: [{ name: 'a', x: [1, 2], y: [1] }] }, /differ in length/],
      [{ ...valid, series: [{ name: 'a', x: [NaN], y: [1] }] }, /x\[0\] is not a finite number/],
      [{ ...valid, series: [{ name: 'x'.repeat(65), x: [], y: [] }] }, /name/],
      [{ ...valid, series: [{ name: 'a', x: Array(10_001).fill(0), y: Array(10_001).fill(0) }] }, /10001 points/],
    ];
    for (const [value, reason] of cases) expect(() => readLiveMessage(value), String(reason)).to.throw(MalformedError, reason);
  });

  it('checks history answers belong to the stream and to its lastSeq', () => {
    expect(readHistoryResponse({ stream: 'demo/a', lastSeq: 1, messages: [valid] }, 'demo/a').messages).to.have.length(1);
    expect(() => readHistoryResponse({ stream: 'demo/b', lastSeq: 1, messages: [] }, 'demo/a')).to.throw(/requested stream/);
    expect(() => readHistoryResponse({ stream: 'demo/a', lastSeq: 0, messages: [valid] }, 'demo/a')).to.throw(/newer than/);
  });

  it('checks negotiate answers', () => {
    expect(readNegotiateResponse({ url: 'https://x.service.signalr.net/client/?hub=h', accessToken: 't' }).accessToken).to.equal('t');
    expect(() => readNegotiateResponse({ url: 'javascript:alert(1)', accessToken: 't' })).to.throw(/url/);
    expect(() => readNegotiateResponse({ url: 'https://x', accessToken: '' })).to.throw(/accessToken/);
  });
});

describe('retry timing', () => {
  it('backs off exponentially up to a cap, with jitter in the upper half', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect(backoffDelayInMs(0, {}, low)).to.equal(250);
    expect(backoffDelayInMs(3, {}, low)).to.equal(2000);
    expect(backoffDelayInMs(100, {}, low)).to.equal(15_000);
    expect(backoffDelayInMs(100, {}, high)).to.equal(30_000);
  });

  it('renews an access token a quarter of its lifetime (at most 5 minutes) before it expires, by the local clock', () => {
    const token = (claims: object) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, '')}.s`;
    expect(renewTime(token({ iat: 1000, exp: 4600 }), 50_000)).to.equal(50_000 + 3_600_000 - 300_000);
    expect(renewTime(token({ iat: 1000, exp: 1060 }), 0)).to.equal(60_000 - 15_000);
    expect(renewTime(token({}), 0)).to.equal(Infinity);
    expect(renewTime('not a jwt', 0)).to.equal(Infinity);
  });
});
