import { expect } from 'chai';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, drawnSeries, userIdOf, waitFor } from './support/plot-fixture.js';

/** Counts WebSockets the page opens to `origin` (observes the real constructor, changes nothing). */
function countWebSockets(origin: string): { count: number; restore(): void } {
  const original = window.WebSocket;
  const counter = { count: 0, restore: () => (window.WebSocket = original) };
  window.WebSocket = new Proxy(original, {
    construct(target, args: [string | URL, (string | string[])?]) {
      if (new URL(String(args[0])).host === new URL(origin).host) counter.count += 1;
      return new target(...args);
    },
  });
  return counter;
}

describe('<realtime-plot> connection sharing and cleanup', function () {
  this.timeout(90_000);

  const stack = useLocalStack();

  it('shares one connection between the widgets of one hub; each shows only its own stream', async () => {
    const sockets = countWebSockets(stack().signalREndpoint);
    try {
      const a = createPlot({ hub: stack().hub, stream: 'demo/a' });
      const b = createPlot({ hub: stack().hub, stream: 'demo/b' });
      await waitFor(() => a.status === 'live' && b.status === 'live', 'both widgets live');
      await stack().publishPoints('demo/a', [{ series: 'a', x: T0, y: 1 }, { series: 'a', x: T0 + 1, y: 2 }]);
      await stack().publishPoints('demo/b', [{ series: 'b', x: T0, y: 10 }]);
      await waitFor(() => a.pointCount === 2 && b.pointCount === 1, 'each widget to get its points');
      await waitFor(() => drawnSeries(a).size === 1 && drawnSeries(b).size === 1, 'both drawn');
      expect([...drawnSeries(a).keys()]).to.deep.equal(['a']);
      expect([...drawnSeries(b).keys()]).to.deep.equal(['b']);
      expect(sockets.count).to.equal(1);
    } finally {
      sockets.restore();
    }
  });

  it('unsubscribes the old stream when `stream` changes, and shows only the new one', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/old' });
    await waitFor(() => plot.status === 'live', 'live on demo/old');
    const user = await userIdOf(stack().hub);
    expect(await stack().userInGroup('demo/old', user)).to.equal(true);
    await stack().publishPoints('demo/old', [{ x: T0, y: 1 }]);
    await waitFor(() => plot.pointCount === 1, 'the old stream point');

    plot.stream = 'demo/new';
    await waitFor(() => plot.status === 'live' && plot.pointCount === 0, 'live on demo/new, empty');
    await waitFor(async () => !(await stack().userInGroup('demo/old', user)), 'the user to leave demo/old');
    expect(await stack().userInGroup('demo/new', user)).to.equal(true);
    await stack().publishPoints('demo/old', [{ x: T0 + 1, y: 2 }]);
    await stack().publishPoints('demo/new', [{ x: T0 + 1, y: 3 }]);
    await waitFor(() => plot.pointCount === 1, 'the new stream point');
    expect(drawnSeries(plot).size).to.be.at.most(1);
  });

  it('unsubscribes and closes the connection when the last widget leaves the page', async () => {
    const a = createPlot({ hub: stack().hub, stream: 'demo/leaving-a' });
    const b = createPlot({ hub: stack().hub, stream: 'demo/leaving-b' });
    await waitFor(() => a.status === 'live' && b.status === 'live', 'both live');
    const user = await userIdOf(stack().hub);
    a.remove();
    await waitFor(async () => !(await stack().userInGroup('demo/leaving-a', user)), 'demo/leaving-a unsubscribed');
    expect(await stack().userConnected(user)).to.equal(true);
    expect(await stack().userInGroup('demo/leaving-b', user)).to.equal(true);
    b.remove();
    await waitFor(async () => !(await stack().userInGroup('demo/leaving-b', user)), 'demo/leaving-b unsubscribed');
    await waitFor(async () => !(await stack().userConnected(user)), 'the connection to close');
  });

  it('keeps its data and subscription when moved within the page', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/moved' });
    await stack().publishPoints('demo/moved', [{ x: T0, y: 5 }]);
    await waitFor(() => plot.status === 'live' && plot.pointCount === 1, 'live with the first point');
    const user = await userIdOf(stack().hub);
    const statuses: string[] = [];
    plot.addEventListener('realtime-plot-status-change', (event) => statuses.push(event.detail.status));
    const box = document.createElement('section');
    document.body.append(box);
    box.append(plot);
    await plot.updateComplete;
    expect(plot.pointCount).to.equal(1);
    await stack().publishPoints('demo/moved', [{ x: T0 + 1, y: 6 }]);
    await waitFor(() => plot.pointCount === 2, 'the point after the move');
    expect(statuses).to.deep.equal([]);
    expect(await userIdOf(stack().hub)).to.equal(user);
    box.remove();
  });
});
