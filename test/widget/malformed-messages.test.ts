import { expect } from 'chai';
import { LIVE_MESSAGE_TARGET } from '../../api/live-message.js';
import { existingHubClient } from '../../widget/connection/hub-client-pool.js';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, drawnSeries, waitFor } from './support/plot-fixture.js';

describe('<realtime-plot> malformed live messages', function () {
  this.timeout(90_000);
  const stream = 'demo/malformed';
  const valid = (seq: number, y: number) => ({ v: 1, stream, seq, id: `e${seq}`, time: T0, series: [{ name: 'ok', x: [T0 + seq], y: [y] }] });

  const stack = useLocalStack();

  it('ignores frames that break the contract and keeps drawing the valid ones', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      const plot = createPlot({ hub: stack().hub, stream });
      await waitFor(() => plot.status === 'live', 'live');
      await stack().publishPoints(stream, [{ series: 'ok', x: T0 + 1, y: 1 }]);
      await waitFor(() => plot.pointCount === 1, 'the first valid point');

      const bad: unknown[][] = [
        ['not an object'],
        [{ ...valid(2, 2), v: 2 }],
        [{ ...valid(2, 2), seq: -1 }],
        [{ ...valid(2, 2), series: [{ name: 'ok', x: [1, 2], y: [1] }] }],
        [{ ...valid(2, 2), series: [{ name: 'ok', x: ['1'], y: [1] }] }],
        [{ ...valid(2, 2), series: [{ name: 'ok', x: [null], y: [1] }] }],
        [{ ...valid(2, 2), series: [{ name: '', x: [1], y: [1] }] }],
        [{ ...valid(2, 2), series: [{ name: 'ok', x: Array(10_001).fill(1), y: Array(10_001).fill(1) }] }],
        [{ ...valid(2, 2), stream: 'not a stream name' }],
        [],
      ];
      for (const args of bad) await stack().sendToGroup(stream, LIVE_MESSAGE_TARGET, args);
      // Well formed, but another stream's: not this widget's business.
      await stack().sendToGroup(stream, LIVE_MESSAGE_TARGET, [{ ...valid(2, 99), stream: 'demo/other' }]);
      await stack().publishPoints(stream, [{ series: 'ok', x: T0 + 2, y: 2 }]);
      await waitFor(() => plot.pointCount === 2, 'the next valid point');
      await waitFor(() => drawnSeries(plot).get('ok')?.y.length === 2, 'both valid points drawn');
      expect(drawnSeries(plot).get('ok')!.y).to.deep.equal([1, 2]);
      expect([...drawnSeries(plot).keys()]).to.deep.equal(['ok']);
      expect(plot.status).to.equal('live');
      // Each argument is a message of its own; an invocation without one counts as one malformed.
      expect(existingHubClient(stack().hub)!.malformedCount).to.equal(bad.length);
      expect(warnings.filter((line) => line.includes('malformed'))).to.have.length(1);
    } finally {
      console.warn = warn;
    }
  });

  it('draws every message of an invocation that carries several, and drops only the malformed ones among them', async () => {
    const several = 'demo/several';
    const message = (seq: number) => ({ ...valid(seq, seq * 10), stream: several });
    const plot = createPlot({ hub: stack().hub, stream: several });
    await waitFor(() => plot.status === 'live', 'live');
    const before = existingHubClient(stack().hub)!.malformedCount;
    await stack().sendToGroup(several, LIVE_MESSAGE_TARGET, [message(1), message(2), message(3)]);
    await waitFor(() => plot.pointCount === 3, 'the 3 messages of one invocation');
    await stack().sendToGroup(several, LIVE_MESSAGE_TARGET, [message(4), { ...message(5), v: 2 }, message(5)]);
    await waitFor(() => plot.pointCount === 5, 'the valid messages around a malformed one');
    await waitFor(() => drawnSeries(plot).get('ok')?.y.length === 5, 'all 5 drawn');
    expect(drawnSeries(plot).get('ok')!.y).to.deep.equal([10, 20, 30, 40, 50]);
    expect(existingHubClient(stack().hub)!.malformedCount - before).to.equal(1);
    expect(plot.status).to.equal('live');
  });
});
