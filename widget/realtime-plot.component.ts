import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Config, Layout } from 'plotly.js';
import type { LiveMessage } from '../api/live-message.js';
import { LiveSummary, summaryText } from './a11y/live-summary.js';
import type { TokenProvider } from './connection/access-token.js';
import { sameStatus, type PlotError, type RealtimePlotStatus, type StatusState } from './connection/connection-status.js';
import { StreamController } from './connection/stream-controller.js';
import type { MessageSource, StreamFeedSink } from './connection/stream-feed.js';
import { seriesToCsv, type XAxisKind } from './data/csv.js';
import { SeriesStore } from './data/series-store.js';
import { parseWindowSpan } from './data/window-span.js';
import { buildFigure, type ChartType, type Figure } from './render/figure.js';
import { PlotView, type PlotSize, type UserViewChange } from './render/plot-view.js';
import { readPlotTheme, type PlotTheme } from './render/theme.js';
import { fromPlotlyAxisValue, localTimeShiftInMs } from './render/time-axis.js';
import { StickyYRange, yExtent } from './render/y-range.js';
import {
  DATA_EVENT,
  ERROR_EVENT,
  PAUSE_CHANGE_EVENT,
  RENDER_EVENT,
  STATUS_CHANGE_EVENT,
  dispatchPlotEvent,
  type PauseChangeDetail,
} from './realtime-plot.events.js';
import { realtimePlotStyles } from './realtime-plot.styles.js';

export type { TokenProvider } from './connection/access-token.js';
export type { ErrorCode, PlotError, RealtimePlotStatus } from './connection/connection-status.js';
export type { ChartType } from './render/figure.js';
export type * from './realtime-plot.events.js';

export type XAxisMode = 'auto' | XAxisKind;
export type ThemeMode = 'auto' | 'light' | 'dark';

const DEFAULT_MAX_POINTS = 1000;
const MAX_POINTS_LIMIT = 100_000;
/** x values from here up look like epoch milliseconds (1973 onwards) to `x-axis="auto"`. */
const EPOCH_MS_THRESHOLD = 1e11;
const CHART_TYPES: readonly ChartType[] = ['lines', 'markers', 'bars'];

const STATUS_TEXT: Record<RealtimePlotStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  error: 'Error',
};

