/**
 * Many clients that never read (a WebSocket whose reader is paused) and one that reads in fits
 * and starts, beside JSON and MessagePack readers: the stand-in's memory stays bounded (measured,
 * after the stuck ones are dropped) and every reader gets every message, in order.
 * (test/signalr/bounded-resources checks the drop of one sleeping client itself.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectDirect, eventually, RawJsonClient, RestApi, startService } from '../signalr/support.js';
import { MIB, settledHeapBytes } from './support/heap.js';

const HUB = 'plots';
const GROUP = 'faults/busy';
const MESSAGES = 400;
const PAYLOAD = 'p'.repeat(16 * 1024);
const BUFFER_BYTES = 512 * 1024;

describe('stuck and slow clients', () => {
  it('are dropped once their buffer is full; the others get every message and the service memory stays bounded', async () => {
    const log: string[] = [];
    const service = await startService({ maxFrameBytes: 64 * 1024, maxBufferedBytesPerConnection: BUFFER_BYTES, log: (line) => log.push(line) });
    const rest = new RestApi(service, '2022-06-01');
    const baseline = await settledHeapBytes();

    const readers = await Promise.all(
      ['json', 'messagepack'].flatMap((protocol) =>
        [0, 1].map((index) =>
          connectDirect(service, { hub: HUB, userId: `reader-${protocol}-${index}` }, { protocol: protocol as 'json' | 'messagepack' }),
        ),
      ),
    );
    const stuck = await Promise.all([0, 1, 2, 3].map((index) => RawJsonClient.connect(service, { hub: HUB, userId: `stuck-${index}` })));
    for (const client of stuck) client.socket.pause();
    const slow = await RawJsonClient.connect(service, { hub: HUB, userId: 'slow' });
    const slowReader = setInterval(() => (slow.socket.isPaused ? slow.socket.resume() : slow.socket.pause()), 50);

    const users = [...readers.map((_, index) => `reader-${index < 2 ? 'json' : 'messagepack'}-${index % 2}`), ...stuck.map((_, i) => `stuck-${i}`), 'slow'];
    for (const user of users) assert.equal((await rest.addUserToGroup(HUB, GROUP, user)).status, 200);

    try {
      for (let index = 0; index < MESSAGES; index += 1) {
        assert.equal((await rest.sendToGroup(HUB, GROUP, 'message', index, PAYLOAD)).status, 202);
      }
      await eventually(() => readers.every((reader) => reader.received.length === MESSAGES), 'every reader got every message', 60_000);
      for (const reader of readers) {
        assert.deepEqual(reader.received.map((args) => args[0]), Array.from({ length: MESSAGES }, (_, index) => index), 'in order, none missing');
        assert.deepEqual(reader.closes, [], 'no reader was dropped');
      }

      const dropped = (connectionId: string) => log.some((line) => line.includes(connectionId) && /not reading/.test(line));
      await eventually(() => stuck.every((client) => dropped(client.connectionId)), 'the stuck clients dropped');
      for (const client of stuck) assert.equal((await rest.exists(HUB, `/connections/${client.connectionId}`)).status, 404);
      const slowReceived = () => slow.frames.filter((frame) => frame.type === 1).length;
      await eventually(() => dropped(slow.connectionId) || slowReceived() === MESSAGES, 'the slow reader to catch up or be dropped', 60_000);
    } finally {
      clearInterval(slowReader);
    }

    // What the readers in this process kept is the test's, not the service's.
    for (const reader of readers) reader.received.length = 0;
    slow.frames.length = 0;
    const growth = (await settledHeapBytes()) - baseline;
    // Five connections whose buffers filled up to 512 KiB each, plus the readers' state, must not stay behind.
    assert.ok(growth < 16 * MIB, `heap grew by ${(growth / MIB).toFixed(1)} MiB`);
  });
});
