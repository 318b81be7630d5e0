import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveMessage } from '../../api/live-message.js';
import { decodeSegment, encodeSegment, MAX_SEGMENT_BYTES, segmentBytesOf } from '../../api/store/segment-codec.js';

const message = (seq: number, id: string, points: number): LiveMessage => ({
  v: 1,
  stream: 'plant/line-1',
  seq,
  id,
  time: 1_733_250_000_000 + seq,
  series: [
    { name: 'temperature', x: Array.from({ length: points }, (_, i) => seq * 1000 + i), y: Array.from({ length: points }, (_, i) => Math.sin(i) / 7) },
    { name: 'ω', x: [seq], y: [-Number.MAX_VALUE] },
  ],
});

describe('segment codec', () => {
  it('keeps the messages of a segment exactly, with consecutive seqs from the first', () => {
    const messages = [message(41, 'a', 3), message(42, 'b', 9000), message(43, 'c', 1)];
    const properties = encodeSegment(messages);
    assert.equal(properties.count, 3);
    assert.equal(properties.pointCount, 3 + 9000 + 1 + 3);
    assert.deepEqual(decodeSegment('plant/line-1', 41, { ...properties }), messages);
  });

  it('keeps every property within 64 KiB, splitting text only between whole characters', () => {
    // Names of astral characters (two UTF-16 units each): with one lead or two, a pair straddles the natural cut either way.
    const firstChunkLengths = ['b', 'bb'].map((lead) => {
      const messages = [{ ...message(1, 'a', 1), series: [{ name: lead + '𝔵'.repeat(20_000), x: [1], y: [2] }] }, message(2, 'b', 1)];
      const properties = encodeSegment(messages) as unknown as Record<string, unknown>;
      const texts = Object.keys(properties).filter((name) => name.startsWith('meta')).map((name) => properties[name] as string);
      assert.equal(texts.length, 2);
      for (const text of texts) {
        assert.ok(text.length * 2 <= 64 * 1024, `${text.length * 2} bytes`);
        assert.ok(!/[\uD800-\uDBFF]$/.test(text) && !/^[\uDC00-\uDFFF]/.test(text), 'no character cut in two');
      }
      assert.deepEqual(decodeSegment('plant/line-1', 1, properties), messages);
      return texts[0].length;
    });
    assert.deepEqual(firstChunkLengths.sort(), [31_999, 32_000]);
  });

  it('sizes a message as its numbers and its metadata, so that a lone event of the largest kind fits one row', () => {
    const largest: LiveMessage = {
      ...message(1, 'x'.repeat(512), 0),
      series: Array.from({ length: 64 }, (_, s) => ({ name: 'n'.repeat(63) + s, x: Array.from({ length: 10_000 / 64 }, (_, i) => i), y: Array.from({ length: 10_000 / 64 }, () => 1) })),
    };
    assert.ok(segmentBytesOf(largest) < MAX_SEGMENT_BYTES / 5);
    assert.equal(segmentBytesOf(message(1, 'a', 10)), 16 * 11 + 2 * (JSON.stringify({ id: 'a', time: 1_733_250_000_001, series: [{ name: 'temperature', n: 10 }, { name: 'ω', n: 1 }] }).length + 1));
  });
});
