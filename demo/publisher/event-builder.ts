/**
 * The events a publisher sends (README "Events a publisher sends"): the stream is the subject,
 * `data` is `{"points": [{"series", "x", "y"}]}` or the original sample's `[{"X", "Y"}, ...]`
 * (item i is series i), in the Event Grid schema or as CloudEvents 1.0.
 */
import { randomUUID } from 'node:crypto';

export const EVENT_TYPE = 'RealtimePlot.Points';
const CLOUD_EVENT_SOURCE = '/realtime-plot/publisher';

export const DATA_FORMATS = ['points', 'seed'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const PUBLISH_SCHEMAS = ['eventgrid', 'cloudevents'] as const;
export type PublishSchema = (typeof PUBLISH_SCHEMAS)[number];

/** `data` for sample `index` of a stream; `x` of the points format is the event time in epoch ms. */
export function eventData(format: DataFormat, seriesNames: readonly string[], index: number, values: readonly number[], timeInMs: number): unknown {
  return format === 'seed'
    ? values.map((y) => ({ X: index, Y: y }))
    : { points: seriesNames.map((series, i) => ({ series, x: timeInMs, y: values[i] })) };
}

export function buildEvent(schema: PublishSchema, stream: string, data: unknown, time: Date): Record<string, unknown> {
  const id = randomUUID();
  return schema === 'eventgrid'
    ? { id, subject: stream, eventType: EVENT_TYPE, eventTime: time.toISOString(), dataVersion: '1.0', data }
    : { specversion: '1.0', id, source: CLOUD_EVENT_SOURCE, type: EVENT_TYPE, subject: stream, time: time.toISOString(), datacontenttype: 'application/json', data };
}
