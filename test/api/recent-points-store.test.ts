import { odata, TableClient } from '@azure/data-tables';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../api/local/azurite.js';
import type { LiveMessage } from '../../api/live-message.js';
import { RecentPointsStore, type MessageDraft, type RecordOutcome } from '../../api/store/recent-points-store.js';
import { COUNTER_ROW_KEY, EVENT_ID_ROW_END, EVENT_ID_ROW_PREFIX, partitionKey, SEGMENT_ROW_END, SEGMENT_ROW_PREFIX } from '../../api/store/table-keys.js';

const tableName = () => `t${randomUUID().replaceAll('-', '').slice(0, 20)}`;

function draft(stream: string, points: number, id: string = randomUUID()): MessageDraft {
  return {
    v: 1,
    stream,
    id,
    time: 1_733_250_000_000,
    series: [{ name: 'a', x: Array.from({ length: points }, (_, i) => i), y: Array.from({ length: points }, (_, i) => i / 3) }],
  };
}

function sentMessage(outcome: RecordOutcome): LiveMessage {
  assert.notEqual(outcome.kind, 'duplicate');
  return (outcome as { message: LiveMessage }).message;
}

describe('RecentPointsStore (Azure Table Storage on Azurite)', () => {
  let azurite: RunningAzurite;

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  /** The table itself, to look at what the store wrote. */
  const tableOf = (name: string) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });

  it('creates its table on first use and numbers a stream\'s events from 1', async () => {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: tableName(), pointsPerStream: 100 });
    const seqs = [];
    for (let i = 0; i < 3; i += 1) seqs.push(sentMessage(await store.record(draft('s/one', 1))).seq);
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.equal(sentMessage(await store.record(draft('s/other', 1))).seq, 1, 'each stream counts on its own');
  });

  it('gives consecutive seqs to events recorded at once by several instances', async () => {
    // Two stores on one table stand for two Function App instances: only the ETag orders them.
    const name = tableName();
    const instances = [0, 1].map(() => new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 100 }));
    const events = Array.from({ length: 16 }, (_, i) => draft('s/raced', 1, `raced-${i}`));
    const outcomes = await Promise.all(events.map((event, i) => instances[i % 2].record(event)));
    assert.deepEqual(outcomes.map((outcome) => sentMessage(outcome).seq).sort((a, b) => a - b), events.map((_, i) => i + 1));
    const stored = await instances[0].readRecent('s/raced', { maxPoints: 100 });
    assert.deepEqual(stored.messages.map((message) => message.seq), events.map((_, i) => i + 1));
    assert.deepEqual(new Set(stored.messages.map((message) => message.id)), new Set(events.map((event) => event.id)));
  });

  it('tells a redelivery before and after the send completed', async () => {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: tableName(), pointsPerStream: 100 });
    const event = draft('s/redelivered', 2);
    const first = sentMessage(await store.record(event));
    const again = await store.record(event);
    assert.equal(again.kind, 'unsent');
    assert.deepEqual(sentMessage(again), first, 'the same message, same seq');
    await store.completeDelivery(first);
    assert.deepEqual(await store.record(event), { kind: 'duplicate', seq: 1 });
  });

  it('keeps at least the last N points and never more than N plus one transaction\'s events', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 10 });
    const table = tableOf(name);
    const sizes = [3, 4, 1, 5, 2, 7, 1, 1, 9, 2, 3, 6];
    for (const size of sizes) {
      await store.record(draft('s/bounded', size));
      let stored = 0;
      for await (const row of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${'s!bounded'} and RowKey ge ${'m'} and RowKey lt ${'n'}` } })) {
        stored += Number(row.pointCount);
      }
      const total = sizes.slice(0, sizes.indexOf(size) + 1).reduce((a, b) => a + b, 0);
      assert.ok(stored >= Math.min(10, total), `at least the newest 10 points (stored ${stored})`);
      assert.ok(stored <= 10 + 9, `at most N plus one transaction's events, here one (stored ${stored})`);
    }
    const history = await store.readRecent('s/bounded', { maxPoints: 10 });
    assert.equal(history.messages.reduce((n, m) => n + m.series[0].x.length, 0), 10);
    assert.equal(history.lastSeq, sizes.length);
  });

  it('keeps 10,000 points of one event exactly', async () => {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: tableName(), pointsPerStream: 20_000 });
    const x = Array.from({ length: 10_000 }, (_, i) => 1_733_250_000_000 + i * 0.1);
    const big: MessageDraft = {
      v: 1,
      stream: 's/big',
      id: 'big-event',
      time: 1,
      series: [
        { name: 'π', x: x.slice(0, 6000), y: x.slice(0, 6000).map((value) => Math.sin(value) * 1e-300) },
        { name: 'b', x: x.slice(6000), y: x.slice(6000).map(() => -Number.MAX_VALUE) },
      ],
    };
    const stored = sentMessage(await store.record(big));
    const { messages } = await store.readRecent('s/big', { maxPoints: 20_000 });
    assert.deepEqual(messages, [stored]);
    assert.deepEqual(messages[0].series, big.series);
  });

  it('forgets accepted event ids after the retention period', async () => {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: tableName(), pointsPerStream: 1000, eventIdRetentionInMs: 0 });
    const first = draft('s/pruned', 1, 'first-id');
    await store.completeDelivery(sentMessage(await store.record(first)));
    // Every 1000th seq prunes; with no retention the first id is then forgotten.
    for (let seq = 2; seq <= 1000; seq += 111) {
      const group = Array.from({ length: Math.min(111, 1001 - seq) }, () => store.record(draft('s/pruned', 1)));
      await Promise.all((await Promise.all(group)).map((outcome) => store.completeDelivery(sentMessage(outcome))));
    }
    const again = await store.record(first);
    assert.equal(again.kind, 'new');
    assert.equal(sentMessage(again).seq, 1001);
  });

  it('records a burst of one stream together: consecutive seqs, handed out in seq order, each row once', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 1000 });
    const events = Array.from({ length: 80 }, (_, i) => draft('s/burst', 1, `burst-${i}`));
    const handedOut: number[] = [];
    const outcomes = await Promise.all(events.map((event) => store.record(event).then((outcome) => (handedOut.push(sentMessage(outcome).seq), outcome))));
    assert.deepEqual(handedOut, events.map((_, i) => i + 1), 'resolved in seq order, so sends start in seq order');
    assert.deepEqual(outcomes.map((outcome) => outcome.kind), events.map(() => 'new'));
    const stored = await store.readRecent('s/burst', { maxPoints: 1000 });
    assert.deepEqual(stored.messages.map((message) => message.id), events.map((event) => event.id));
  });

  it('notices writes by another instance and a redelivery it did not store, and stays exact', async () => {
    const name = tableName();
    const [a, b] = [0, 1].map(() => new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 1000 }));
    const first = draft('s/shared', 1, 'first');
    assert.equal(sentMessage(await a.record(first)).seq, 1);
    assert.equal(sentMessage(await b.record(draft('s/shared', 1, 'b-1'))).seq, 2);
    // b's memory of the counter is current, but it has never seen `first`: its marker refuses the write.
    const again = await b.record(first);
    assert.equal(again.kind, 'unsent');
    assert.equal(sentMessage(again).seq, 1);
    // a's memory of the counter is stale: the ETag refuses the write, and the burst is recorded carefully.
    const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => a.record(draft('s/shared', 1, `a-${i}`))));
    assert.deepEqual(burst.map((outcome) => sentMessage(outcome).seq), [3, 4, 5, 6, 7]);
    const stored = await a.readRecent('s/shared', { maxPoints: 1000 });
    assert.deepEqual(stored.messages.map((message) => message.seq), [1, 2, 3, 4, 5, 6, 7]);
  });

  it('gives a redelivery arriving within a burst its earlier seq', async () => {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: tableName(), pointsPerStream: 1000 });
    const event = draft('s/burst-redelivery', 1, 'twice');
    const outcomes = await Promise.all([event, draft('s/burst-redelivery', 1), event, draft('s/burst-redelivery', 1), event].map((d) => store.record(d)));
    const twice = outcomes.filter((_, i) => i % 2 === 0);
    assert.deepEqual(twice.map((outcome) => outcome.kind).sort(), ['new', 'unsent', 'unsent']);
    assert.equal(new Set(twice.map((outcome) => sentMessage(outcome).seq)).size, 1, 'one seq for one event id');
    const { messages } = await store.readRecent('s/burst-redelivery', { maxPoints: 1000 });
    assert.deepEqual(messages.map((message) => message.seq), [1, 2, 3]);
  });

  it('trims within a burst, keeping at least N points and at most N plus one event', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 10 });
    const table = tableOf(name);
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(Array.from({ length: 40 }, () => store.record(draft('s/trimmed-burst', 3))));
      let stored = 0;
      for await (const row of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${'s!trimmed-burst'} and RowKey ge ${'m'} and RowKey lt ${'n'}` } })) {
        stored += Number(row.pointCount);
      }
      assert.ok(stored >= 10 && stored <= 10 + 3, `between 10 and 13 points stored (stored ${stored})`);
    }
    const history = await store.readRecent('s/trimmed-burst', { maxPoints: 10 });
    assert.equal(history.lastSeq, 120);
    assert.equal(history.messages.at(-1)?.seq, 120);
  });

  it('marks messages delivered together as sent, so every later redelivery is dropped', async () => {
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: tableName(), pointsPerStream: 1000 });
    const events = Array.from({ length: 30 }, (_, i) => draft('s/delivered', 1, `delivered-${i}`));
    const messages = (await Promise.all(events.map((event) => store.record(event)))).map(sentMessage);
    await Promise.all([...messages, messages[0]].map((message) => store.completeDelivery(message)));
    const again = await Promise.all(events.map((event) => store.record(event)));
    assert.deepEqual(again, messages.map((message) => ({ kind: 'duplicate', seq: message.seq })));
  });

  it('knows what was sent across instances, sends finished out of order and one that failed', async () => {
    const name = tableName();
    const [a, b] = [0, 1].map(() => new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 1000 }));
    const events = Array.from({ length: 24 }, (_, i) => draft('s/sent', 1, `sent-${i}`));
    const messages: LiveMessage[] = [];
    for (let i = 0; i < events.length; i += 6) {
      const writer = i % 12 === 0 ? a : b;
      messages.push(...(await Promise.all(events.slice(i, i + 6).map((event) => writer.record(event)))).map(sentMessage));
    }
    // Every send but that of seq 9 completed, newest first; each instance notes its own.
    await Promise.all(messages.filter((message) => message.seq !== 9).reverse()
      .map((message) => (Math.floor((message.seq - 1) / 6) % 2 === 0 ? a : b).completeDelivery(message)));
    const fresh = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 1000 });
    const again = await Promise.all(events.map((event) => fresh.record(event)));
    assert.deepEqual(again.map((outcome) => outcome.kind), messages.map((message) => (message.seq === 9 ? 'unsent' : 'duplicate')));
  });

  /** The stream's counter row and the sent flags of its segments, as stored. */
  async function storedSentState(name: string, stream: string): Promise<{ sentThrough: number; sentFlags: number }> {
    const table = tableOf(name);
    const pk = partitionKey(stream);
    const counter = await table.getEntity<{ sentThrough: bigint }>(pk, COUNTER_ROW_KEY);
    let sentFlags = 0;
    for await (const segment of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${SEGMENT_ROW_PREFIX} and RowKey lt ${SEGMENT_ROW_END}` } })) {
      sentFlags += Object.keys(segment).filter((name) => /^s\d+$/.test(name)).length;
    }
    return { sentThrough: Number(counter.sentThrough), sentFlags };
  }

  it('notes sends in the counter row\'s watermark, not on each segment', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 1000 });
    for (let round = 0; round < 3; round += 1) {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.record(draft('s/watermark', 1))));
      await Promise.all(outcomes.map((outcome) => store.completeDelivery(sentMessage(outcome))));
    }
    assert.deepEqual(await storedSentState(name, 's/watermark'), { sentThrough: 24, sentFlags: 0 });
  });

  it('moves the watermark past a message trimmed before its failed send was retried', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 5 });
    const unsent = draft('s/trimmed-unsent', 1, 'never-sent');
    assert.equal(sentMessage(await store.record(unsent)).seq, 1);
    // seq 1's send failed; seqs 2 to 4 were sent while it held the watermark back, so their segments say it.
    for (let i = 0; i < 3; i += 1) await store.completeDelivery(sentMessage(await store.record(draft('s/trimmed-unsent', 1))));
    assert.deepEqual(await storedSentState(name, 's/trimmed-unsent'), { sentThrough: 0, sentFlags: 3 });
    // The stream moves on and trims seq 1: from then on, the watermark says it.
    for (let i = 0; i < 7; i += 1) await store.completeDelivery(sentMessage(await store.record(draft('s/trimmed-unsent', 1))));
    assert.deepEqual(await storedSentState(name, 's/trimmed-unsent'), { sentThrough: 11, sentFlags: 0 });
    assert.deepEqual(await store.record(unsent), { kind: 'duplicate', seq: 1 }, 'a redelivery of the trimmed event is dropped');
  });

  /** Rows of a stream's partition by kind. */
  async function storedRows(name: string, stream: string): Promise<{ segments: number; idRows: number; all: number }> {
    const table = tableOf(name);
    const rows = { segments: 0, idRows: 0, all: 0 };
    for await (const row of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey(stream)}`, select: ['RowKey'] } })) {
      rows.all += 1;
      if (row.rowKey!.startsWith(SEGMENT_ROW_PREFIX)) rows.segments += 1;
      if (row.rowKey! >= EVENT_ID_ROW_PREFIX && row.rowKey! < EVENT_ID_ROW_END) rows.idRows += 1;
    }
    return rows;
  }

  it('writes a handful of rows per transaction, however many events it holds', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 1000 });
    // One event alone, then transactions of at most 32: four in all, their ids in one bucket of event times.
    const events = Array.from({ length: 80 }, (_, i) => draft('s/rows', 1, `rows-${i}`));
    await Promise.all(events.map((event) => store.record(event)));
    assert.deepEqual(await storedRows(name, 's/rows'), { segments: 4, idRows: 1, all: 6 });
  });

  it('finds an id accepted by another instance in any bucket and chunk, and never stores it twice', async () => {
    const name = tableName();
    const [a, b] = [0, 1].map(() => new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 10_000 }));
    const at = (time: number, id: string): MessageDraft => ({ ...draft('s/buckets', 1, id), time });
    // 250 transactions of one bucket fill its first chunk (200 entries) and go on in a second; two more buckets beside it.
    for (let i = 0; i < 250; i += 1) await a.record(at(1_733_250_000_000, `same-bucket-${i}`));
    await a.record(at(1_733_250_000_000 - 3600_000, 'an-hour-before'));
    await a.record(at(1_733_250_000_000 + 86_400_000, 'a-day-after'));
    assert.equal((await storedRows(name, 's/buckets')).idRows, 4);
    // b knows nothing yet; a knows the buckets, but b's writes change the counter under it.
    for (const id of ['same-bucket-0', 'same-bucket-249', 'an-hour-before', 'a-day-after']) {
      const time = id === 'an-hour-before' ? 1_733_250_000_000 - 3600_000 : id === 'a-day-after' ? 1_733_250_000_000 + 86_400_000 : 1_733_250_000_000;
      assert.equal((await b.record(at(time, id))).kind, 'unsent', `b finds ${id}`);
    }
    assert.equal(sentMessage(await b.record(at(1_733_250_000_000, 'b-new'))).seq, 253);
    assert.equal((await a.record(at(1_733_250_000_000, 'b-new'))).kind, 'unsent', 'a notices the id b accepted into a bucket a knew');
    const { messages } = await a.readRecent('s/buckets', { maxPoints: 10_000 });
    assert.deepEqual(messages.map((message) => message.seq), Array.from({ length: 253 }, (_, i) => i + 1));
  });

  it('tells a redelivery of an event without a time of its own, whose arrival time differs', async () => {
    const name = tableName();
    const [store, fresh] = [0, 1].map(() => new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 100 }));
    const untimed = (time: number): MessageDraft => ({ ...draft('s/untimed', 1, 'no-time'), time, untimed: true });
    const first = sentMessage(await store.record(untimed(1_733_250_000_000)));
    assert.ok(!('untimed' in first), 'the live message carries only its contract fields');
    const again = await fresh.record(untimed(1_733_250_030_000));
    assert.equal(again.kind, 'unsent', 'the redelivery 30 s later, at another instance');
    assert.deepEqual(sentMessage(again), first, 'the same message, same seq');
    await fresh.completeDelivery(first);
    assert.deepEqual(await store.record(untimed(1_733_250_600_000)), { kind: 'duplicate', seq: 1 });
  });

  it('stays exact when another instance trimmed the segments its memory still counts', async () => {
    const name = tableName();
    const [a, b] = [0, 1].map(() => new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 10 }));
    assert.equal(sentMessage(await a.record(draft('s/stale-trims', 1))).seq, 1);
    for (let i = 0; i < 50; i += 1) await b.record(draft('s/stale-trims', 1));
    // a still counts seq 1 as the oldest; storage has trimmed it long ago.
    assert.equal(sentMessage(await a.record(draft('s/stale-trims', 1))).seq, 52);
    const { messages } = await a.readRecent('s/stale-trims', { maxPoints: 10 });
    assert.deepEqual(messages.map((message) => message.seq), Array.from({ length: 10 }, (_, i) => 43 + i));
    assert.deepEqual(await storedRows(name, 's/stale-trims').then((rows) => rows.segments), 10);
  });

  it('refuses a stream written by another layout of the store, with an error that says so', async () => {
    const name = tableName();
    const table = tableOf(name);
    await table.createTable();
    await table.createEntity({ partitionKey: partitionKey('s/old-layout'), rowKey: COUNTER_ROW_KEY, lastSeq: 5n, oldestSeq: 1n, storedPoints: 5n });
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 10 });
    const refused = { name: 'StoreLayoutError', message: /written by another layout of the recent-points store .*use a new table/ };
    await assert.rejects(store.record(draft('s/old-layout', 1)), refused);
    await assert.rejects(store.readRecent('s/old-layout', { maxPoints: 10 }), refused);
    assert.equal(sentMessage(await store.record(draft('s/new-layout', 1))).seq, 1, 'other streams of the table are not affected');
  });

  it('fails with StoreUnavailableError, naming the operation, when storage is unreachable', async () => {
    const store = new RecentPointsStore({
      connectionString: azurite.connectionString.replace(/TableEndpoint=[^;]+/, 'TableEndpoint=http://127.0.0.1:1/devstoreaccount1'),
      tableName: tableName(),
      pointsPerStream: 10,
    });
    await assert.rejects(store.readRecent('s/x', { maxPoints: 10 }), { name: 'StoreUnavailableError', message: /recent-points store readRecent failed/ });
  });
});
