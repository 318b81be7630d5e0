/**
 * One frame loop for every widget on the page. A Plotly redraw costs several milliseconds
 * whatever the number of points, so redraws are rationed: at most one per widget per animation
 * frame, only for widgets on screen, oldest request first, within a time budget per frame.
 * Each widget's redraw cost is measured (the Plotly call, plus its part of the browser's style,
 * layout and paint work that follows in the same frame), and a widget is redrawn no more often
 * than keeps its share of the main thread under {@link FrameSchedulerOptions.maxTaskShare}; a
 * widget that has waited too long may stretch the frame, so every widget keeps updating on a
 * crowded page. All redraws together take at most {@link FrameSchedulerOptions.maxPageShare} of
 * the time, so the page keeps time for its messages, timers and input however many widgets it has.
 */

export interface FrameTask {
  /** Whether drawing would be seen (on screen); hidden tasks stay pending until they are. */
  readonly visible: boolean;
  /** Draws now: at most one Plotly call. Returns false when there was nothing it could draw yet. */
  renderFrame(): boolean;
}

export interface FrameSchedulerOptions {
  /** Redraw time per frame once one redraw has run. */
  frameBudgetInMs?: number;
  /** Redraw time per frame for widgets that waited longer than `starvedAfterInMs`. */
  stretchedFrameBudgetInMs?: number;
  starvedAfterInMs?: number;
  /** Largest fraction of the main thread one widget's redraws may take. */
  maxTaskShare?: number;
  /** Largest fraction of the main thread all redraws together may take (over about a second). */
  maxPageShare?: number;
  /** Cost assumed for a widget not measured yet (a first plot is the most expensive). */
  initialCostInMs?: number;
}

interface TaskState {
  pendingSince?: number;
  lastRenderAt: number;
  costInMs: number;
}

/** Weight of the newest measurement in the running cost estimate. */
const COST_SMOOTHING = 0.2;
/** Redraw time that may be spent at once after a quiet spell. */
const MAX_BURST_IN_MS = 50;
const FRAME_IN_MS = 1000 / 60;

export class FrameScheduler {
  private readonly states = new Map<FrameTask, TaskState>();
  private frame?: number;
  private readonly frameBudgetInMs: number;
  private readonly stretchedFrameBudgetInMs: number;
  private readonly starvedAfterInMs: number;
  private readonly maxTaskShare: number;
  private readonly maxPageShare: number;
  private readonly initialCostInMs: number;
  /** Redraw time available now (a token bucket filled at `maxPageShare`). */
  private allowanceInMs = MAX_BURST_IN_MS;
  private allowanceAt = performance.now();

  constructor(options: FrameSchedulerOptions = {}) {
    this.frameBudgetInMs = options.frameBudgetInMs ?? 18;
    this.stretchedFrameBudgetInMs = options.stretchedFrameBudgetInMs ?? 26;
    this.starvedAfterInMs = options.starvedAfterInMs ?? 150;
    this.maxTaskShare = options.maxTaskShare ?? 0.36;
    this.maxPageShare = options.maxPageShare ?? 0.8;
    this.initialCostInMs = options.initialCostInMs ?? 20;
  }

  /** Asks for `task` to be drawn in a coming frame (repeated requests fold into one). */
  schedule(task: FrameTask): void {
    let state = this.states.get(task);
    if (!state) {
      state = { lastRenderAt: -Infinity, costInMs: this.initialCostInMs };
      this.states.set(task, state);
    }
    state.pendingSince ??= performance.now();
    if (task.visible) this.requestFrame();
  }

  /** Forgets `task` (its element left the page). */
  remove(task: FrameTask): void {
    this.states.delete(task);
  }

  /** The measured cost of one redraw of `task`, in ms (undefined before its first redraw). */
  costOf(task: FrameTask): number | undefined {
    const state = this.states.get(task);
    return state && state.lastRenderAt > -Infinity ? state.costInMs : undefined;
  }

  private requestFrame(): void {
    this.frame ??= requestAnimationFrame(() => this.runFrame());
  }

  private runFrame(): void {
    this.frame = undefined;
    const frameStart = performance.now();
    this.allowanceInMs = Math.min(MAX_BURST_IN_MS, this.allowanceInMs + (frameStart - this.allowanceAt) * this.maxPageShare);
    this.allowanceAt = frameStart;
    const pending = [...this.states].filter(([task, state]) => state.pendingSince !== undefined && task.visible);
    const due = pending
      .filter(([, state]) => frameStart - state.lastRenderAt >= this.minIntervalInMs(state))
      .sort(([, a], [, b]) => (a.pendingSince as number) - (b.pendingSince as number));
    let spent = 0;
    const drawn: [TaskState, number][] = [];
    for (const [task, state] of due) {
      const starved = frameStart - Math.max(state.lastRenderAt, state.pendingSince as number) >= this.starvedAfterInMs;
      const budget = starved ? this.stretchedFrameBudgetInMs : this.frameBudgetInMs;
      if (this.allowanceInMs <= 0) break;
      if (spent > 0 && spent + state.costInMs > budget) continue;
      state.pendingSince = undefined;
      const started = performance.now();
      let drew = false;
      try {
        drew = task.renderFrame();
      } finally {
        const cost = performance.now() - started;
        spent += cost;
        this.allowanceInMs -= cost;
        if (drew) {
          state.lastRenderAt = started;
          drawn.push([state, cost]);
        }
      }
    }
    if (drawn.length) this.measureAfterPaint(drawn, spent);
    if (pending.some(([, state]) => state.pendingSince !== undefined)) this.requestFrame();
  }

  /**
   * Once this frame is painted, records each redraw's cost: its own time plus a share of the
   * style, layout and paint time that followed, in proportion to its own time.
   */
  private measureAfterPaint(drawn: [TaskState, number][], spent: number): void {
    const renderedAt = performance.now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const paintInMs = performance.now() - renderedAt;
      this.allowanceInMs -= paintInMs;
      for (const [state, cost] of drawn) {
        const total = cost + (spent > 0 ? (paintInMs * cost) / spent : 0);
        state.costInMs += COST_SMOOTHING * (total - state.costInMs);
      }
      channel.port1.close();
    };
    // A message posted during an animation frame is handled after that frame's rendering.
    channel.port2.postMessage(undefined);
  }

  /** A widget's redraws are spaced so they take at most `maxTaskShare` of the time (half a frame of slack). */
  private minIntervalInMs(state: TaskState): number {
    return state.costInMs / this.maxTaskShare - FRAME_IN_MS / 2;
  }
}

/** The page's scheduler, shared by every widget. */
export const frameScheduler = new FrameScheduler();
