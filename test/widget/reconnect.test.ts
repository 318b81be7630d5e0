import { expect } from 'chai';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, drawnSeries, waitFor } from './support/plot-fixture.js';

describe('<realtime-plot> reconnecting', function () {
  this.timeout(120_000);
  const point = (i: number) => ({ series: 'level', x: T0 + i * 1000, y: i });

  const stack = useLocalStack({ freshConnectionPerTest: true });

  it('reconnects after the service drops the connection, fills the gap from history, and drops duplicates', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/reconnect' });
    const statuses: string[] = [];
    plot.addEventListener('realtime-plot-status-change', (event) => statuses.push(event.detail.status));
    await waitFor(() => plot.status === 'live', 'live');
    await stack().publishPoints('demo/reconnect', [1, 2, 3].map(point));
    await waitFor(() => plot.pointCount === 3, 'the first 3 points');

    await stack().stopSignalR();
    await waitFor(() => plot.status === 'reconnecting', 'reconnecting');
    // Published while the service is down: stored by ingest, which fails to send (Event Grid would retry).
    const missedIds = ['missed-4', 'missed-5', 'missed-6'];
    for (const [index, eventId] of missedIds.entries()) {
      await stack().publish({ stream: 'demo/reconnect', eventId, data: { points: [point(4 + index)] } });
    }
    await stack().startSignalR();

    await waitFor(() => plot.status === 'live' && plot.pointCount === 6, 'live again with the 3 missed points', 60_000);
    // Event Grid's retries of the failed deliveries re-send the same seqs: nothing may be drawn twice.
    for (const [index, eventId] of missedIds.entries()) {
      await stack().publish({ stream: 'demo/reconnect', eventId, data: { points: [point(4 + index)] } });
    }
    await stack().publishPoints('demo/reconnect', [7, 8].map(point));
    await waitFor(() => plot.pointCount === 8, 'all 8 points');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(plot.pointCount).to.equal(8);
    await waitFor(() => drawnSeries(plot).get('level')?.y.length === 8, 'all 8 points drawn');
    expect(drawnSeries(plot).get('level')!.y).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(statuses.join(' '), statuses.join(' ')).to.match(/^connecting live reconnecting( reconnecting)* live$/);
  });

  it('keeps retrying a hub that is down at first, and connects once it is up', async () => {
    await stack().stopSignalR();
    const plot = createPlot({ hub: stack().hub, stream: 'demo/late-service' });
    await waitFor(() => plot.status === 'error', 'an error while the service is down');
    expect(plot.error?.code).to.equal('hub-unreachable');
    await stack().startSignalR();
    await waitFor(() => plot.status === 'live', 'live once the service is up', 60_000);
    expect(plot.error).to.equal(undefined);
  });
});
