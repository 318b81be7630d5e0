import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LiveMessage } from '../../api/live-message.js';
import { parseSignalRConnectionString } from '../../api/signalr/connection-string.js';
import { liveMessageBytesBound, LiveMessageSender } from '../../api/signalr/live-message-sender.js';
import { SignalRRestClient } from '../../api/signalr/rest-client.js';
import { startRecordingSignalRService, type RecordingSignalRService } from './support/recording-signalr-service.js';

const message = (stream: string, seq: number, points = 1): LiveMessage => ({
  v: 1,
  stream,
  seq,
  id: `event-${seq}`,
  time: 1_733_250_000_000,
  series: [{ name: 'a', x: Array.from({ length: points }, (_, i) => -1.2345678901234567e-300 * (i + 1)), y: Array.from({ length: points }, () => Math.PI) }],
});

describe('LiveMessageSender', () => {
  let service: RecordingSignalRService;
  let sender: LiveMessageSender;

  /** The seqs of each send, per group path. */
  const sends = () => service.requests.map((request) => ({ path: request.path, seqs: (request.body as { arguments: LiveMessage[] }).arguments.map((m) => m.seq) }));

  before(async () => {
    service = await startRecordingSignalRService();
    sender = new LiveMessageSender(new SignalRRestClient(parseSignalRConnectionString(service.connectionString), { hub: 'RealtimePlot' }));
  });
  after(() => service?.stop());
  beforeEach(() => {
    service.requests.length = 0;
    service.answerWith(undefined);
  });

  it('sends a quiet stream\'s message at once, and what is ready meanwhile together, in order, per group', async () => {
    await Promise.all([1, 2, 3, 4].map((seq) => sender.send(message('plant/a', seq))).concat(sender.send(message('plant/b', 1))));
    assert.deepEqual(sends(), [
      { path: '/api/hubs/realtimeplot/groups/plant%2Fa/:send', seqs: [1] },
      { path: '/api/hubs/realtimeplot/groups/plant%2Fb/:send', seqs: [1] },
      { path: '/api/hubs/realtimeplot/groups/plant%2Fa/:send', seqs: [2, 3, 4] },
    ]);
  });

  it('keeps each request body under 1 MiB, and a lone message of the largest kind fits', async () => {
    const large = [1, 2, 3, 4].map((seq) => message('plant/large', seq, 10_000));
    assert.ok(liveMessageBytesBound(large[0]) >= JSON.stringify(large[0]).length, 'the bound holds for the longest numbers');
    await Promise.all(large.map((m) => sender.send(m)));
    const bodies = service.requests.map((request) => JSON.stringify(request.body).length);
    assert.ok(bodies.every((bytes) => bytes < 1024 * 1024), `bodies of ${bodies.join(', ')} bytes`);
    assert.deepEqual(sends().flatMap((send) => send.seqs), [1, 2, 3, 4]);
    assert.ok(sends().length >= 3, 'messages that would not fit one body went in more sends');
  });

  it('fails every message of a send that fails, and sends the next ones', async () => {
    service.answerWith(503);
    const failed = await Promise.allSettled([1, 2].map((seq) => sender.send(message('plant/failing', seq))));
    assert.deepEqual(failed.map((outcome) => outcome.status), ['rejected', 'rejected']);
    assert.match(String((failed[0] as PromiseRejectedResult).reason), /SignalR Service sendToGroup failed/);
    service.answerWith(undefined);
    await sender.send(message('plant/failing', 3));
    assert.deepEqual(sends().at(-1)?.seqs, [3]);
  });
});
