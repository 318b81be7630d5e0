/**
 * One hub URL's connection, shared by every widget of the page on that hub: negotiates, keeps
 * one SignalR connection up for as long as any widget needs it (reconnecting with backoff,
 * forever), subscribes each stream once, re-subscribes after every reconnect (a restarted
 * service forgets groups), and routes each live message to the widgets of its stream only.
 */
import type { HubConnection } from '@microsoft/signalr';
import type { LiveMessage } from '../../api/live-message.js';
import { LIVE_MESSAGE_TARGET } from '../../api/live-message.js';
import { AccessTokenSession, type TokenProvider } from './access-token.js';
import { backoffDelayInMs } from './backoff.js';
import type { PlotError, StatusState } from './connection-status.js';
import { HubApi, HubRequestError } from './hub-api.js';
import { MalformedError, readLiveMessage } from './live-message-guard.js';
import { loadSignalR } from './signalr-loader.js';

/** A widget's side of a hub client: one stream, and what to do with its messages. */
export interface StreamListener {
  readonly stream: string;
  readonly tokenProvider?: TokenProvider;
  /** A checked live message of this listener's stream. */
  receive(message: LiveMessage): void;
  /** The stream is (again) subscribed on a fresh connection: fetch what was missed. */
  subscribed(): void;
  /** The connection's or the stream's status changed. */
  statusChanged(state: StatusState): void;
}

export interface HubClientOptions {
  /** How long a stream (and the connection) outlives its last widget, so a widget moved in the DOM reuses both. */
  releaseDelayInMs?: number;
  /** Called once the client has stopped for good (its last widget left). */
  onStopped?: () => void;
}

type ConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'failing';

interface StreamEntry {
  readonly listeners: Set<StreamListener>;
  state: 'waiting' | 'subscribing' | 'subscribed' | 'refused';
  /** Was subscribed on an earlier connection: subscribing again is part of reconnecting. */
  wasSubscribed: boolean;
  error?: PlotError;
  /** Bumped by each subscribe round, so a stale round stops when a newer one starts. */
  round: number;
  releaseTimer?: ReturnType<typeof setTimeout>;
}

const DEFAULT_RELEASE_DELAY_IN_MS = 1000;

export class HubClient {
  readonly api: HubApi;
  readonly session: AccessTokenSession;
  /** Live frames that failed the contract check (ignored). */
  malformedCount = 0;

  private readonly streams = new Map<string, StreamEntry>();
  private readonly releaseDelayInMs: number;
  private readonly onStopped?: () => void;
  private connection?: HubConnection;
  private connectionUrl?: string;
  private phase: ConnectionPhase = 'connecting';
  private phaseError?: PlotError;
  private wasConnected = false;
  private running = false;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private renewalTimer?: ReturnType<typeof setTimeout>;
  private tokenProviderInUse?: TokenProvider;
  private readonly onOnline = () => this.wakeSleepers();

  constructor(hubUrl: string, options: HubClientOptions = {}) {
    this.api = new HubApi(hubUrl);
    this.session = new AccessTokenSession(this.api, () => this.callerToken());
    this.releaseDelayInMs = options.releaseDelayInMs ?? DEFAULT_RELEASE_DELAY_IN_MS;
    this.onStopped = options.onStopped;
    window.addEventListener('online', this.onOnline);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** True while the SignalR connection is up. */
  get isConnected(): boolean {
    return this.phase === 'connected';
  }

  attach(listener: StreamListener): void {
    if (this.stopped) throw new Error('HubClient was stopped');
    let entry = this.streams.get(listener.stream);
    if (!entry) {
      entry = { listeners: new Set(), state: 'waiting', wasSubscribed: false, round: 0 };
      this.streams.set(listener.stream, entry);
    }
    clearTimeout(entry.releaseTimer);
    entry.releaseTimer = undefined;
    entry.listeners.add(listener);
    listener.statusChanged(this.statusOf(entry));
    if (!this.running && !this.isConnected) void this.run();
    if (!this.isConnected) return;
    // A refused stream is retried when a widget (possibly with another sign-in) asks again.
    if (entry.state === 'waiting' || entry.state === 'refused') void this.subscribeStream(listener.stream, entry);
    else if (entry.state === 'subscribed') listener.subscribed();
  }

  detach(listener: StreamListener): void {
    const entry = this.streams.get(listener.stream);
    if (!entry?.listeners.delete(listener) || entry.listeners.size > 0) return;
    entry.releaseTimer = setTimeout(() => this.releaseStream(listener.stream, entry), this.releaseDelayInMs);
  }

  /**
   * Routes one live frame (an argument of a `points` invocation) to the widgets of its stream.
   * Frames that break the contract are counted and dropped; the first one is reported once.
   */
  deliver(frame: unknown): void {
    let message: LiveMessage;
    try {
      message = readLiveMessage(frame);
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      this.malformedCount += 1;
      if (this.malformedCount === 1) console.warn(`realtime-plot: ignored a malformed live message from ${this.api.hubUrl}: ${error.message}`);
      return;
    }
    const entry = this.streams.get(message.stream);
    if (!entry) return;
    for (const listener of entry.listeners) listener.receive(message);
  }

  private releaseStream(stream: string, entry: StreamEntry): void {
    if (entry.listeners.size > 0 || this.streams.get(stream) !== entry) return;
    this.streams.delete(stream);
    entry.round += 1;
    if (entry.state === 'subscribed' || entry.state === 'subscribing') void this.unsubscribe(stream);
    if (this.streams.size === 0) this.stop();
  }

  private async unsubscribe(stream: string): Promise<void> {
    try {
      const { accessToken } = await this.session.fresh();
      await this.api.unsubscribe(stream, accessToken);
    } catch {
      // Best effort: the membership belongs to a user id that no other page will use.
    }
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.renewalTimer);
    this.wakeSleepers();
    window.removeEventListener('online', this.onOnline);
    void this.connection?.stop();
    this.onStopped?.();
  }

