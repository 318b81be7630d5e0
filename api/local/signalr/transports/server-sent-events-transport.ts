/** Server-Sent Events: server-to-client text frames as `data:` events; the client sends by POST. */
import type { ServerResponse } from 'node:http';
import type { ServerTransport, TransportEvents } from './server-transport.js';
import { PendingFrames, type BatchedTransport, type WriteBatcher } from './write-batcher.js';

/** One `data:` event; a data field ends at a line break, so each line gets its own (JSON frames have none). */
function serverSentEvent(payload: Buffer): Buffer {
  const text = payload.toString('utf8');
  const fields = text.includes('\n')
    ? text
        .split(/\r?\n/)
        .map((line) => `data: ${line}\r\n`)
        .join('')
    : `data: ${text}\r\n`;
  return Buffer.from(`${fields}\r\n`);
}

export class ServerSentEventsTransport implements ServerTransport, BatchedTransport {
  readonly name = 'ServerSentEvents';
  readonly supportsBinary = false;
  readonly inherentKeepAlive = false;
  private readonly pending = new PendingFrames();

  constructor(
    private readonly res: ServerResponse,
    events: TransportEvents,
    private readonly batcher: WriteBatcher,
    private readonly maxBufferedBytes: number,
  ) {
    res.on('close', () => events.transportFinished());
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    // A comment line first, so that clients see the stream open before the first message.
    res.write(':\r\n');
  }

  send(frame: Buffer, binary: boolean): boolean {
    if (!this.res.writable) return true;
    if (this.res.writableLength + this.pending.bytes + frame.length > this.maxBufferedBytes) return false;
    if (this.pending.add(frame, binary)) this.batcher.schedule(this);
    return true;
  }

  flush(): void {
    const frames = this.pending.take();
    if (frames && this.res.writable) this.res.write(this.batcher.encode(frames, serverSentEvent));
  }

  end(): void {
    this.flush();
    this.res.end();
  }

  destroy(): void {
    this.pending.take();
    this.res.destroy();
  }

  tick(): void {}
}
