/**
 * What the two streaming transports (WebSockets, Server-Sent Events) share: frames queued during
 * one event-loop turn go out in one write through the WriteBatcher, and a connection whose send
 * buffer would pass its bound refuses the frame (the hub then closes it as too slow).
 */
import type { ServerTransport, TransportName } from './server-transport.js';
import { PendingFrames, type BatchedTransport, type WireEncoding, type WriteBatcher } from './write-batcher.js';

export abstract class StreamingTransport implements ServerTransport, BatchedTransport {
  abstract readonly name: TransportName;
  abstract readonly supportsBinary: boolean;
  readonly inherentKeepAlive = false;
  private readonly pending = new PendingFrames();

  protected constructor(
    private readonly batcher: WriteBatcher,
    private readonly maxBufferedBytes: number,
  ) {}

  /** Whether the stream still takes writes. */
  protected abstract isOpen(): boolean;
  /** Bytes written to the stream and not yet sent. */
  protected abstract bufferedBytes(): number;
  /** How joined frames become wire bytes (`binary`: the frames are MessagePack). */
  protected abstract encoding(binary: boolean): WireEncoding;
  protected abstract write(bytes: Buffer): void;
  /** Ends the stream after what is written. */
  protected abstract close(): void;
  /** Ends the stream now. */
  protected abstract terminate(): void;

  send(frame: Buffer, binary: boolean): boolean {
    if (!this.isOpen()) return true;
    if (this.bufferedBytes() + this.pending.bytes + frame.length > this.maxBufferedBytes) return false;
    if (this.pending.add(frame, binary)) this.batcher.schedule(this);
    return true;
  }

  flush(): void {
    const frames = this.pending.take();
    if (frames && this.isOpen()) this.write(this.batcher.encode(frames, this.encoding(this.pending.binary)));
  }

  end(): void {
    this.flush();
    this.close();
  }

  destroy(): void {
    this.pending.take();
    this.terminate();
  }

  tick(): void {}
}