/**
 * A live Plotly chart of one stream of a realtime-plot hub. Every element on a page that names
 * the same `hub` shares one SignalR connection; each shows only its own `stream`.
 *
 * @summary Live chart of one stream, fed by Azure Event Grid through Azure SignalR Service.
 * @tagname realtime-plot
 *
 * @fires {CustomEvent<StatusChangeDetail>} realtime-plot-status-change - The connection status changed (`detail.status`, `detail.error`).
 * @fires {CustomEvent<DataDetail>} realtime-plot-data - A message of the stream was accepted (each `seq` once; `detail.message`, `detail.source` live|history).
 * @fires {CustomEvent<PauseChangeDetail>} realtime-plot-pause-change - The chart paused or returned to live (`detail.paused`, `detail.reason` zoom|control|property).
 * @fires {CustomEvent<PlotError>} realtime-plot-error - Something failed (`detail.code`, `detail.message`); the element keeps retrying what a retry can fix.
 * @fires {CustomEvent<RenderDetail>} realtime-plot-render - The chart was redrawn (`detail.durationInMs`, `detail.pointCount`).
 *
 * @csspart base - The card around everything.
 * @csspart header - The row with heading, status and controls.
 * @csspart heading - The heading (the `heading` attribute, else the stream name).
 * @csspart status - The connection status; its `data-status` attribute holds the status.
 * @csspart controls - The group of buttons.
 * @csspart control - Every button.
 * @csspart pause-button - The Pause / Live button.
 * @csspart csv-button - The CSV download button.
 * @csspart png-button - The PNG download button.
 * @csspart message - The error message line, shown while the status is an error.
 * @csspart chart - The area of the Plotly chart.
 * @csspart empty - The text shown over the chart before the first point.
 *
 * @cssprop [--realtime-plot-background=light-dark(#ffffff, #111827)] - Card and chart background.
 * @cssprop [--realtime-plot-foreground=light-dark(#1f2937, #e5e7eb)] - Text and axis labels.
 * @cssprop [--realtime-plot-muted=light-dark(#6b7280, #9ca3af)] - Secondary text (status, legend, empty state).
 * @cssprop [--realtime-plot-grid-color=light-dark(#e5e7eb, #374151)] - Grid and axis lines.
 * @cssprop [--realtime-plot-border-color=light-dark(#e5e7eb, #374151)] - Card and button borders.
 * @cssprop [--realtime-plot-accent=light-dark(#2563eb, #60a5fa)] - Focus ring, hovered and active buttons.
 * @cssprop [--realtime-plot-live-color=light-dark(#15803d, #4ade80)] - Status colour when live.
 * @cssprop [--realtime-plot-warning-color=light-dark(#b45309, #fbbf24)] - Status colour when reconnecting or offline.
 * @cssprop [--realtime-plot-error-color=light-dark(#dc2626, #f87171)] - Status and message colour on errors.
 * @cssprop --realtime-plot-colorway - Comma-separated series colours, in legend order.
 * @cssprop [--realtime-plot-font-family=system-ui, sans-serif] - Font of the card and the chart.
 * @cssprop [--realtime-plot-font-size=12px] - Base font size.
 * @cssprop [--realtime-plot-radius=8px] - Corner radius of the card.
 */
export class RealtimePlot extends LitElement {
  static override styles = realtimePlotStyles;

  /** The API base URL, ending in `/api` (e.g. `https://<function-app>.azurewebsites.net/api`). */
  @property({ reflect: true }) hub = '';

  /** The stream to show, e.g. `boiler-7/temperature`. */
  @property({ reflect: true }) stream = '';

  /** Title shown above the chart and used as its accessible name; the stream name when empty. */
  @property() heading = '';

  /** Points kept (and shown) per series; older points are dropped. */
  @property({ attribute: 'max-points', type: Number }) maxPoints: number = DEFAULT_MAX_POINTS;

  /** x span kept, ending at the newest point: `30s`, `5m`, `1h`, `2d`, `250ms` or a number (ms, or x units on a number axis). */
  @property({ attribute: 'window' }) timeWindow = '';

  /** Chart type: `lines`, `markers` or `bars`. */
  @property({ reflect: true }) type: ChartType = 'lines';

  /** Fixed lower end of the y axis; automatic when not set. */
  @property({ attribute: 'y-min', type: Number }) yMin: number | null = null;

  /** Fixed upper end of the y axis; automatic when not set. */
  @property({ attribute: 'y-max', type: Number }) yMax: number | null = null;

  /** x as `time` (epoch milliseconds, shown in local time), `number`, or `auto` (decided by the first values). */
  @property({ attribute: 'x-axis' }) xAxis: XAxisMode = 'auto';

  /** Freezes the view; data keeps arriving into the window and shows when `paused` is cleared. */
  @property({ type: Boolean, reflect: true }) paused = false;

  /** Colour scheme: `light`, `dark`, or `auto` (the user's preference). */
  @property({ reflect: true }) theme: ThemeMode = 'auto';

  /**
   * For streams that need the caller's own sign-in: returns the caller's token (JWT), sent as
   * `Authorization: Bearer` to `negotiate`. Called before every negotiation.
   */
  @property({ attribute: false }) tokenProvider?: TokenProvider;

  /** Plotly layout merged over the element's own (size, data revisions and the live x range stay the element's). */
  @property({ attribute: false }) layout?: Partial<Layout>;

  /** Plotly config merged over the element's own. */
  @property({ attribute: false }) config?: Partial<Config>;

