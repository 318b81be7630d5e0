/**
 * The `data` of an event, in either format (README "Events a publisher sends"), to columnar
 * series. Bounded: at most 10,000 points and 64 series per event.
 */
import type { SeriesColumns } from '../live-message.js';
import { describeType, describeValue } from '../streams/stream-name.js';
import { parseIsoTime } from './iso-time.js';

export const MAX_POINTS_PER_EVENT = 10_000;
export const MAX_SERIES_PER_EVENT = 64;
export const SERIES_NAME_MAX_LENGTH = 64;
export const DEFAULT_SERIES_NAME = 'series-1';

const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The data does not hold valid points; the message says where and what. */
export class DataProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataProblem';
  }
}

/**
 * Series of the event's points, in order of first appearance. `eventTime` stands in for a
 * missing x.
 */
export function parsePointsData(data: unknown, eventTime: number): SeriesColumns[] {
  if (Array.isArray(data)) return parseSampleArray(data, eventTime);
  const indexed = indexedItems(data);
  if (indexed) return parseSampleArray(indexed, eventTime);
  if (isPlainObject(data) && 'points' in data) return parsePointsObject(data.points, eventTime);
  throw new DataProblem(
    `data must be an array of {"X", "Y"} items or an object with a "points" array, not ${describeType(data)}`,
  );
}

/**
 * `@azure/eventgrid`'s typed send paths serialize an array `data` as an object keyed "0", "1", ...
 * (the seed's array sent from JavaScript arrives so): read such an object as the array it was.
 */
function indexedItems(data: unknown): unknown[] | undefined {
  if (!isPlainObject(data)) return undefined;
  const keys = Object.keys(data);
  if (keys.length === 0 || keys.length > MAX_SERIES_PER_EVENT) return undefined;
  if (!keys.every((key, index) => key === String(index))) return undefined;
  return keys.map((key) => data[key]);
}

/** The original sample's format: item i is series `series-<i+1>`. */
function parseSampleArray(items: unknown[], eventTime: number): SeriesColumns[] {
  if (items.length === 0) throw new DataProblem('data holds no points');
  if (items.length > MAX_SERIES_PER_EVENT) {
    throw new DataProblem(`data has ${items.length} items, each its own series; the limit is ${MAX_SERIES_PER_EVENT} series`);
  }
  return items.map((item, index) => {
    const where = `data[${index}]`;
    if (!isPlainObject(item)) throw new DataProblem(`${where} must be an object like {"X": 1, "Y": 42}, not ${describeType(item)}`);
    const y = finiteNumber(item.Y ?? item.y, `${where}.Y`);
    const x = xValue(item.X ?? item.x, `${where}.X`, eventTime);
    return { name: `series-${index + 1}`, x: [x], y: [y] };
  });
}

function parsePointsObject(points: unknown, eventTime: number): SeriesColumns[] {
  if (!Array.isArray(points)) throw new DataProblem(`data.points must be an array, not ${describeType(points)}`);
  if (points.length === 0) throw new DataProblem('data.points holds no points');
  if (points.length > MAX_POINTS_PER_EVENT) {
    throw new DataProblem(`data.points has ${points.length} points; the limit is ${MAX_POINTS_PER_EVENT} per event`);
  }
  const bySeries = new Map<string, SeriesColumns>();
  points.forEach((point, index) => {
    const where = `data.points[${index}]`;
    if (!isPlainObject(point)) throw new DataProblem(`${where} must be an object like {"series", "x", "y"}, not ${describeType(point)}`);
    const name = seriesName(point.series, `${where}.series`);
    const y = finiteNumber(point.y, `${where}.y`);
    const x = xValue(point.x, `${where}.x`, eventTime);
    let series = bySeries.get(name);
    if (!series) {
      if (bySeries.size === MAX_SERIES_PER_EVENT) {
        throw new DataProblem(`${where}.series starts series number ${MAX_SERIES_PER_EVENT + 1}; the limit is ${MAX_SERIES_PER_EVENT} per event`);
      }
      series = { name, x: [], y: [] };
      bySeries.set(name, series);
    }
    series.x.push(x);
    series.y.push(y);
  });
  return [...bySeries.values()];
}

function seriesName(value: unknown, where: string): string {
  if (value === undefined || value === null) return DEFAULT_SERIES_NAME;
  if (typeof value !== 'string') throw new DataProblem(`${where} must be a string, not ${describeType(value)}`);
  if (value.length === 0 || value.length > SERIES_NAME_MAX_LENGTH) {
    throw new DataProblem(`${where} must be 1 to ${SERIES_NAME_MAX_LENGTH} characters, not ${value.length}`);
  }
  // Control characters (C0, DEL, C1) and lone surrogates have no place in a legend label.
  if (CONTROL_OR_LONE_SURROGATE.test(value)) {
    throw new DataProblem(`${where} ${describeValue(value)} contains control characters`);
  }
  return value;
}

function finiteNumber(value: unknown, where: string): number {
  if (value === undefined) throw new DataProblem(`${where} is missing`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DataProblem(`${where} must be a finite number, not ${describeValue(value)}`);
  }
  return value;
}

/** A number as sent, an ISO-8601 time as epoch ms, or the event time when left out. */
function xValue(value: unknown, where: string, eventTime: number): number {
  if (value === undefined || value === null) return eventTime;
  if (typeof value === 'string') {
    const time = parseIsoTime(value);
    if (time === undefined) throw new DataProblem(`${where} ${describeValue(value)} is not an ISO-8601 time`);
    return time;
  }
  return finiteNumber(value, where);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
