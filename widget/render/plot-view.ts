/**
 * The Plotly graph of one widget: loads Plotly on first need, draws through the page's frame
 * scheduler (one Plotly call per frame at most, none while off screen), follows the element's
 * size, adopts Plotly's CSS into the shadow root, and reports the user's own zooms and pans.
 */
import type { PlotlyHTMLElement, PlotRelayoutEvent } from 'plotly.js';
import type { Figure } from './figure.js';
import { frameScheduler, type FrameTask } from './frame-scheduler.js';
import { loadPlotly, type Plotly } from './plotly-loader.js';
import { adoptPlotlyStyles } from './plotly-styles.js';

export interface PlotSize {
  width: number;
  height: number;
}

/**
 * What the user did to the view: zoomed or panned (`xRange` in Plotly's axis units when x
 * changed), or reset the axes (double click, modebar).
 */
export type UserViewChange = { kind: 'zoom'; xRange?: [unknown, unknown] } | { kind: 'reset' };

export interface PlotViewOptions {
  /** The shadow root the graph lives in. */
  root: ShadowRoot;
  /** The element Plotly draws into; sized by its parent. */
  graph: HTMLElement;
  /** The figure to draw at this size, or undefined when there is nothing to draw. */
  figure(size: PlotSize): Figure | undefined;
  onUserViewChange(change: UserViewChange): void;
  onRendered(durationInMs: number, figure: Figure): void;
}

/** Resizes come in bursts (dragging a window edge); each costs a full redraw. */
const RESIZE_SETTLE_IN_MS = 100;

export class PlotView implements FrameTask {
  visible = false;
  private plotly?: Plotly;
  private loadFailed = false;
  private plotted = false;
  private size: PlotSize = { width: 0, height: 0 };
  private resizeTimer?: ReturnType<typeof setTimeout>;
  private readonly resizeObserver: ResizeObserver;
  private readonly intersectionObserver: IntersectionObserver;

  constructor(private readonly options: PlotViewOptions) {
    this.resizeObserver = new ResizeObserver(([entry]) => this.resized(entry.contentRect));
    this.intersectionObserver = new IntersectionObserver(([entry]) => {
      this.visible = entry.isIntersecting;
      if (this.visible) this.requestRender();
    });
    this.resizeObserver.observe(options.graph);
    this.intersectionObserver.observe(options.graph);
  }

  /** The Plotly graph element, once drawn (for Plotly calls a page makes itself). */
  get graph(): HTMLElement | undefined {
    return this.plotted ? this.options.graph : undefined;
  }

  requestRender(): void {
    frameScheduler.schedule(this);
  }

  renderFrame(): boolean {
    const plotly = this.plotly;
    if (!plotly) {
      void this.load();
      return false;
    }
    if (this.size.width < 1 || this.size.height < 1) return false;
    const figure = this.options.figure(this.size);
    if (!figure) return false;
    const started = performance.now();
    const { graph } = this.options;
    if (this.plotted) {
      plotly.react(graph, figure.data, figure.layout, figure.config).catch(reportError);
    } else {
      plotly.newPlot(graph, figure.data, figure.layout, figure.config).catch(reportError);
      this.plotted = true;
      adoptPlotlyStyles(this.options.root);
      (graph as PlotlyHTMLElement).on('plotly_relayout', (event) => this.relayouted(event));
    }
    // Style and layout would run at the end of the frame anyway; running them here makes their
    // time part of this redraw's measured cost (the chart's box is `contain: strict`).
    graph.getBoundingClientRect();
    this.options.onRendered(performance.now() - started, figure);
    return true;
  }

  /** Saves the chart as a PNG file through Plotly. */
  async downloadPng(filename: string): Promise<void> {
    const plotly = this.plotly ?? (await loadPlotly());
    if (!this.plotted) return;
    await plotly.downloadImage(this.options.graph, { format: 'png', filename, width: this.size.width, height: this.size.height });
  }

  dispose(): void {
    clearTimeout(this.resizeTimer);
    this.resizeObserver.disconnect();
    this.intersectionObserver.disconnect();
    frameScheduler.remove(this);
    if (this.plotted) this.plotly?.purge(this.options.graph);
    this.plotted = false;
  }

  private async load(): Promise<void> {
    try {
      this.plotly = await loadPlotly();
      this.loadFailed = false;
      this.requestRender();
    } catch (error) {
      // Retried on the next redraw request (new data, a resize).
      if (!this.loadFailed) console.error('realtime-plot: could not load Plotly', error);
      this.loadFailed = true;
    }
  }

  private resized(rect: DOMRectReadOnly): void {
    const first = this.size.width < 1 || this.size.height < 1;
    this.size = { width: Math.floor(rect.width), height: Math.floor(rect.height) };
    clearTimeout(this.resizeTimer);
    if (first) this.requestRender();
    else this.resizeTimer = setTimeout(() => this.requestRender(), RESIZE_SETTLE_IN_MS);
  }

  private relayouted(event: PlotRelayoutEvent): void {
    const change = event as Record<string, unknown>;
    if (change['xaxis.autorange'] === true || change['yaxis.autorange'] === true) {
      this.options.onUserViewChange({ kind: 'reset' });
      return;
    }
    const range = change['xaxis.range'];
    const from = change['xaxis.range[0]'] ?? (Array.isArray(range) ? range[0] : undefined);
    const to = change['xaxis.range[1]'] ?? (Array.isArray(range) ? range[1] : undefined);
    if (from !== undefined && to !== undefined) this.options.onUserViewChange({ kind: 'zoom', xRange: [from, to] });
    else if ('yaxis.range[0]' in change || 'yaxis.range' in change) this.options.onUserViewChange({ kind: 'zoom' });
  }
}
