/**
 * Plotly, loaded on first use with a dynamic import so the widget's first script stays small;
 * the bundler puts it in its own chunk. The package is UMD: bundlers expose it as the default
 * export, native browser modules only as `window.Plotly`.
 */
import type * as PlotlyModule from 'plotly.js';

export type Plotly = typeof PlotlyModule;

let loading: Promise<Plotly> | undefined;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import('plotly.js-basic-dist-min').then(
    (module: { default?: Plotly }) => module?.default ?? (globalThis as unknown as { Plotly: Plotly }).Plotly,
    (error: unknown) => {
      loading = undefined; // A failed chunk load (network) is retried on the next render.
      throw error;
    },
  );
  return loading;
}
