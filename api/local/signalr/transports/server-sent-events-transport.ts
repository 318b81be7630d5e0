/** Server-Sent Events: server-to-client text frames as `data:` events; the client sends by POST. */
import type { ServerResponse } from 'node:http';
import type { ServerTransport, TransportEvents } from './server-transport.js';

export class ServerSentEventsTransport implements ServerTransport {
  readonly name = 'ServerSentEvents';
  readonly supportsBinary = false;
  readonly inherentKeepAlive = false;

  constructor(
    private readonly res: ServerResponse,
    events: TransportEvents,
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

  send(frame: Buffer): boolean {
    if (this.res.writableEnded || this.res.destroyed) return true;
    if (this.res.writableLength + frame.length > this.maxBufferedBytes) return false;
    // A data field ends at a line break, so every line of the frame gets its own field.
    const event = frame.toString('utf8').split(/\r?\n/).map((line) => `data: ${line}\r\n`).join('');
    this.res.write(`${event}\r\n`);
    return true;
  }

  end(): void {
    this.res.end();
  }

  destroy(): void {
    this.res.destroy();
  }

  tick(): void {}
}
