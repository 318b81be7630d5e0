/**
 * Long polling, as ASP.NET Core SignalR (and so Azure) serves it: the first poll returns at once
 * with an empty 200 (the client's `connect` waits for it); later polls return the queued frames,
 * or an empty 200 after the poll time-out, or 204 once the connection has ended or the poll is
 * superseded by a newer one. A client that stops polling is dropped after the disconnect time-out.
 * Once an ended connection's last frames (its Close message) are delivered, the transport is done.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty } from '../http-io.js';
import type { ServerTransport, TransportEvents } from './server-transport.js';

export interface LongPollingLimits {
  maxBufferedBytes: number;
  longPollTimeoutInMs: number;
  disconnectTimeoutInMs: number;
}

interface PendingPoll {
  res: ServerResponse;
  since: number;
}

export class LongPollingTransport implements ServerTransport {
  readonly name = 'LongPolling';
  readonly supportsBinary = true;
  readonly inherentKeepAlive = true;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private binary = false;
  private pending: PendingPoll | undefined;
  private started = false;
  private ended = false;
  private finished = false;
  private lastPollEndedAt = Date.now();

  constructor(
    private readonly events: TransportEvents,
    private readonly limits: LongPollingLimits,
  ) {}

  poll(res: ServerResponse): void {
    if (!this.started) {
      this.started = true;
      this.answered(res, 200);
      return;
    }
    if (this.pending) this.answered(this.pending.res, 204);
    if (this.queue.length > 0) {
      this.flush(res);
    } else {
      const pending = { res, since: Date.now() };
      this.pending = pending;
      // 'close' on the response: the poll was answered, or the client went away.
      res.on('close', () => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        this.lastPollEndedAt = Date.now();
      });
    }
  }

  send(frame: Buffer, binary: boolean): boolean {
    if (this.ended) return true;
    if (this.queuedBytes + frame.length > this.limits.maxBufferedBytes) return false;
    this.binary = binary;
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    if (this.pending) this.flush(this.pending.res);
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.queue.length > 0) {
      if (this.pending) this.flush(this.pending.res);
      return;
    }
    // Everything was delivered already.
    if (this.pending) this.answered(this.pending.res, 204);
    this.finish();
  }

  destroy(): void {
    this.ended = true;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.pending) this.answered(this.pending.res, 204);
    this.finish();
  }

  tick(now: number): void {
    if (this.finished) return;
    if (this.pending) {
      if (now - this.pending.since >= this.limits.longPollTimeoutInMs) this.answered(this.pending.res, 200);
    } else if (now - this.lastPollEndedAt >= this.limits.disconnectTimeoutInMs) {
      this.events.abort(`no poll arrived within ${this.limits.disconnectTimeoutInMs} ms`);
    }
  }

  private flush(res: ServerResponse): void {
    const body = Buffer.concat(this.queue, this.queuedBytes);
    this.queue = [];
    this.queuedBytes = 0;
    res.writeHead(200, {
      'Content-Type': this.binary ? 'application/octet-stream' : 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(body);
    this.pollEnded(res);
    // The last frames of an ended connection are out: the client needs no further poll.
    if (this.ended) this.finish();
  }

  private answered(res: ServerResponse, status: number): void {
    sendEmpty(res, status);
    this.pollEnded(res);
  }

  private pollEnded(res: ServerResponse): void {
    if (this.pending?.res === res) this.pending = undefined;
    this.lastPollEndedAt = Date.now();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.events.transportFinished();
  }
}
