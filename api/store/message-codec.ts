/**
 * How a live message is kept in a table row: its metadata as JSON, its numbers as float64 in
 * binary properties (exact, and 16 bytes a point where JSON text would need up to ~50). A binary
 * property holds at most 64 KiB, so the numbers are split over `d0`, `d1`, ...
 */
import type { LiveMessage } from '../live-message.js';
import { countPoints } from './message-points.js';

const VALUES_PER_CHUNK = 8000; // 64,000 bytes

interface MessageMeta {
  id: string;
  time: number;
  series: { name: string; n: number }[];
}

export interface MessageProperties {
  pointCount: number;
  meta: string;
  [chunk: `d${number}`]: Uint8Array;
}

export function encodeMessage(message: LiveMessage): MessageProperties {
  const meta: MessageMeta = {
    id: message.id,
    time: message.time,
    series: message.series.map((series) => ({ name: series.name, n: series.x.length })),
  };
  const pointCount = countPoints(message);
  const values = new Float64Array(pointCount * 2);
  let offset = 0;
  for (const series of message.series) {
    values.set(series.x, offset);
    offset += series.x.length;
    values.set(series.y, offset);
    offset += series.y.length;
  }
  const bytes = Buffer.from(values.buffer);
  const properties: MessageProperties = { pointCount, meta: JSON.stringify(meta) };
  for (let chunk = 0; chunk * VALUES_PER_CHUNK < values.length; chunk += 1) {
    const start = chunk * VALUES_PER_CHUNK * 8;
    properties[`d${chunk}`] = new Uint8Array(bytes.subarray(start, start + VALUES_PER_CHUNK * 8));
  }
  return properties;
}

export function decodeMessage(stream: string, seq: number, entity: Record<string, unknown>): LiveMessage {
  const meta = JSON.parse(String(entity.meta)) as MessageMeta;
  const chunks: Uint8Array[] = [];
  for (let chunk = 0; entity[`d${chunk}`] instanceof Uint8Array; chunk += 1) chunks.push(entity[`d${chunk}`] as Uint8Array);
  const bytes = Buffer.concat(chunks);
  // Copy into an aligned buffer: a Float64Array view needs an offset that is a multiple of 8.
  const values = new Float64Array(new Uint8Array(bytes).buffer, 0, bytes.byteLength / 8);
  let offset = 0;
  const series = meta.series.map(({ name, n }) => {
    const x = Array.from(values.subarray(offset, offset + n));
    offset += n;
    const y = Array.from(values.subarray(offset, offset + n));
    offset += n;
    return { name, x, y };
  });
  return { v: 1, stream, seq, id: meta.id, time: meta.time, series };
}
