/** WebSockets: one hub frame (or several) per WebSocket message; text for JSON, binary for MessagePack. */
import { WebSocket } from 'ws';
import type { ServerTransport, TransportEvents } from './server-transport.js';

const NORMAL_CLOSURE = 1000;

export class WebSocketTransport implements ServerTransport {
  readonly name = 'WebSockets';
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;

  constructor(
    private readonly socket: WebSocket,
    events: TransportEvents,
    private readonly maxBufferedBytes: number,
  ) {
    socket.on('message', (data: Buffer) => events.receive(data));
    socket.on('close', () => events.transportFinished());
    // An 'error' (e.g. a frame over maxPayload) is always followed by 'close'.
    socket.on('error', () => undefined);
  }

  send(frame: Buffer, binary: boolean): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return true;
    if (this.socket.bufferedAmount + frame.length > this.maxBufferedBytes) return false;
    this.socket.send(frame, { binary });
    return true;
  }

  end(): void {
    this.socket.close(NORMAL_CLOSURE);
  }

  destroy(): void {
    this.socket.terminate();
  }

  tick(): void {}
}