  @state() private statusState: StatusState = { status: 'idle' };
  @state() private hasData = false;
  @state() private summary = '';

  @query('.plot') private plotElement!: HTMLElement;
  @query('.probe') private probeElement!: HTMLElement;

  private store = new SeriesStore({ maxPoints: DEFAULT_MAX_POINTS });
  /** The view while paused: a copy of the points at the moment of pausing. */
  private frozen?: { store: SeriesStore; xRange?: [number, number] };
  /** The x range the user zoomed to (data units), while paused by a zoom. */
  private userXRange?: [number, number];
  private detectedXAxis?: XAxisKind;
  private viewRevision = 0;
  private pauseReason: PauseChangeDetail['reason'] = 'property';
  private plotView?: PlotView;
  private plotTheme?: PlotTheme;
  private xShiftInMs = 0;
  private readonly yRange = new StickyYRange();
  private readonly warned = new Set<string>();
  private readonly liveSummary = new LiveSummary((text) => (this.summary = text));
  private readonly colorSchemeQuery = matchMedia('(prefers-color-scheme: dark)');
  private readonly onColorSchemeChange = () => this.themeChanged();

  private readonly feedSink: StreamFeedSink = {
    accept: (message, source) => this.accept(message, source),
    restart: () => this.clearData(),
    statusChanged: (state) => this.setStatus(state),
  };

  constructor() {
    super();
    new StreamController(this, () => ({ hub: this.hub, stream: this.stream, tokenProvider: this.tokenProvider }), this.feedSink);
  }

  /** The connection status. */
  get status(): RealtimePlotStatus {
    return this.statusState.status;
  }

  /** Why the status is `error` (or `reconnecting` after a failure). */
  get error(): PlotError | undefined {
    return this.statusState.error;
  }

  /** Points currently kept (all series). */
  get pointCount(): number {
    return this.store.pointCount;
  }

  /** Pauses the view (as the Pause button does). */
  pause(): void {
    this.setPaused(true, 'control');
  }

  /** Returns to the live view (as the Live button does), dropping any zoom. */
  resume(): void {
    this.setPaused(false, 'control');
  }

  /** The data on view as CSV (`series,time,y` or `series,x,y`), zoom and pause included. */
  toCsv(): string {
    const source = this.frozen?.store ?? this.store;
    return seriesToCsv(source.copy(this.userXRange), this.xAxisKind);
  }

