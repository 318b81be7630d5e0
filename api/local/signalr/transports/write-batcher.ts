/**
 * Batches writes to streaming transports (WebSockets, Server-Sent Events): frames queued for a
 * connection during one event-loop turn go out as one write at the end of the turn. Under load,
 * when many REST sends are handled in one turn, this turns many small writes (each a system
 * call, costly on loopback) into one per connection; when idle, it adds no delay.
 * A fan-out queues the same frames, in the same order, for every connection, so they are joined
 * and encoded for the wire once and the same bytes are written to every socket.
 */

/** Turns joined hub frames into the bytes a transport writes. */
export type WireEncoding = (payload: Buffer) => Buffer;

export interface BatchedTransport {
  /** Writes the frames queued during this turn. */
  flush(): void;
}

export class WriteBatcher {
  private readonly due = new Set<BatchedTransport>();
  private scheduled = false;
  private readonly recent = new Map<WireEncoding, { frames: readonly Buffer[]; bytes: Buffer }>();

  /** Asks for `transport.flush()` at the end of this event-loop turn. */
  schedule(transport: BatchedTransport): void {
    this.due.add(transport);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushAll());
  }

  /** The frames joined and encoded; the same frames encoded a moment ago for another connection are reused. */
  encode(frames: readonly Buffer[], encoding: WireEncoding): Buffer {
    const recent = this.recent.get(encoding);
    if (recent && recent.frames.length === frames.length && frames.every((frame, i) => frame === recent.frames[i])) return recent.bytes;
    const bytes = encoding(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    this.recent.set(encoding, { frames, bytes });
    return bytes;
  }

  private flushAll(): void {
    this.scheduled = false;
    for (const transport of this.due) transport.flush();
    this.due.clear();
    this.recent.clear();
  }
}

/** The frames one transport has queued this turn. */
export class PendingFrames {
  frames: Buffer[] = [];
  bytes = 0;
  binary = false;

  /** Adds a frame; true when it is the first of this turn (the transport must be scheduled). */
  add(frame: Buffer, binary: boolean): boolean {
    this.frames.push(frame);
    this.bytes += frame.length;
    this.binary = binary;
    return this.frames.length === 1;
  }

  /** Takes the queued frames, or undefined when there are none. */
  take(): Buffer[] | undefined {
    if (this.frames.length === 0) return undefined;
    const frames = this.frames;
    this.frames = [];
    this.bytes = 0;
    return frames;
  }
}
