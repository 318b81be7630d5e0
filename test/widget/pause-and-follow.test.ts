import { expect } from 'chai';
import { sendMouse } from '@web/test-runner-commands';
import type { PauseChangeDetail } from '../../widget/realtime-plot.js';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, dragZoom, drawnSeries, waitFor } from './support/plot-fixture.js';

type Graph = HTMLElement & { layout: { xaxis: { range: unknown[] } } };

describe('<realtime-plot> pause and follow live', function () {
  this.timeout(90_000);
  const points = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ series: 's', x: T0 + (from + i) * 1000, y: from + i }));

  const stack = useLocalStack();

  it('freezes the view on Pause while data keeps arriving, and catches up on Live', async () => {
    const stream = 'demo/pause-control';
    await stack().publishPoints(stream, points(1, 3));
    const plot = createPlot({ hub: stack().hub, stream });
    const changes: PauseChangeDetail[] = [];
    plot.addEventListener('realtime-plot-pause-change', (event) => changes.push(event.detail));
    await waitFor(() => drawnSeries(plot).get('s')?.y.length === 3, 'the 3 first points drawn');

    const button = plot.shadowRoot!.querySelector<HTMLButtonElement>('[part~="pause-button"]')!;
    button.click();
    await plot.updateComplete;
    expect(plot.paused).to.equal(true);
    expect(plot.hasAttribute('paused')).to.equal(true);
    expect(button.textContent!.trim()).to.equal('Live');

    await stack().publishPoints(stream, points(4, 5));
    await waitFor(() => plot.pointCount === 5, 'the new points to be kept');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(drawnSeries(plot).get('s')!.y).to.deep.equal([1, 2, 3]);

    button.click();
    await waitFor(() => drawnSeries(plot).get('s')?.y.length === 5, 'all 5 points drawn after Live');
    expect(changes).to.deep.equal([
      { paused: true, reason: 'control' },
      { paused: false, reason: 'control' },
    ]);
  });

  it('stops following when the user zooms with the mouse, keeps the zoom, and follows again on Live', async () => {
    const stream = 'demo/pause-zoom';
    await stack().publishPoints(stream, points(1, 20));
    const plot = createPlot({ hub: stack().hub, stream });
    const graph = () => plot.shadowRoot!.querySelector('.plot') as Graph;
    await waitFor(() => drawnSeries(plot).get('s')?.y.length === 20, '20 points drawn');
    const changes: PauseChangeDetail[] = [];
    plot.addEventListener('realtime-plot-pause-change', (event) => changes.push(event.detail));

    await dragZoom(plot, 0.3, 0.6);
    await waitFor(() => plot.paused, 'paused by the zoom');
    expect(changes).to.deep.equal([{ paused: true, reason: 'zoom' }]);
    const zoomed = [...graph().layout.xaxis.range];

    await stack().publishPoints(stream, points(21, 22));
    await waitFor(() => plot.pointCount === 22, 'new points kept');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(graph().layout.xaxis.range).to.deep.equal(zoomed);

    plot.resume();
    await waitFor(() => drawnSeries(plot).get('s')?.y.length === 22, 'all points drawn after Live');
    expect(graph().layout.xaxis.range).not.to.deep.equal(zoomed);
    expect(changes.at(-1)).to.deep.equal({ paused: false, reason: 'control' });
  });

  it('returns to live when the user resets the axes (double click)', async () => {
    const stream = 'demo/pause-reset';
    await stack().publishPoints(stream, points(1, 5));
    const plot = createPlot({ hub: stack().hub, stream });
    await waitFor(() => drawnSeries(plot).get('s')?.y.length === 5, 'points drawn');
    const area = plot.shadowRoot!.querySelector('.nsewdrag')!.getBoundingClientRect();
    const center: [number, number] = [Math.round(area.left + area.width / 2), Math.round(area.top + area.height / 2)];
    plot.pause();
    await plot.updateComplete;
    await sendMouse({ type: 'move', position: center });
    for (let click = 0; click < 2; click += 1) {
      await sendMouse({ type: 'down' });
      await sendMouse({ type: 'up' });
    }
    await waitFor(() => !plot.paused, 'live again after the double click');
  });

  it('stays within its window while paused', async () => {
    const stream = 'demo/pause-bounded';
    const plot = createPlot({ hub: stack().hub, stream, 'max-points': '5', paused: '' });
    await waitFor(() => plot.status === 'live', 'live');
    await stack().publishPoints(stream, points(1, 12));
    await waitFor(() => plot.pointCount === 5, 'the window of 5 points');
    plot.paused = false;
    await waitFor(() => drawnSeries(plot).get('s')?.y.length === 5, 'the window drawn');
    expect(drawnSeries(plot).get('s')!.y).to.deep.equal([8, 9, 10, 11, 12]);
  });
});
