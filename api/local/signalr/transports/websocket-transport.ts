/**
 * WebSockets: hub frames in WebSocket messages; text for JSON, binary for MessagePack. `ws`
 * does the handshake, reads client messages and closes; data frames are framed once per
 * fan-out (see write-batcher) and written straight to the socket. That is safe because `ws`,
 * without compression, writes each of its own frames (pongs, close) whole and at once.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { TransportEvents } from './server-transport.js';
import { StreamingTransport } from './streaming-transport.js';
import { binaryFrame, textFrame } from './websocket-frame.js';
import type { WireEncoding, WriteBatcher } from './write-batcher.js';

const NORMAL_CLOSURE = 1000;

export class WebSocketTransport extends StreamingTransport {
  readonly name = 'WebSockets';
  readonly supportsBinary = true;

  constructor(
    private readonly webSocket: WebSocket,
    /** The upgraded TCP socket `webSocket` runs on. */
    private readonly socket: Duplex,
    events: TransportEvents,
    batcher: WriteBatcher,
    maxBufferedBytes: number,
  ) {
    super(batcher, maxBufferedBytes);
    webSocket.on('message', (data: Buffer) => events.receive(data));
    webSocket.on('close', () => events.transportFinished());
    // An 'error' (e.g. a frame over maxPayload) is always followed by 'close'.
    webSocket.on('error', () => undefined);
  }

  protected isOpen(): boolean {
    return this.webSocket.readyState === WebSocket.OPEN;
  }

  protected bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Several hub frames may share one WebSocket message; clients split them again. */
  protected encoding(binary: boolean): WireEncoding {
    return binary ? binaryFrame : textFrame;
  }

  protected write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  protected close(): void {
    this.webSocket.close(NORMAL_CLOSURE);
  }

  protected terminate(): void {
    this.webSocket.terminate();
  }
}