  /** Saves {@link toCsv} as a file. */
  downloadCsv(): void {
    const url = URL.createObjectURL(new Blob([this.toCsv()], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${this.fileName()}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  /** Saves the chart as a PNG image. */
  async downloadPng(): Promise<void> {
    await this.plotView?.downloadPng(this.fileName());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.colorSchemeQuery.addEventListener('change', this.onColorSchemeChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.colorSchemeQuery.removeEventListener('change', this.onColorSchemeChange);
    this.plotView?.dispose();
    this.plotView = undefined;
    this.liveSummary.dispose();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('maxPoints') || changed.has('timeWindow')) this.store.setWindow(this.windowBounds());
    if (changed.has('paused')) this.pausedChanged(changed.get('paused') === undefined);
    if (changed.has('theme')) this.plotTheme = undefined;
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.plotView ??= new PlotView({
      root: this.renderRoot as ShadowRoot,
      graph: this.plotElement,
      figure: (size) => this.figure(size),
      onUserViewChange: (change) => this.userViewChanged(change),
      onRendered: (durationInMs, figure) => this.rendered(durationInMs, figure),
    });
    const redraws: (keyof RealtimePlot)[] = ['maxPoints', 'timeWindow', 'type', 'yMin', 'yMax', 'xAxis', 'paused', 'theme', 'layout', 'config'];
    if (redraws.some((name) => changed.has(name))) this.plotView.requestRender();
  }

  protected override render() {
    const label = this.label;
    const { status, error } = this.statusState;
    return html`
      <div part="base" role="figure" aria-labelledby="heading">
        <div part="header">
          <div part="heading" id="heading">${label}</div>
          <span part="status" data-status=${status} role="status">${STATUS_TEXT[status]}</span>
          <div part="controls">
            <button
              part="control pause-button"
              ?data-paused=${this.paused}
              aria-label=${this.paused ? 'Return to the live view' : 'Pause the live view'}
              @click=${() => this.setPaused(!this.paused, 'control')}
            >
              ${this.paused ? 'Live' : 'Pause'}
            </button>
            <button part="control csv-button" aria-label="Download the data on view as CSV" @click=${() => this.downloadCsv()}>CSV</button>
            <button part="control png-button" aria-label="Download the chart as a PNG image" @click=${() => void this.downloadPng()}>PNG</button>
          </div>
        </div>
        ${error ? html`<div part="message">${error.message}</div>` : nothing}
        <div part="chart">
          <div class="plot" role="img" aria-label=${`Chart of ${label}`}></div>
          ${this.hasData ? nothing : html`<div part="empty">${this.emptyText()}</div>`}
        </div>
        <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.summary}</div>
        <span class="visually-hidden probe" aria-hidden="true"></span>
      </div>
    `;
  }

  private get label(): string {
    return this.heading || this.stream || 'Live chart';
  }

  private get xAxisKind(): XAxisKind {
    return this.xAxis === 'time' || this.xAxis === 'number' ? this.xAxis : (this.detectedXAxis ?? 'time');
  }

  private emptyText(): string {
    const { status } = this.statusState;
    // An error's sentence is shown above the chart already.
    if (status === 'error') return 'No data';
    if (status === 'live') return 'Waiting for data…';
    if (status === 'idle') return this.hub && this.stream ? 'Not connected' : 'Set the hub and stream attributes';
    return STATUS_TEXT[status];
  }

  private accept(message: LiveMessage, source: MessageSource): void {
    if (this.detectedXAxis === undefined) {
      const first = message.series.find((series) => series.x.length > 0)?.x[0];
      if (first !== undefined) this.detectedXAxis = first >= EPOCH_MS_THRESHOLD ? 'time' : 'number';
    }
    this.store.add(message);
    if (!this.hasData && this.store.pointCount > 0) this.hasData = true;
    if (!this.paused) {
      this.plotView?.requestRender();
      this.liveSummary.offer(() => summaryText(this.label, this.store.latest(), this.xAxisKind));
    }
    dispatchPlotEvent(this, DATA_EVENT, { message, source });
  }

  private clearData(): void {
    this.store.clear();
    this.yRange.reset();
    if (this.frozen) this.frozen = { store: this.store.clone() };
    this.detectedXAxis = undefined;
    this.hasData = false;
    this.summary = '';
    this.plotView?.requestRender();
  }

  private setStatus(state: StatusState): void {
    if (sameStatus(state, this.statusState)) return;
    this.statusState = state;
    dispatchPlotEvent(this, STATUS_CHANGE_EVENT, { status: state.status, error: state.error });
    if (state.status === 'error' && state.error) dispatchPlotEvent(this, ERROR_EVENT, state.error);
  }

  private setPaused(paused: boolean, reason: PauseChangeDetail['reason']): void {
    if (paused === this.paused) return;
    this.pauseReason = reason;
    this.paused = paused;
  }

  /** Runs before render when `paused` changed (by a control, a zoom or the property; `initial` on the first render). */
  private pausedChanged(initial: boolean): void {
    if (this.paused) {
      this.frozen = { store: this.store.clone(), xRange: this.liveXRange() };
    } else {
      this.frozen = undefined;
      this.userXRange = undefined;
      this.viewRevision += 1;
    }
    if (!initial) dispatchPlotEvent(this, PAUSE_CHANGE_EVENT, { paused: this.paused, reason: this.pauseReason });
    this.pauseReason = 'property';
  }

  private userViewChanged(change: UserViewChange): void {
    if (change.kind === 'reset') {
      this.setPaused(false, 'zoom');
      return;
    }
    if (change.xRange) {
      const [from, to] = change.xRange.map((value) => fromPlotlyAxisValue(value, this.xShiftInMs));
      this.userXRange = from !== undefined && to !== undefined ? [Math.min(from, to), Math.max(from, to)] : undefined;
    }
    this.setPaused(true, 'zoom');
  }

  /** The figure for the next redraw; undefined while there is nothing to draw yet. */
  private figure(size: PlotSize): Figure | undefined {
    const source = this.frozen?.store ?? this.store;
    if (!this.hasData && !this.plotView?.graph) return undefined;
    const xAxis = this.xAxisKind;
    const newest = source.newest;
    this.xShiftInMs = xAxis === 'time' && newest !== undefined ? localTimeShiftInMs(newest) : 0;
    this.plotTheme ??= readPlotTheme(this, this.probeElement);
    const series = source.copy();
    return buildFigure({
      series,
      type: CHART_TYPES.includes(this.type) ? this.type : this.warnOnce('type', `type="${this.type}" is not lines, markers or bars`, 'lines'),
      xAxis,
      xShiftInMs: this.xShiftInMs,
      xRange: this.frozen ? this.frozen.xRange : this.liveXRange(),
      yRange: this.yRange.fit(yExtent(series), { min: finiteOrUndefined(this.yMin), max: finiteOrUndefined(this.yMax) }),
      theme: this.plotTheme,
      width: size.width,
      height: size.height,
      revision: source.revision,
      viewRevision: this.viewRevision,
      layout: this.layout,
      config: this.config,
    });
  }

  /** The followed x range: the window span ending at the newest point, else all kept points. */
  private liveXRange(): [number, number] | undefined {
    const newest = this.store.newest;
    if (newest === undefined) return undefined;
    const span = this.store.window.span;
    if (span !== undefined) return [newest - span, newest];
    let oldest = newest;
    for (const buffer of this.store.series.values()) if (buffer.length && buffer.x(0) < oldest) oldest = buffer.x(0);
    return oldest < newest ? [oldest, newest] : undefined;
  }

  private rendered(durationInMs: number, figure: Figure): void {
    let pointCount = 0;
    for (const trace of figure.data) pointCount += (trace.x as number[] | undefined)?.length ?? 0;
    dispatchPlotEvent(this, RENDER_EVENT, { durationInMs, pointCount });
  }

  private themeChanged(): void {
    this.plotTheme = undefined;
    this.plotView?.requestRender();
  }

  private windowBounds(): { maxPoints: number; span?: number } {
    const maxPoints = Number.isInteger(this.maxPoints) && this.maxPoints >= 1
      ? Math.min(this.maxPoints, MAX_POINTS_LIMIT)
      : this.warnOnce('max-points', `max-points="${this.maxPoints}" is not a whole number from 1 to ${MAX_POINTS_LIMIT}`, DEFAULT_MAX_POINTS);
    let span: number | undefined;
    try {
      span = parseWindowSpan(this.timeWindow);
    } catch (error) {
      span = this.warnOnce('window', (error as Error).message, undefined);
    }
    return { maxPoints, span };
  }

  /** Reports a bad attribute value once (per attribute) and returns the value used instead. */
  private warnOnce<T>(key: string, problem: string, fallback: T): T {
    if (!this.warned.has(key)) {
      this.warned.add(key);
      console.warn(`<realtime-plot>: ${problem}; using ${fallback === undefined ? 'none' : String(fallback)}.`);
    }
    return fallback;
  }

  private fileName(): string {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return `${this.label.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80)}-${stamp}`;
  }

}

function finiteOrUndefined(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
