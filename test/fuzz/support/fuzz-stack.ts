/**
 * The stack a fuzz test attacks, with valid traffic mixed into the bad: every few inputs a valid
 * event is published to a real stream, which a stock `@microsoft/signalr` client reads. At the end
 * every valid event must have arrived, the servers must still answer, and the heap must not have
 * kept growing.
 */
import assert from 'node:assert/strict';
import { eventually } from '../../signalr/support.js';
import { MIB, settledHeapBytes } from '../../faults/support/heap.js';
import { pointEvent, startFaultStack, type FaultStack, type FaultStackOptions } from '../../faults/support/local-stack.js';
import { LiveSubscriber, oneTo } from '../../faults/support/live-subscriber.js';
import { FuzzTally } from './fuzz.js';

/** One valid event per this many bad inputs. */
const VALID_EVERY = 20;

/** Retained heap may grow this much over a whole run (caches, pools, JIT)... */
const MAX_HEAP_GROWTH_IN_BYTES = 48 * MIB;
/** ...and this much over its second half, when anything kept per input would keep growing. */
const MAX_SECOND_HALF_GROWTH_IN_BYTES = 12 * MIB;

export interface FuzzStack {
  readonly stack: FaultStack;
  readonly tally: FuzzTally;
  /** The stream valid traffic goes to. */
  readonly validStream: string;
  /** Call once per input, before sending it: every {@link VALID_EVERY}th call publishes a valid event. */
  interleave(index: number): Promise<void>;
  /** Heap marks for the growth check: call at the start (after warming up), half-way and at the end. */
  markHeap(): Promise<void>;
  /** Every valid event arrived live and is stored once; the servers still answer; memory stayed bounded. */
  verify(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startFuzzStack(name: string, options: FaultStackOptions = {}): Promise<FuzzStack> {
  const stack = await startFaultStack({
    ...options,
    settings: { RATE_LIMIT_NEGOTIATE_PER_MINUTE: '0', RATE_LIMIT_SUBSCRIBE_PER_MINUTE: '0', RATE_LIMIT_HISTORY_PER_MINUTE: '0', ...options.settings },
  });
  const validStream = `fuzz/valid-${name}`;
  let subscriber: LiveSubscriber;
  try {
    subscriber = await LiveSubscriber.connect({ apiUrl: stack.host.apiUrl, streams: [validStream] });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const tally = new FuzzTally();
  const heapMarks: number[] = [];
  let published = 0;

  return {
    stack,
    tally,
    validStream,
    async interleave(index) {
      if (index % VALID_EVERY !== 0) return;
      published += 1;
      await stack.publish([pointEvent(validStream, published)]);
    },
    async markHeap() {
      heapMarks.push(await settledHeapBytes());
    },
    async verify() {
      await stack.topic.whenIdle();
      await eventually(() => subscriber.seqs(validStream).length >= published, `all ${published} valid events live`, 60_000);
      assert.deepEqual(subscriber.seqs(validStream), oneTo(published), 'every valid event arrived live, once');
      assert.deepEqual(subscriber.of(validStream).map((message) => message.series[0].x[0]).sort((a, b) => a - b), oneTo(published), 'with its point');
      const history = await stack.history(validStream);
      assert.deepEqual(history.messages.map((message) => message.seq), oneTo(published), 'every valid event stored once');

      // Still answering: the API, SignalR Service's health check and the topic (the events above).
      assert.equal((await stack.api('negotiate', { method: 'POST' })).status, 200);
      assert.equal((await fetch(`${stack.signalR().endpoint}/api/v1/health`)).status, 200);

      assert.ok(heapMarks.length === 3, 'markHeap() was called at the start, half-way and at the end');
      const [start, middle, end] = heapMarks;
      const report = [
        `valid events delivered: ${published} of ${published}`,
        `heap after gc: start ${(start / MIB).toFixed(1)} MiB, half-way ${(middle / MIB).toFixed(1)} MiB, end ${(end / MIB).toFixed(1)} MiB`,
      ];
      assert.ok(end - start < MAX_HEAP_GROWTH_IN_BYTES, report[1]);
      assert.ok(end - middle < MAX_SECOND_HALF_GROWTH_IN_BYTES, `${report[1]}: still growing in the second half`);
      return [...tally.lines(), ...report];
    },
    async stop() {
      await subscriber.stop();
      await stack.stop();
    },
  };
}
