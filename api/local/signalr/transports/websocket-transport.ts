/** WebSockets: hub frames in WebSocket messages; text for JSON, binary for MessagePack. */
import { WebSocket } from 'ws';
import type { ServerTransport, TransportEvents } from './server-transport.js';
import { PendingFrames, type BatchedTransport, type WriteBatcher } from './write-batcher.js';

const NORMAL_CLOSURE = 1000;

export class WebSocketTransport implements ServerTransport, BatchedTransport {
  readonly name = 'WebSockets';
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;
  private readonly pending = new PendingFrames();

  constructor(
    private readonly socket: WebSocket,
    events: TransportEvents,
    private readonly batcher: WriteBatcher,
    private readonly maxBufferedBytes: number,
  ) {
    socket.on('message', (data: Buffer) => events.receive(data));
    socket.on('close', () => events.transportFinished());
    // An 'error' (e.g. a frame over maxPayload) is always followed by 'close'.
    socket.on('error', () => undefined);
  }

  send(frame: Buffer, binary: boolean): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return true;
    if (this.socket.bufferedAmount + this.pending.bytes + frame.length > this.maxBufferedBytes) return false;
    if (this.pending.add(frame, binary)) this.batcher.schedule(this);
    return true;
  }

  flush(): void {
    const frames = this.pending.take();
    // Several hub frames may share one WebSocket message; clients split them again.
    if (frames && this.socket.readyState === WebSocket.OPEN) this.socket.send(this.batcher.join(frames), { binary: this.pending.binary });
  }

  end(): void {
    this.flush();
    this.socket.close(NORMAL_CLOSURE);
  }

  destroy(): void {
    this.pending.take();
    this.socket.terminate();
  }

  tick(): void {}
}
