/**
 * One widget's view of one stream: the live messages the hub client routes to it, the recent
 * past from history (a late joiner sees it at once), and the gaps filled from history after a
 * reconnect or a jump in `seq`. Hands each message to the widget exactly once.
 */
import type { LiveMessage } from '../../api/live-message.js';
import type { TokenProvider } from './access-token.js';
import { backoffDelayInMs } from './backoff.js';
import { sameStatus, type PlotError, type StatusState } from './connection-status.js';
import { toPlotError, type HubClient, type StreamListener } from './hub-client.js';
import { SequenceTracker } from './sequence-tracker.js';

export type MessageSource = 'live' | 'history';

/** What the widget does with its stream. */
export interface StreamFeedSink {
  /** A message not seen before (by `seq`), from the live connection or from history. */
  accept(message: LiveMessage, source: MessageSource): void;
  /** The server's sequence started over (its store was reset): drop everything shown. */
  restart(): void;
  statusChanged(state: StatusState): void;
}

export interface StreamFeedOptions {
  tokenProvider?: TokenProvider;
  /** How long a missing `seq` may take to arrive out of order before history is asked for it. */
  gapGraceInMs?: number;
}

const DEFAULT_GAP_GRACE_IN_MS = 1000;

export class StreamFeed implements StreamListener {
  readonly tokenProvider?: TokenProvider;
  private readonly tracker = new SequenceTracker();
  private readonly gapGraceInMs: number;
  private hubState: StatusState = { status: 'connecting' };
  private published?: StatusState;
  private synced = false;
  private syncError?: PlotError;
  private syncing = false;
  private syncAgain = false;
  private gapTimer?: ReturnType<typeof setTimeout>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private retryAttempt = 0;
  private closed = false;

  constructor(
    private readonly client: HubClient,
    readonly stream: string,
    private readonly sink: StreamFeedSink,
    options: StreamFeedOptions = {},
  ) {
    this.tokenProvider = options.tokenProvider;
    this.gapGraceInMs = options.gapGraceInMs ?? DEFAULT_GAP_GRACE_IN_MS;
  }

  open(): void {
    this.client.attach(this);
    // History needs only an access token, not the live connection: show the recent past early.
    void this.sync();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
    this.client.detach(this);
  }

  receive(message: LiveMessage): void {
    if (this.closed || !this.tracker.accept(message.seq)) return;
    this.sink.accept(message, 'live');
    if (this.synced && this.tracker.needsSync && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.tracker.needsSync) void this.sync();
      }, this.gapGraceInMs);
    }
  }

  subscribed(): void {
    void this.sync();
  }

  statusChanged(state: StatusState): void {
    this.hubState = state;
    this.publishStatus();
  }

  /** Fetches what is missing; concurrent calls fold into one more round. */
  private async sync(): Promise<void> {
    if (this.closed) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    clearTimeout(this.retryTimer);
    try {
      do {
        this.syncAgain = false;
        await this.fetchMissing();
      } while (this.syncAgain && !this.closed);
      this.synced = true;
      this.syncError = undefined;
      this.retryAttempt = 0;
    } catch (error) {
      this.syncError = toPlotError(error, this.client.api.hubUrl);
      // Retried with backoff; a reconnect (subscribed()) retries at once.
      this.retryTimer = setTimeout(() => void this.sync(), backoffDelayInMs(this.retryAttempt));
      this.retryAttempt += 1;
    } finally {
      this.syncing = false;
      this.publishStatus();
    }
  }

  private async fetchMissing(): Promise<void> {
    // No limit: the server's bound per stream (the window trims what is not needed).
    const afterSeq = this.tracker.syncAfter;
    const query = { afterSeq };
    let history;
    try {
      history = await this.client.api.history(this.stream, query, (await this.client.session.fresh()).accessToken);
    } catch (error) {
      if (toPlotError(error, '').code !== 'unauthorized') throw error;
      history = await this.client.api.history(this.stream, query, (await this.client.session.renew()).accessToken);
    }
    if (this.closed) return;
    if (afterSeq !== undefined && history.lastSeq < afterSeq) {
      // The server's sequence started over: start over too, with a full backfill.
      this.tracker.reset();
      this.sink.restart();
      this.syncAgain = true;
      return;
    }
    for (const message of history.messages) {
      if (this.tracker.accept(message.seq)) this.sink.accept(message, 'history');
    }
    this.tracker.settle(history.lastSeq);
  }

  private publishStatus(): void {
    if (this.closed) return;
    let state = this.hubState;
    if (state.status === 'live' && this.syncError) state = { status: 'error', error: this.syncError };
    else if (state.status === 'live' && !this.synced) state = { status: 'connecting' };
    if (this.published && sameStatus(this.published, state)) return;
    this.published = state;
    this.sink.statusChanged(state);
  }
}
