/**
 * A stock `@microsoft/signalr` client that reads streams as the widget does: negotiate with the
 * Functions app, connect to SignalR Service with the access token, `POST /api/subscribe` for
 * each stream (the token's user joins the stream's group), then record every live message.
 */
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { LIVE_MESSAGE_TARGET, type LiveMessage } from '../../../api/live-message.js';

export interface LiveSubscriberOptions {
  /** The Functions app's `/api` URL. */
  apiUrl: string;
  streams: readonly string[];
  /** Sent with negotiate, e.g. `authorization` with a caller token for protected streams. */
  negotiateHeaders?: Record<string, string>;
  transport?: HttpTransportType;
}

export class LiveSubscriber {
  readonly messages: LiveMessage[] = [];

  private constructor(
    readonly connection: HubConnection,
    readonly accessToken: string,
  ) {
    connection.on(LIVE_MESSAGE_TARGET, (...messages: LiveMessage[]) => this.messages.push(...messages));
  }

  static async connect(options: LiveSubscriberOptions): Promise<LiveSubscriber> {
    const negotiated = await fetch(`${options.apiUrl}/negotiate`, { method: 'POST', headers: options.negotiateHeaders });
    if (negotiated.status !== 200) throw new Error(`negotiate answered ${negotiated.status}`);
    const { url, accessToken } = (await negotiated.json()) as { url: string; accessToken: string };
    const connection = new HubConnectionBuilder()
      .withUrl(url, { accessTokenFactory: () => accessToken, transport: options.transport ?? HttpTransportType.WebSockets })
      .configureLogging(LogLevel.None)
      .build();
    const subscriber = new LiveSubscriber(connection, accessToken);
    await connection.start();
    for (const stream of options.streams) {
      const response = await fetch(`${options.apiUrl}/subscribe`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ stream }),
      });
      if (response.status !== 200) throw new Error(`subscribe to ${stream} answered ${response.status}: ${await response.text()}`);
    }
    return subscriber;
  }

  of(stream: string): LiveMessage[] {
    return this.messages.filter((message) => message.stream === stream);
  }

  /** The distinct seqs received for a stream, ascending. */
  seqs(stream: string): number[] {
    return [...new Set(this.of(stream).map((message) => message.seq))].sort((a, b) => a - b);
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }
}

/** 1..count */
export function oneTo(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}
