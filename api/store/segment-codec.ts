/**
 * How a segment (the messages one transaction stored, consecutive seqs) is kept in one table
 * row: the messages' metadata as JSON text, their numbers as float64 in binary properties
 * (exact, and 16 bytes a point where JSON text would need up to ~50). A property holds at most
 * 64 KiB, so the text is split over `meta0`, `meta1`, ... and the numbers over `d0`, `d1`, ...
 */
import type { LiveMessage } from '../live-message.js';
import { countPoints } from './message-points.js';

const VALUES_PER_CHUNK = 8000; // 64,000 bytes
/** UTF-16 code units per text property: 64,000 bytes. */
const CHARS_PER_CHUNK = 32_000;
/** A table entity holds at most 1 MiB; this leaves room for the keys, names and sent flags. */
export const MAX_SEGMENT_BYTES = 1_000_000;

interface MessageMeta {
  id: string;
  time: number;
  series: { name: string; n: number }[];
}

export interface SegmentProperties {
  count: number;
  pointCount: number;
  [chunk: `meta${number}` | `d${number}`]: string | Uint8Array;
}

/** Property name of the flag saying that message `seq` of a segment reached SignalR. */
export const sentFlag = (seq: number): `s${number}` => `s${seq}`;

function metaOf(message: Pick<LiveMessage, 'id' | 'time' | 'series'>): MessageMeta {
  return { id: message.id, time: message.time, series: message.series.map((series) => ({ name: series.name, n: series.x.length })) };
}

/** What a message adds to its segment's size: its numbers and its metadata (UTF-16). */
export function segmentBytesOf(message: Pick<LiveMessage, 'id' | 'time' | 'series'>): number {
  return 16 * countPoints(message) + 2 * (JSON.stringify(metaOf(message)).length + 1);
}

export function encodeSegment(messages: readonly LiveMessage[]): SegmentProperties {
  const pointCount = messages.reduce((total, message) => total + countPoints(message), 0);
  const values = new Float64Array(pointCount * 2);
  let offset = 0;
  for (const message of messages) {
    for (const series of message.series) {
      values.set(series.x, offset);
      offset += series.x.length;
      values.set(series.y, offset);
      offset += series.y.length;
    }
  }
  const properties: SegmentProperties = { count: messages.length, pointCount };
  const text = JSON.stringify(messages.map(metaOf));
  for (let chunk = 0, start = 0; start < text.length; chunk += 1) {
    let end = Math.min(text.length, start + CHARS_PER_CHUNK);
    // Never split a surrogate pair: each half alone is not valid text to send.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1])) end -= 1;
    properties[`meta${chunk}`] = text.slice(start, end);
    start = end;
  }
  const bytes = Buffer.from(values.buffer);
  for (let chunk = 0; chunk * VALUES_PER_CHUNK < values.length; chunk += 1) {
    const start = chunk * VALUES_PER_CHUNK * 8;
    properties[`d${chunk}`] = new Uint8Array(bytes.subarray(start, start + VALUES_PER_CHUNK * 8));
  }
  return properties;
}

/** The segment's messages, oldest first. */
export function decodeSegment(stream: string, firstSeq: number, entity: Record<string, unknown>): LiveMessage[] {
  let text = '';
  for (let chunk = 0; typeof entity[`meta${chunk}`] === 'string'; chunk += 1) text += entity[`meta${chunk}`] as string;
  const metas = JSON.parse(text) as MessageMeta[];
  const chunks: Uint8Array[] = [];
  for (let chunk = 0; entity[`d${chunk}`] instanceof Uint8Array; chunk += 1) chunks.push(entity[`d${chunk}`] as Uint8Array);
  const bytes = Buffer.concat(chunks);
  // Copy into an aligned buffer: a Float64Array view needs an offset that is a multiple of 8.
  const values = new Float64Array(new Uint8Array(bytes).buffer, 0, bytes.byteLength / 8);
  let offset = 0;
  return metas.map((meta, index): LiveMessage => {
    const series = meta.series.map(({ name, n }) => {
      const x = Array.from(values.subarray(offset, offset + n));
      offset += n;
      const y = Array.from(values.subarray(offset, offset + n));
      offset += n;
      return { name, x, y };
    });
    return { v: 1, stream, seq: firstSeq + index, id: meta.id, time: meta.time, series };
  });
}
