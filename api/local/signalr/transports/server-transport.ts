/** The server side of one client connection's transport (WebSockets, Server-Sent Events or long polling). */

export type TransportName = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

export interface ServerTransport {
  readonly name: TransportName;
  /** Server-Sent Events carry text only, so MessagePack cannot use them. */
  readonly supportsBinary: boolean;
  /** Long polling proves the client is there with every poll: no hub pings, no client timeout. */
  readonly inherentKeepAlive: boolean;
  /** Queues a frame; false when that would push the connection's send buffer past its bound. */
  send(frame: Buffer, binary: boolean): boolean;
  /** Delivers what is queued, then ends the transport. */
  end(): void;
  /** Ends the transport now, dropping what is queued. */
  destroy(): void;
  /** Called about once a second by the service, for transport time-outs. */
  tick(now: number): void;
}

/** What a transport reports to its connection. */
export interface TransportEvents {
  receive(data: Buffer): void;
  /** The transport has ended (either side); the connection can be forgotten. */
  transportFinished(): void;
  /** Ends the connection for a reason found by the transport (e.g. the client stopped polling). */
  abort(reason: string): void;
}
