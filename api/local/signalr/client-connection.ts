/**
 * One client connection, from negotiate to its end: it is attached to a transport, performs the
 * hub handshake, then receives hub messages until it is closed. Malformed input closes this
 * connection only, with an error the client can read.
 */
import { HANDSHAKE_SUCCESS, handshakeErrorFrame, parseHandshakeRequest } from './handshake.js';
import { MessageType, NO_BYTES, ProtocolError, type ClientMessage, type HubProtocol } from './hub-message.js';
import type { OutgoingInvocation } from './outgoing-invocation.js';
import type { ServerTransport, TransportEvents } from './transports/server-transport.js';

export interface ConnectionLimits {
  maxFrameBytes: number;
  maxBufferedBytesPerConnection: number;
  keepAliveIntervalInMs: number;
  clientTimeoutInMs: number;
  handshakeTimeoutInMs: number;
  disconnectTimeoutInMs: number;
}

/** What a connection needs from the service it belongs to. */
export interface ConnectionHost {
  readonly protocols: ReadonlyMap<string, HubProtocol>;
  readonly limits: ConnectionLimits;
  /** The handshake has completed: the connection joins its hub. */
  activate(connection: ClientConnection): void;
  /** The connection no longer receives hub messages. */
  deactivate(connection: ClientConnection, reason: string): void;
  /** The transport has finished: the connection is forgotten. */
  dispose(connection: ClientConnection): void;
}

/**
 * `negotiated`: waiting for its transport; `connected`: waiting for the handshake;
 * `active`: in its hub; `closed`: ending or ended.
 */
export type ConnectionState = 'negotiated' | 'connected' | 'active' | 'closed';

export class ClientConnection implements TransportEvents {
  state: ConnectionState = 'negotiated';
  protocol: HubProtocol | undefined;
  transport: ServerTransport | undefined;
  /** Groups this connection was added to by its id (membership through its user is kept by the hub). */
  readonly groups = new Set<string>();
  private inbound: Buffer = NO_BYTES;
  private stateSince = Date.now();
  private lastReceivedAt = 0;
  private lastSentAt = 0;
  private disposed = false;

  constructor(
    readonly id: string,
    /** The secret the client presents as `id` when it connects (negotiate v1 `connectionToken`). */
    readonly token: string,
    /** Lowercased hub name. */
    readonly hub: string,
    readonly userId: string | undefined,
    private readonly host: ConnectionHost,
  ) {}

  attach(transport: ServerTransport): void {
    this.transport = transport;
    this.state = 'connected';
    this.stateSince = this.lastReceivedAt = Date.now();
  }

  /** Pushes a hub message; only connections past the handshake receive them. */
  send(message: OutgoingInvocation): void {
    if (this.state === 'active') this.write(message.frameFor(this.protocol!));
  }

