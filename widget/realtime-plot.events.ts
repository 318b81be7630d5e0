/**
 * The events `<realtime-plot>` dispatches. All bubble and cross shadow roots (`composed`), so a
 * page can listen on the element or on any ancestor.
 */
import type { LiveMessage } from '../api/live-message.js';
import type { PlotError, RealtimePlotStatus } from './connection/connection-status.js';
import type { MessageSource } from './connection/stream-feed.js';

export interface StatusChangeDetail {
  status: RealtimePlotStatus;
  /** Why, when `status` is `error` (and sometimes `reconnecting`). */
  error?: PlotError;
}

export interface DataDetail {
  /** The accepted message (each `seq` once), as documented in README "The live message". */
  message: LiveMessage;
  /** `live` from the connection, `history` from a backfill or gap fill. */
  source: MessageSource;
}

export interface PauseChangeDetail {
  paused: boolean;
  /** `zoom`: the user zoomed or panned; `control`: the Pause/Live button; `property`: `paused` was set. */
  reason: 'zoom' | 'control' | 'property';
}

export interface RenderDetail {
  /** Time spent in Plotly for this redraw. */
  durationInMs: number;
  /** Points handed to Plotly (after decimation). */
  pointCount: number;
}

export const STATUS_CHANGE_EVENT = 'realtime-plot-status-change';
export const DATA_EVENT = 'realtime-plot-data';
export const PAUSE_CHANGE_EVENT = 'realtime-plot-pause-change';
export const ERROR_EVENT = 'realtime-plot-error';
export const RENDER_EVENT = 'realtime-plot-render';

declare global {
  interface HTMLElementEventMap {
    'realtime-plot-status-change': CustomEvent<StatusChangeDetail>;
    'realtime-plot-data': CustomEvent<DataDetail>;
    'realtime-plot-pause-change': CustomEvent<PauseChangeDetail>;
    'realtime-plot-error': CustomEvent<PlotError>;
    'realtime-plot-render': CustomEvent<RenderDetail>;
  }
}

type DetailOf<K extends keyof HTMLElementEventMap> = HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never;

/** Dispatches one of the events above from `target`, bubbling and composed. */
export function dispatchPlotEvent<K extends keyof HTMLElementEventMap>(target: HTMLElement, name: K, detail: DetailOf<K>): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
