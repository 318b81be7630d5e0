/**
 * WebSockets: hub frames in WebSocket messages; text for JSON, binary for MessagePack. `ws`
 * does the handshake, reads client messages and closes; data frames are framed once per
 * fan-out (see write-batcher) and written straight to the socket. That is safe because `ws`,
 * without compression, writes each of its own frames (pongs, close) whole and at once.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { ServerTransport, TransportEvents } from './server-transport.js';
import { binaryFrame, textFrame } from './websocket-frame.js';
import { PendingFrames, type BatchedTransport, type WriteBatcher } from './write-batcher.js';

const NORMAL_CLOSURE = 1000;

export class WebSocketTransport implements ServerTransport, BatchedTransport {
  readonly name = 'WebSockets';
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;
  private readonly pending = new PendingFrames();

  constructor(
    private readonly webSocket: WebSocket,
    /** The upgraded TCP socket `webSocket` runs on. */
    private readonly socket: Duplex,
    events: TransportEvents,
    private readonly batcher: WriteBatcher,
    private readonly maxBufferedBytes: number,
  ) {
    webSocket.on('message', (data: Buffer) => events.receive(data));
    webSocket.on('close', () => events.transportFinished());
    // An 'error' (e.g. a frame over maxPayload) is always followed by 'close'.
    webSocket.on('error', () => undefined);
  }

  send(frame: Buffer, binary: boolean): boolean {
    if (this.webSocket.readyState !== WebSocket.OPEN) return true;
    if (this.socket.writableLength + this.pending.bytes + frame.length > this.maxBufferedBytes) return false;
    if (this.pending.add(frame, binary)) this.batcher.schedule(this);
    return true;
  }

  flush(): void {
    const frames = this.pending.take();
    // Several hub frames may share one WebSocket message; clients split them again.
    if (frames && this.webSocket.readyState === WebSocket.OPEN) {
      this.socket.write(this.batcher.encode(frames, this.pending.binary ? binaryFrame : textFrame));
    }
  }

  end(): void {
    this.flush();
    this.webSocket.close(NORMAL_CLOSURE);
  }

  destroy(): void {
    this.pending.take();
    this.webSocket.terminate();
  }

  tick(): void {}
}