  receive(data: Buffer): void {
    if (this.state !== 'connected' && this.state !== 'active') return;
    this.lastReceivedAt = Date.now();
    this.inbound = this.inbound.length > 0 ? Buffer.concat([this.inbound, data]) : data;
    try {
      if (this.state === 'connected') this.handshake();
      if (this.state !== 'active') return;
      const { messages, rest } = this.protocol!.parse(this.inbound);
      this.inbound = rest;
      for (const message of messages) {
        this.dispatch(message);
        if (this.state !== 'active') return;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.fail(error.message);
    }
  }

  /** Sends a Close message (when past the handshake), then ends the transport. */
  close(error?: string, allowReconnect = false): void {
    if (this.state === 'closed') return;
    const wasActive = this.state === 'active';
    this.setClosed(error ?? 'closed by the service');
    if (wasActive) this.write(this.protocol!.write({ type: MessageType.Close, error, allowReconnect }));
    this.endTransport();
  }

  /** Ends the connection without a Close message, dropping whatever is queued. */
  abort(reason: string): void {
    if (this.state !== 'closed') this.setClosed(reason);
    if (this.transport) this.transport.destroy();
    else this.finish();
  }

  transportFinished(): void {
    if (this.state !== 'closed') this.setClosed('the transport closed');
    this.finish();
  }

  /** Time-outs: transport, handshake, keep-alive pings and the client time-out. */
  tick(now: number): void {
    const limits = this.host.limits;
    const elapsed = now - this.stateSince;
    if (this.state === 'negotiated' && elapsed >= limits.disconnectTimeoutInMs) {
      this.abort(`no transport connected within ${limits.disconnectTimeoutInMs} ms of negotiate`);
      return;
    }
    if (this.state === 'connected' && elapsed >= limits.handshakeTimeoutInMs) {
      this.abort(`no handshake arrived within ${limits.handshakeTimeoutInMs} ms`);
      return;
    }
    if (this.state === 'active' && !this.transport!.inherentKeepAlive) {
      if (now - this.lastReceivedAt >= limits.clientTimeoutInMs) {
        this.close(`Server timeout elapsed without receiving a message from the client within ${limits.clientTimeoutInMs} ms.`);
        return;
      }
      if (now - this.lastSentAt >= limits.keepAliveIntervalInMs) this.write(this.protocol!.pingFrame);
    }
    this.transport?.tick(now);
  }

  private handshake(): void {
    const request = parseHandshakeRequest(this.inbound, this.host.limits.maxFrameBytes);
    if (!request) return;
    const protocol = this.host.protocols.get(request.protocol);
    if (!protocol) throw new ProtocolError(`The protocol '${request.protocol}' is not supported.`);
    if (request.version < 1 || request.version > protocol.version) {
      throw new ProtocolError(`The server does not support version ${request.version} of the '${protocol.name}' protocol.`);
    }
    if (protocol.transferFormat === 'Binary' && !this.transport!.supportsBinary) {
      throw new ProtocolError(
        `Cannot use the '${protocol.name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`,
      );
    }
    this.protocol = protocol;
    this.inbound = request.rest;
    this.state = 'active';
    this.stateSince = Date.now();
    this.write(HANDSHAKE_SUCCESS);
    this.host.activate(this);
  }

  private dispatch(message: ClientMessage): void {
    if (message.type === MessageType.Close) {
      this.setClosed('the client closed the connection');
      this.endTransport();
      return;
    }
    const expectsCompletion = message.type === MessageType.Invocation || message.type === MessageType.StreamInvocation;
    if (expectsCompletion && message.invocationId !== undefined) {
      // Serverless mode forwards invocations to upstream webhooks, which this service does not call.
      this.write(
        this.protocol!.write({
          type: MessageType.Completion,
          invocationId: message.invocationId,
          error: `No upstream handles '${message.target}': the service runs in Serverless mode without upstream endpoints.`,
        }),
      );
    }
    // Pings, completions, stream items, cancellations and unknown types need no answer.
  }

  private fail(detail: string): void {
    if (this.state === 'connected') {
      this.setClosed(`handshake failed: ${detail}`);
      this.transport!.send(handshakeErrorFrame(detail), false);
      this.endTransport();
      return;
    }
    this.close(`Connection closed with an error. ${detail}`);
  }

  private write(frame: Buffer): void {
    this.lastSentAt = Date.now();
    if (!this.transport!.send(frame, this.protocol?.transferFormat === 'Binary')) {
      this.abort(`its send buffer would exceed ${this.host.limits.maxBufferedBytesPerConnection} bytes (the client is not reading)`);
    }
  }

  private setClosed(reason: string): void {
    const wasActive = this.state === 'active';
    this.state = 'closed';
    this.inbound = NO_BYTES;
    if (wasActive) this.host.deactivate(this, reason);
  }

  private endTransport(): void {
    if (this.transport) this.transport.end();
    else this.finish();
  }

  private finish(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.host.dispose(this);
  }
}
