/**
 * The Plotly figure for one redraw: traces from the series on view, a layout with the widget's
 * theme, size and axis ranges, and the page's own `layout`/`config` overrides merged in, except
 * for what keeps the live data correct (size, revisions, the followed x range).
 */
import type { Config, Layout, PlotData } from 'plotly.js';
import type { XAxisKind } from '../data/csv.js';
import type { SeriesColumnsCopy } from '../data/series-store.js';
import { deepMerge } from '../internal/deep-merge.js';
import { decimateMinMax } from './decimate.js';
import { escapePlotlyText } from './plotly-text.js';
import type { PlotTheme } from './theme.js';

export type ChartType = 'lines' | 'markers' | 'bars';

export interface FigureInput {
  /** Points on view, x in data units (epoch ms on a time axis); these arrays are consumed. */
  series: SeriesColumnsCopy[];
  type: ChartType;
  xAxis: XAxisKind;
  /** Added to every time before Plotly sees it (see time-axis.ts); 0 on a number axis. */
  xShiftInMs: number;
  /** The x range to show while following live (data units); Plotly's autorange when left out. */
  xRange?: [number, number];
  /** The y range; Plotly's autorange when left out. */
  yRange?: [number, number];
  theme: PlotTheme;
  width: number;
  height: number;
  /** Changes whenever the data changes (Plotly's `datarevision`). */
  revision: number;
  /** Changes when the view returns to live, so Plotly drops the user's zoom (Plotly's `uirevision`). */
  viewRevision: number;
  layout?: Partial<Layout>;
  config?: Partial<Config>;
}

export interface Figure {
  data: Partial<PlotData>[];
  layout: Partial<Layout>;
  config: Partial<Config>;
}

export function buildFigure(input: FigureInput): Figure {
  const { theme } = input;
  const data = input.series.map((series) => trace(series, input));
  const axis = {
    gridcolor: theme.grid,
    linecolor: theme.grid,
    zerolinecolor: theme.grid,
    tickcolor: theme.grid,
    // Measuring tick labels (for overflow and for automatic angles) is a large part of a
    // redraw's cost; labels stay inside the margins anyway.
    ticklabeloverflow: 'allow' as const,
    tickangle: 0,
  };
  const xRange = input.xRange?.map((x) => x + input.xShiftInMs) as [number, number] | undefined;
  const base: Partial<Layout> = {
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
    colorway: theme.colorway,
    // A time axis labels its first tick with the date on a second line; the right margin holds
    // half of a tick label at the right edge ("12:34:56.5" or "1.73325T" is about 65 px), which
    // is not measured.
    margin: { l: 52, r: 36, t: data.length > 1 ? 28 : 8, b: input.xAxis === 'time' ? 46 : 32, pad: 0 },
    showlegend: data.length > 1,
    legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom', font: { color: theme.muted } },
    hoverlabel: { namelength: -1 },
    dragmode: 'zoom',
    xaxis: { ...axis, type: input.xAxis === 'time' ? 'date' : 'linear' },
    // An axis without a type makes Plotly guess it from every y value on every redraw.
    yaxis: { ...axis, type: 'linear', ...(input.yRange ? { range: input.yRange, autorange: false } : { autorange: true }) },
  };
  const layout = deepMerge(base, input.layout);
  layout.width = input.width;
  layout.height = input.height;
  layout.autosize = false;
  layout.datarevision = input.revision;
  layout.uirevision = input.viewRevision;
  layout.xaxis = { ...layout.xaxis, type: base.xaxis?.type, ...(xRange ? { range: xRange, autorange: false } : { autorange: true }) };
  const config = deepMerge<Partial<Config>>(
    {
      displaylogo: false,
      displayModeBar: 'hover',
      responsive: false,
      scrollZoom: false,
      modeBarButtonsToRemove: ['select2d', 'lasso2d', 'toImage'],
    },
    input.config,
  );
  return { data, layout, config };
}

function trace(series: SeriesColumnsCopy, input: FigureInput): Partial<PlotData> {
  let { x, y } = series;
  if (input.type === 'lines') ({ x, y } = decimateMinMax({ x, y }, Math.max(1, Math.round(input.width))));
  if (input.xShiftInMs !== 0) for (let i = 0; i < x.length; i += 1) x[i] += input.xShiftInMs;
  const name = escapePlotlyText(series.name);
  switch (input.type) {
    case 'bars':
      return { type: 'bar', name, x, y };
    case 'markers':
      return { type: 'scatter', mode: 'markers', name, x, y, marker: { size: 5 } };
    case 'lines':
      return { type: 'scatter', mode: 'lines', name, x, y, line: { width: 1.5 } };
  }
}
