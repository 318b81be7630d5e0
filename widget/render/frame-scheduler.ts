/**
 * One frame loop for every widget on the page. A Plotly redraw costs several milliseconds
 * whatever the number of points, so redraws are rationed:
 *
 * - at most one per widget per animation frame, only for widgets on screen, the widget that has
 *   waited longest first (every widget gets its turn on a crowded page);
 * - per widget, no more often than keeps its share of the main thread under `maxTaskShare`, from
 *   its measured cost: the Plotly call with the style and layout it causes, plus its part of
 *   the paint that follows in the same frame;
 * - per frame, within a budget that adapts to how long frames actually take: it shrinks when
 *   frames run longer than `targetFrameInMs` (the page keeps its frame rate, and time for its
 *   messages, timers and input) and grows back while they do not.
 */

export interface FrameTask {
  /** Whether drawing would be seen (on screen); hidden tasks stay pending until they are. */
  readonly visible: boolean;
  /**
   * Draws now: at most one Plotly call, and the style and layout work it causes (so that the
   * time measured is what the redraw costs). Returns false when there was nothing to draw yet.
   */
  renderFrame(): boolean;
}

export interface FrameSchedulerOptions {
  /** Largest fraction of the main thread one widget's redraws may take. */
  maxTaskShare?: number;
  /** Frame length the budget steers to (one redraw always runs when one is due). */
  targetFrameInMs?: number;
  /** Largest redraw time per frame. */
  maxFrameBudgetInMs?: number;
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
const FRAME_IN_MS = 1000 / 60;
/** How the frame budget shrinks on a long frame and grows on a short one. */
const BUDGET_DECREASE = 0.75;
const BUDGET_INCREASE_IN_MS = 0.5;

export class FrameScheduler {
  private readonly states = new Map<FrameTask, TaskState>();
  private frame?: number;
  private readonly maxTaskShare: number;
  private readonly targetFrameInMs: number;
  private readonly maxFrameBudgetInMs: number;
  private readonly initialCostInMs: number;
  private frameBudgetInMs: number;
  /** When the last frame that drew started (its successor tells how long it took). */
  private lastDrawingFrameAt?: number;

  constructor(options: FrameSchedulerOptions = {}) {
    this.maxTaskShare = options.maxTaskShare ?? 0.33;
    this.targetFrameInMs = options.targetFrameInMs ?? 28;
    this.maxFrameBudgetInMs = options.maxFrameBudgetInMs ?? 24;
    this.initialCostInMs = options.initialCostInMs ?? 20;
    this.frameBudgetInMs = this.maxFrameBudgetInMs / 2;
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

  private requestFrame(): void {
    this.frame ??= requestAnimationFrame(() => this.runFrame());
  }

  private runFrame(): void {
    this.frame = undefined;
    const frameStart = performance.now();
    this.adaptBudget(frameStart);
    const pending = [...this.states].filter(([task, state]) => state.pendingSince !== undefined && task.visible);
    const due = pending
      .filter(([, state]) => frameStart - state.lastRenderAt >= this.minIntervalInMs(state))
      .sort(([, a], [, b]) => (a.pendingSince as number) - (b.pendingSince as number));
    let spent = 0;
    const drawn: [TaskState, number][] = [];
    for (const [task, state] of due) {
      if (spent > 0 && spent + state.costInMs > this.frameBudgetInMs) continue;
      state.pendingSince = undefined;
      const started = performance.now();
      let drew = false;
      try {
        drew = task.renderFrame();
      } catch (error) {
        // One widget's failure (say, a layout override Plotly rejects) must not stop the others.
        reportError(error);
      }
      const cost = performance.now() - started;
      spent += cost;
      if (drew) {
        state.lastRenderAt = started;
        drawn.push([state, cost]);
      }
    }
    this.lastDrawingFrameAt = drawn.length ? frameStart : undefined;
    if (drawn.length) this.measureAfterPaint(drawn, spent);
    if (pending.some(([, state]) => state.pendingSince !== undefined)) this.requestFrame();
  }

  /** Shrinks the budget after a frame that ran long, grows it back after one that did not. */
  private adaptBudget(frameStart: number): void {
    if (this.lastDrawingFrameAt === undefined) return;
    const frameLength = frameStart - this.lastDrawingFrameAt;
    this.frameBudgetInMs =
      frameLength > this.targetFrameInMs
        ? this.frameBudgetInMs * BUDGET_DECREASE
        : Math.min(this.maxFrameBudgetInMs, this.frameBudgetInMs + BUDGET_INCREASE_IN_MS);
  }

  /**
   * Once this frame is painted, records each redraw's cost: its own time plus a share of the
   * paint time that followed, in proportion to its own time.
   */
  private measureAfterPaint(drawn: [TaskState, number][], spent: number): void {
    const renderedAt = performance.now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const paintInMs = performance.now() - renderedAt;
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
