import { odata, TableClient } from '@azure/data-tables';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../api/local/azurite.js';
import type { LiveMessage } from '../../api/live-message.js';
import { RecentPointsStore, type MessageDraft, type RecordOutcome } from '../../api/store/recent-points-store.js';

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

  it('keeps at least the last N points and never more than N plus one event', async () => {
    const name = tableName();
    const store = new RecentPointsStore({ connectionString: azurite.connectionString, tableName: name, pointsPerStream: 10 });
    const table = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    const sizes = [3, 4, 1, 5, 2, 7, 1, 1, 9, 2, 3, 6];
    for (const size of sizes) {
      await store.record(draft('s/bounded', size));
      let stored = 0;
      for await (const row of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${'s!bounded'} and RowKey ge ${'m'} and RowKey lt ${'n'}` } })) {
        stored += Number(row.pointCount);
      }
      const total = sizes.slice(0, sizes.indexOf(size) + 1).reduce((a, b) => a + b, 0);
      assert.ok(stored >= Math.min(10, total), `at least the newest 10 points (stored ${stored})`);
      assert.ok(stored <= 10 + 9, `at most N plus one event (stored ${stored})`);
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
    // Every 100th seq prunes; with no retention the first id is then forgotten.
    for (let i = 2; i <= 100; i += 1) await store.completeDelivery(sentMessage(await store.record(draft('s/pruned', 1))));
    const again = await store.record(first);
    assert.equal(again.kind, 'new');
    assert.equal(sentMessage(again).seq, 101);
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
