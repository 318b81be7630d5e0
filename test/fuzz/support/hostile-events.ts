/**
 * Events a publisher or Event Grid could send, spoiled: fields missing, of the wrong type,
 * hostile or oversized, and data in every shape but the documented ones.
 */
import fc from 'fast-check';
import { hostileJson, hostileString } from './fuzz.js';

const EVENT_GRID_FIELDS = ['id', 'subject', 'eventType', 'eventTime', 'data', 'dataVersion', 'metadataVersion', 'topic'] as const;
const CLOUD_EVENT_FIELDS = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data', 'data_base64', 'datacontenttype'] as const;

/** `data` in shapes close to the documented ones, but wrong. */
const hostileData = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    hostileJson(),
    fc.array(fc.record({ X: hostileJson(), Y: hostileJson() }, { requiredKeys: [] }), { maxLength: 5 }),
    fc.record({ points: fc.array(fc.record({ series: hostileJson(), x: hostileJson(), y: hostileJson() }, { requiredKeys: [] }), { maxLength: 5 }) }),
    fc.constantFrom(
      { points: Array.from({ length: 10_001 }, (_, i) => ({ y: i })) },
      Array.from({ length: 65 }, () => ({ Y: 1 })),
      { points: Array.from({ length: 65 }, (_, i) => ({ series: `s${i}`, y: 1 })) },
      { points: [{ series: 'bad\u0007name', y: 1 }] },
      { points: [{ series: '<b>bold</b>'.repeat(10), y: 1 }] },
      { points: [{ x: 'yesterday', y: 1 }] },
      { points: [{ x: 8.64e15 + 1, y: 1 }] },
      { points: [] },
      '[{"X":1,"Y":',
      'not json',
    ),
  );

/** An Event Grid schema event as a publisher sends it, well-formed, with a hostile subject and data. */
export const wellFormedHostileEvent = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({
    id: fc.oneof(fc.uuid(), hostileString().filter((id) => id.length > 0)),
    subject: hostileString(),
    eventType: hostileString().filter((type) => type.length > 0),
    eventTime: fc.constantFrom('2024-12-03T18:30:00Z', new Date(0).toISOString()),
    dataVersion: fc.constantFrom('1.0', ''),
    data: hostileData(),
  });

/** An Event Grid schema event or a CloudEvent with one to three fields spoiled (changed or removed) and hostile data. */
export const spoiledEvent = (): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      cloudEvent: fc.boolean(),
      id: fc.uuid(),
      subject: fc.oneof(hostileString(), fc.constant('streams/fuzz/spoiled')),
      data: hostileData(),
      changes: fc.array(fc.tuple(fc.nat(), fc.option(hostileJson(), { nil: undefined, freq: 3 })), { minLength: 1, maxLength: 3 }),
    })
    .map(({ cloudEvent, id, subject, data, changes }) => {
      const event: Record<string, unknown> = cloudEvent
        ? { specversion: '1.0', id, source: '/fuzz', type: 'RealtimePlot.Points', subject, time: new Date().toISOString(), data }
        : { id, subject, eventType: 'RealtimePlot.Points', eventTime: new Date().toISOString(), data, dataVersion: '1.0' };
      const fields = cloudEvent ? CLOUD_EVENT_FIELDS : EVENT_GRID_FIELDS;
      for (const [pick, value] of changes) {
        const field = fields[pick % fields.length];
        if (value === undefined) delete event[field];
        else event[field] = value;
      }
      return event;
    });
