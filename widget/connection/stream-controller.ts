/**
 * The connection lifecycle of one element, as a Lit reactive controller: while the element is
 * on the page and has a valid `hub` and `stream`, it has a {@link StreamFeed} on the page's
 * shared hub client; changing `hub`, `stream` or `tokenProvider` replaces the feed (the old
 * stream is unsubscribed), and leaving the page closes it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { streamNameProblem } from '../../api/streams/stream-name.js';
import type { TokenProvider } from './access-token.js';
import { hubClientFor } from './hub-client-pool.js';
import { StreamFeed, type StreamFeedSink } from './stream-feed.js';

export interface StreamSource {
  hub: string;
  stream: string;
  tokenProvider?: TokenProvider;
}

export class StreamController implements ReactiveController {
  private feed?: StreamFeed;
  private current?: StreamSource;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => StreamSource,
    private readonly sink: StreamFeedSink,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    // Attach again after the element was re-inserted (no update would run otherwise).
    this.host.requestUpdate();
  }

  /** Before the host renders, so the status set here shows in the same render. */
  hostUpdate(): void {
    if (!this.connected) return;
    const { hub, stream, tokenProvider } = this.source();
    const current = this.current;
    if (current && current.hub === hub && current.stream === stream && current.tokenProvider === tokenProvider) return;
    this.close();
    this.current = { hub, stream, tokenProvider };
    this.sink.restart();
    if (!hub || !stream) {
      this.sink.statusChanged({ status: 'idle' });
      return;
    }
    const problem = attributeProblem(hub, stream);
    if (problem) {
      this.sink.statusChanged({ status: 'error', error: { code: 'invalid-attribute', message: problem } });
      return;
    }
    this.feed = new StreamFeed(hubClientFor(hub), stream, this.sink, { tokenProvider });
    this.feed.open();
  }

  hostDisconnected(): void {
    this.connected = false;
    // Moving an element in the DOM disconnects and reconnects it in one go: keep the feed then.
    queueMicrotask(() => {
      if (this.connected) return;
      this.close();
      this.current = undefined;
    });
  }

  private close(): void {
    this.feed?.close();
    this.feed = undefined;
  }
}

function attributeProblem(hub: string, stream: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(hub, document.baseURI);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return `hub="${hub.slice(0, 80)}" is not an http(s) URL.`;
  const problem = streamNameProblem(stream);
  return problem ? `stream ${problem}.` : undefined;
}
