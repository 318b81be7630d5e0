import { expect } from 'chai';
import { emulateMedia } from '@web/test-runner-commands';
import { RealtimePlot, defineElement } from '../../widget/realtime-plot.js';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, drawnSeries, nextEvent, waitFor } from './support/plot-fixture.js';

describe('<realtime-plot> rendering', function () {
  this.timeout(60_000);

  const stack = useLocalStack();

  before(async () => {
    await stack().publishPoints('demo/rendering', [
      { series: 'inside', x: T0, y: 21 },
      { series: 'inside', x: T0 + 1000, y: 22 },
      { series: 'outside', x: T0 + 1000, y: 3 },
    ]);
  });

  it('draws with Plotly inside its shadow root, with Plotly styles applied there', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/rendering' });
    await waitFor(() => plot.shadowRoot!.querySelector('svg.main-svg') !== null, 'the Plotly svg');
    const svg = plot.shadowRoot!.querySelector('svg.main-svg')!;
    expect(getComputedStyle(svg).position).to.equal('absolute');
    expect(document.body.querySelector(':scope > .js-plotly-plot, :scope > svg.main-svg')).to.equal(null);
    await waitFor(() => drawnSeries(plot).get('outside')?.y.length === 1, 'both series drawn');
    expect(drawnSeries(plot).get('inside')!.y).to.deep.equal([21, 22]);
  });

  it('keeps every x tick label inside the chart, the one at the right edge too', async () => {
    for (const [window, xAxis] of [['10s', 'time'], ['3s', 'time'], ['1s', 'time'], ['25s', 'time'], ['10s', 'number']]) {
      const plot = createPlot({ hub: stack().hub, stream: 'demo/rendering', window, 'x-axis': xAxis });
      await waitFor(() => plot.shadowRoot!.querySelectorAll('.xtick text').length > 1, 'x tick labels');
      const chart = plot.shadowRoot!.querySelector('svg.main-svg')!.getBoundingClientRect();
      for (const label of plot.shadowRoot!.querySelectorAll('.xtick text')) {
        const box = label.getBoundingClientRect();
        expect(box.right, `"${label.textContent}" with a ${window} window, ${xAxis} x`).to.be.at.most(chart.right);
        expect(box.left, `"${label.textContent}" with a ${window} window, ${xAxis} x`).to.be.at.least(chart.left);
      }
      plot.remove();
    }
  });

  it('backfills the recent past for a late joiner and shows it as live', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/rendering' });
    await waitFor(() => plot.status === 'live' && plot.pointCount === 3, 'live with the 3 stored points');
  });

  it('shows an empty state until the first point, then hides it', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/empty-at-first' });
    await waitFor(() => plot.status === 'live', 'live');
    const empty = () => plot.shadowRoot!.querySelector('[part="empty"]');
    expect(empty()?.textContent).to.contain('Waiting for data');
    await stack().publishPoints('demo/empty-at-first', [{ x: T0, y: 1 }]);
    await waitFor(() => empty() === null, 'the empty state to go');
  });

  it('uses the light or dark colours of its theme, and follows the user preference in auto', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/rendering', theme: 'dark' });
    const background = () => (plot.shadowRoot!.querySelector('.plot') as (HTMLElement & { layout?: { paper_bgcolor: string } }) | null)?.layout?.paper_bgcolor;
    await waitFor(() => background() === 'rgb(17, 24, 39)', 'the dark background');
    plot.theme = 'light';
    await waitFor(() => background() === 'rgb(255, 255, 255)', 'the light background');
    plot.theme = 'auto';
    await emulateMedia({ colorScheme: 'dark' });
    await waitFor(() => background() === 'rgb(17, 24, 39)', 'the dark background under prefers-color-scheme: dark');
    await emulateMedia({ colorScheme: 'light' });
    await waitFor(() => background() === 'rgb(255, 255, 255)', 'the light background again');
  });

  it('does no drawing while off screen, and catches up when scrolled into view', async () => {
    const spacer = document.createElement('div');
    spacer.style.height = '3000px';
    document.body.append(spacer);
    try {
      const plot = createPlot({ hub: stack().hub, stream: 'demo/off-screen' });
      let renders = 0;
      plot.addEventListener('realtime-plot-render', () => (renders += 1));
      await waitFor(() => plot.status === 'live', 'live');
      await stack().publishPoints('demo/off-screen', [{ x: T0, y: 1 }, { x: T0 + 1, y: 2 }]);
      await waitFor(() => plot.pointCount === 2, 'the points kept');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(renders).to.equal(0);
      plot.scrollIntoView();
      await waitFor(() => drawnSeries(plot).get('series-1')?.y.length === 2, 'the points drawn once on screen');
      window.scrollTo(0, 0);
    } finally {
      spacer.remove();
    }
  });

  it('follows the size of its box', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/rendering' });
    const svgWidth = () => Number(plot.shadowRoot!.querySelector('svg.main-svg')?.getAttribute('width'));
    await waitFor(() => svgWidth() > 0, 'a first plot');
    const before = svgWidth();
    plot.style.width = '420px';
    await waitFor(() => svgWidth() < before && svgWidth() > 380, 'the plot to shrink with its box');
  });

  it('accepts layout overrides without losing the live x range', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/rendering', window: '10s' });
    plot.layout = { yaxis: { title: { text: 'Temperature' }, type: 'log' }, xaxis: { range: [0, 1] } };
    const rendered = nextEvent(plot, 'realtime-plot-render');
    await rendered;
    const graph = plot.shadowRoot!.querySelector('.plot') as HTMLElement & { layout: { yaxis: { title: { text: string }; type: string }; xaxis: { range: unknown[] } } };
    await waitFor(() => graph.layout?.yaxis?.title?.text === 'Temperature', 'the y title');
    expect(graph.layout.yaxis.type).to.equal('log');
    expect(graph.layout.xaxis.range).not.to.deep.equal([0, 1]);
  });

  it('is defined once, and a second registration is harmless', () => {
    expect(customElements.get('realtime-plot')).to.equal(RealtimePlot);
    defineElement('realtime-plot', RealtimePlot);
    defineElement('realtime-plot', class extends RealtimePlot {});
    expect(customElements.get('realtime-plot')).to.equal(RealtimePlot);
  });
});