  /** The connect loop: runs until connected (or stopped), retrying with backoff forever. */
  private async run(): Promise<void> {
    this.running = true;
    let attempt = 0;
    let renewToken = false;
    try {
      while (!this.stopped) {
        if (!navigator.onLine) {
          this.setPhase('offline');
          await this.sleep(Infinity);
          continue;
        }
        // Back online: say so. (A failure stays on show between attempts, instead of flickering.)
        if (this.phase === 'offline') this.setPhase(this.wasConnected ? 'reconnecting' : 'connecting');
        try {
          const { url } = renewToken ? await this.session.renew() : await this.session.fresh();
          renewToken = false;
          const connection = await this.connectionFor(url);
          await connection.start();
          if (this.stopped) {
            await connection.stop();
            return;
          }
          this.connected();
          return;
        } catch (error) {
          if (this.stopped) return;
          renewToken = httpStatusOf(error) === 401;
          this.phaseError = toPlotError(error, this.connectionUrl ?? this.api.hubUrl);
          this.setPhase(this.wasConnected ? 'reconnecting' : 'failing', this.phaseError);
          await this.sleep(backoffDelayInMs(attempt));
          attempt += 1;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** The SignalR connection to `url`, built anew when the service URL changed. */
  private async connectionFor(url: string): Promise<HubConnection> {
    if (this.connection && this.connectionUrl === url) return this.connection;
    const { HubConnectionBuilder, LogLevel } = await loadSignalR();
    const connection = new HubConnectionBuilder()
      .withUrl(url, {
        accessTokenFactory: async () => (await this.session.fresh()).accessToken,
        // Bearer tokens, no cookies: works with any CORS setup of the service.
        withCredentials: false,
      })
      // Status is shown in the widget; the console stays quiet.
      .configureLogging(LogLevel.None)
      .build();
    // One invocation carries one or more messages of a stream, in seq order.
    connection.on(LIVE_MESSAGE_TARGET, (...frames: unknown[]) => {
      if (frames.length === 0) this.deliver(undefined);
      for (const frame of frames) this.deliver(frame);
    });
    connection.onclose(() => {
      if (this.stopped || connection !== this.connection) return;
      this.wasConnected = true;
      // The next connection subscribes everything again (a restarted service forgot the groups).
      for (const entry of this.streams.values()) if (entry.state !== 'refused') entry.state = 'waiting';
      this.setPhase('reconnecting');
      if (!this.running) void this.run();
    });
    this.connection = connection;
    this.connectionUrl = url;
    return connection;
  }

  private connected(): void {
    this.wasConnected = true;
    this.phaseError = undefined;
    this.setPhase('connected');
    for (const [stream, entry] of this.streams) void this.subscribeStream(stream, entry);
    this.scheduleRenewal();
  }

  /**
   * Memberships expire (with the access token for streams granted by a caller token, after the
   * API's subscription TTL otherwise), so each token renewal renews every subscription too.
   */
  private scheduleRenewal(attempt = 0): void {
    clearTimeout(this.renewalTimer);
    const delayInMs = attempt > 0 ? backoffDelayInMs(attempt - 1) : this.session.renewAt - Date.now();
    if (!Number.isFinite(delayInMs) || this.stopped) return;
    this.renewalTimer = setTimeout(async () => {
      try {
        await this.session.renew();
      } catch {
        this.scheduleRenewal(attempt + 1);
        return;
      }
      if (this.isConnected) {
        for (const [stream, entry] of this.streams) if (entry.state === 'subscribed') void this.subscribeStream(stream, entry, { renewal: true });
      }
      this.scheduleRenewal();
    }, Math.max(0, delayInMs));
  }

  /**
   * Subscribes one stream on the current connection, retrying what a retry can fix. A renewal
   * of a live subscription keeps showing "live" and does not refetch history.
   */
  private async subscribeStream(stream: string, entry: StreamEntry, options: { renewal?: boolean } = {}): Promise<void> {
    const round = (entry.round += 1);
    const current = () => round === entry.round && !this.stopped && this.isConnected;
    if (!options.renewal) {
      entry.state = 'subscribing';
      entry.error = undefined;
      this.notify(entry);
    }
    let attempt = 0;
    let renewed = false;
    while (current()) {
      try {
        const signInChanged = this.activeTokenProvider() !== this.tokenProviderInUse;
        const { accessToken } = signInChanged || renewed ? await this.session.renew() : await this.session.fresh();
        await this.api.subscribe(stream, accessToken);
        if (!current()) return;
        entry.state = 'subscribed';
        entry.wasSubscribed = true;
        entry.error = undefined;
        this.notify(entry);
        if (!options.renewal) for (const listener of entry.listeners) listener.subscribed();
        return;
      } catch (error) {
        if (!current()) return;
        const plotError = toPlotError(error, this.api.hubUrl);
        if (plotError.code === 'unauthorized' && !renewed) {
          renewed = true; // The token may have expired: one more try with a fresh one.
          continue;
        }
        entry.error = plotError;
        if (plotError.code === 'stream-forbidden' || (error instanceof HubRequestError && error.status === 400)) {
          // Only another sign-in or another stream name can change this answer.
          entry.state = 'refused';
          this.notify(entry);
          return;
        }
        this.notify(entry);
        await this.sleep(backoffDelayInMs(attempt));
        attempt += 1;
      }
    }
  }

  private setPhase(phase: ConnectionPhase, error?: PlotError): void {
    this.phase = phase;
    this.phaseError = error;
    for (const entry of this.streams.values()) this.notify(entry);
  }

  private notify(entry: StreamEntry): void {
    const state = this.statusOf(entry);
    for (const listener of entry.listeners) listener.statusChanged(state);
  }

  private statusOf(entry: StreamEntry): StatusState {
    switch (this.phase) {
      case 'offline':
        return { status: 'offline' };
      case 'failing':
        return { status: 'error', error: this.phaseError };
      case 'reconnecting':
        return { status: 'reconnecting', error: this.phaseError };
      case 'connecting':
        return { status: 'connecting' };
      case 'connected':
        if (entry.state === 'subscribed') return { status: 'live' };
        if (entry.state === 'refused') return { status: 'error', error: entry.error };
        // A subscribe that keeps failing is an error worth showing while it is retried.
        if (entry.error) return { status: 'error', error: entry.error };
        return { status: entry.wasSubscribed ? 'reconnecting' : 'connecting' };
    }
  }

  /** The caller token of the first widget on this hub that has a token provider. */
  private async callerToken(): Promise<string | undefined> {
    const provider = this.activeTokenProvider();
    this.tokenProviderInUse = provider;
    return (await provider?.()) ?? undefined;
  }

  private activeTokenProvider(): TokenProvider | undefined {
    for (const entry of this.streams.values()) {
      for (const listener of entry.listeners) if (listener.tokenProvider) return listener.tokenProvider;
    }
    return undefined;
  }

  /** Waits `delayInMs`, or less when the browser comes back online or the client stops. */
  private sleep(delayInMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = Number.isFinite(delayInMs) ? setTimeout(done, delayInMs) : undefined;
      this.sleepers.add(done);
    });
  }

  private wakeSleepers(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}

/** Any failure of a request or of the SignalR connection, as a reason for people. */
export function toPlotError(error: unknown, url: string): PlotError {
  if (error instanceof HubRequestError) return { code: error.code, message: error.message };
  const status = httpStatusOf(error);
  if (status === 401 || status === 403) {
    return { code: 'unauthorized', message: `The SignalR service at ${url} refused the access token (HTTP ${status}).` };
  }
  if (status !== undefined) return { code: 'hub-unreachable', message: `The SignalR service at ${url} failed (HTTP ${status}).` };
  return { code: 'hub-unreachable', message: `Cannot connect to the SignalR service at ${url}.` };
}

/** The HTTP status of a SignalR client error (its `HttpError`), if it has one. */
function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
