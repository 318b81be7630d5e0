/**
 * The original tutorial's strategy, as its page did it: one trace per series, every point
 * pushed onto ever-growing arrays, and `Plotly.newPlot` on every message. Same Plotly build and
 * chart sizes as the widget, for comparison.
 */
import type { Data } from 'plotly.js';
import { loadPlotly } from '../../../widget/render/plotly-loader.js';
import { chartGrid } from './chart-grid.js';
import { installBenchPage } from './harness.js';

const Plotly = await loadPlotly();
let charts: HTMLElement[] = [];
let variables: { x: number[]; y: number[]; type: 'scatter' }[][] = [];
let onDrawn: (index: number) => void = () => undefined;

installBenchPage({
  drawsInsideFrame: false,
  async setup(streams, drawn) {
    charts = chartGrid(streams.length);
    variables = streams.map(() => []);
    onDrawn = drawn;
  },
  deliver(index, message) {
    const traces = variables[index];
    if (traces.length === 0) traces.push(...message.series.map(() => ({ x: [], y: [], type: 'scatter' as const })));
    message.series.forEach((series, i) => {
      traces[i].x.push(...series.x);
      traces[i].y.push(...series.y);
    });
    void Plotly.newPlot(charts[index], traces as Data[]);
    onDrawn(index);
  },
});
