/** Server-Sent Events: server-to-client text frames as `data:` events; the client sends by POST. */
import type { ServerResponse } from 'node:http';
import type { TransportEvents } from './server-transport.js';
import { StreamingTransport } from './streaming-transport.js';
import type { WireEncoding, WriteBatcher } from './write-batcher.js';

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

export class ServerSentEventsTransport extends StreamingTransport {
  readonly name = 'ServerSentEvents';
  readonly supportsBinary = false;

  constructor(
    private readonly res: ServerResponse,
    events: TransportEvents,
    batcher: WriteBatcher,
    maxBufferedBytes: number,
  ) {
    super(batcher, maxBufferedBytes);
    res.on('close', () => events.transportFinished());
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    // A comment line first, so that clients see the stream open before the first message.
    res.write(':\r\n');
  }

  protected isOpen(): boolean {
    return this.res.writable;
  }

  protected bufferedBytes(): number {
    return this.res.writableLength;
  }

  protected encoding(): WireEncoding {
    return serverSentEvent;
  }

  protected write(bytes: Buffer): void {
    this.res.write(bytes);
  }

  protected close(): void {
    this.res.end();
  }

  protected terminate(): void {
    this.res.destroy();
  }
}
