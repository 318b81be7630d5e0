/**
 * The recent-points store (Azure Table Storage): per stream, the seq counter, the newest
 * messages (at least the last `pointsPerStream` points, as a rule no more than that plus one
 * transaction's events) in one segment row per transaction, and the ids of the events already
 * accepted, bucketed by event time. Accepted events change their stream's partition in
 * entity-group transactions guarded by the counter row's ETag, so concurrent ingests of one
 * stream get consecutive seqs and a redelivery can never store a second row. A transaction
 * writes a handful of entities however many events it holds, which keeps a busy stream well
 * inside a partition's throughput. Which messages were sent is the counter's sent watermark
 * (every seq up to it was sent or trimmed), or a segment's own sent flag for a seq above it.
 */
import { odata, RestError, TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { HistoryResponse, LiveMessage } from '../live-message.js';
import { bucketFromRows, emptyBucket, entryProperty, MAX_ENTRIES_PER_CHUNK, type AcceptedId, type KnownBucket } from './id-buckets.js';
import { countPoints, newestPoints } from './message-points.js';
import { KeyedBatches } from '../keyed-batches.js';
import { decodeSegment, encodeSegment, MAX_SEGMENT_BYTES, segmentBytesOf, sentFlag } from './segment-codec.js';
import { MAX_EVENTS_PER_TRANSACTION, StreamMemories, type CounterState, type SegmentSize, type StreamMemory } from './stream-cache.js';
import {
  COUNTER_ROW_KEY,
  EVENT_ID_ROW_END,
  EVENT_ID_ROW_PREFIX,
  firstSeqFromSegmentRowKey,
  idBucketOf,
  idBucketRowKey,
  idBucketRowRange,
  idHash,
  isIdBucketRowKey,
  markerRowKey,
  partitionKey,
  SEGMENT_ROW_END,
  SEGMENT_ROW_PREFIX,
  segmentRowKey,
} from './table-keys.js';

export interface RecentPointsStoreOptions {
  connectionString: string;
  tableName: string;
  /** Points kept per stream (at least; whole events are kept). */
  pointsPerStream: number;
  /** How long accepted event ids are remembered. Default 24 h, Event Grid's longest retry period. */
  eventIdRetentionInMs?: number;
}

/** A message ready to be stored: everything but its seq. */
export type MessageDraft = Omit<LiveMessage, 'seq'> & {
  /**
   * The event has no time of its own (a CloudEvent without `time`), so `time` is when this
   * delivery arrived, which a redelivery does not share: its id gets a marker row of its own.
   */
  untimed?: boolean;
};

export type RecordOutcome =
  /** First time this event id is seen: stored with the next seq; send it. */
  | { kind: 'new'; message: LiveMessage }
  /** Stored by an earlier delivery whose send did not complete: send it again, same seq. */
  | { kind: 'unsent'; message: LiveMessage }
  /** Already stored and sent (or no longer stored): drop it. */
  | { kind: 'duplicate'; seq: number };

/**
 * What a stream's queue holds: an event to record, or a message that reached SignalR (on its
 * last chance, it is marked sent even when the watermark cannot cover it).
 */
type StreamWork = { draft: MessageDraft } | { sent: LiveMessage; lastChance: boolean };
/**
 * A recorded event's outcome, for a sent message whether that is now stored, or for either why
 * it could not be (a failure of one kind of work must not fail the other in the same batch).
 */
type WorkResult = RecordOutcome | boolean | Error;

/** The layout of the rows the counter row describes; written into every counter. */
const STORE_LAYOUT = 2;

/** A stream's rows were written by another layout of the store: no retry can succeed; it needs a new table. */
export class StoreLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLayoutError';
  }
}

/** The store could not be reached or kept refusing: a retry later may succeed. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** An entity-group transaction holds at most 100 operations. */
const MAX_OPERATIONS = 100;
const MAX_ATTEMPTS = 40;
const PRUNE_EVERY_SEQ = 1000;
const MAX_PRUNED_PER_RUN = 1000;
const HISTORY_PAGE_SIZE = 100;
const DELIVERY_NOTE_LINGER_IN_MS = 10;
/** What a segment row says of its size (see `encodeSegment`). */
const SEGMENT_SIZE_PROPERTIES = ['count', 'pointCount'];

export class RecentPointsStore {
  readonly #table: TableClient;
  readonly #pointsPerStream: number;
  readonly #eventIdRetentionInMs: number;
  #tableReady: Promise<void> | undefined;
  readonly #memories = new StreamMemories();
  /**
   * Per partition, the work waiting while a write of its stream is under way: events to record
   * (see `record`) and delivered messages (see `completeDelivery`). One queue for both, because
   * both write the counter row under the ETag this instance remembers.
   */
  readonly #streams = new KeyedBatches<StreamWork, WorkResult>({
    select: selectStreamWork,
    process: (pk, work) => this.#process(pk, work),
    // A busy stream records its next events within moments: their transaction carries the watermark, saving a write.
    linger: { forMs: DELIVERY_NOTE_LINGER_IN_MS, applies: (work) => 'sent' in work },
  });

  constructor(options: RecentPointsStoreOptions) {
    this.#table = TableClient.fromConnectionString(options.connectionString, options.tableName, {
      allowInsecureConnection: true,
      // Bounded so that a storage outage fails an invocation in seconds, well inside Event Grid's 30 s.
      retryOptions: { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2000 },
    });
    this.#pointsPerStream = options.pointsPerStream;
    this.#eventIdRetentionInMs = options.eventIdRetentionInMs ?? 24 * 3600_000;
  }

  /**
   * Stores the event's message with the stream's next seq, unless its event id was seen before.
   * Throws `StoreUnavailableError` when storage fails, `StoreLayoutError` when the stream's rows
   * are of another layout.
   *
   * Within this instance, a stream has one transaction under way at a time; its events that
   * arrive meanwhile go together into the next one. While nothing else writes the stream, that
   * transaction is built from what this instance remembers (reading only an id bucket it has not
   * seen yet); when storage refuses it (another instance got in between), or one of its events
   * was accepted before, each of its events is recorded carefully, reading the counter first.
   * The counter's ETag settles races between instances.
   */
  async record(draft: MessageDraft): Promise<RecordOutcome> {
    const result = await this.#streams.add(partitionKey(draft.stream), { draft });
    if (result instanceof Error) throw result;
    return result as RecordOutcome;
  }

  /** One batch of a stream's work: the events recorded first, so their commit can carry the sent watermark. */
  async #process(pk: string, work: StreamWork[]): Promise<WorkResult[]> {
    const memory = this.#memories.of(pk);
    const sent = work.filter((item) => 'sent' in item);
    memory.noteSent(sent.map((item) => item.sent.seq));
    const drafts = work.flatMap((item) => ('draft' in item ? [item.draft] : []));
    // A failed record must not fail the delivery notes of the same batch, nor the other way round.
    const outcomes: WorkResult[] = drafts.length > 0
      ? await this.#guard('record', () => this.#recordBatch(pk, memory, drafts)).catch((error: Error) => drafts.map(() => error))
      : [];
    if (sent.length > 0) {
      const marked = await this.#guard('completeDelivery', () => this.#markSent(pk, memory, sent)).catch((error: Error) => sent.map(() => error));
      outcomes.push(...marked);
    }
    let nextRecord = 0;
    let nextSent = drafts.length;
    return work.map((item) => ('draft' in item ? outcomes[nextRecord++] : outcomes[nextSent++]));
  }

  async #recordBatch(pk: string, memory: StreamMemory, drafts: MessageDraft[]): Promise<RecordOutcome[]> {
    if (memory.counter) {
      try {
        const buckets = await this.#bucketsOf(pk, memory, drafts);
        if (!drafts.some((draft) => acceptedIn(buckets, draft) !== undefined)) {
          const messages = await this.#commit(pk, memory, drafts, buckets);
          return messages.map((message) => ({ kind: 'new', message }));
        }
      } catch (error) {
        memory.forget();
        if (!isConflict(error)) throw error;
      }
    }
    const outcomes: RecordOutcome[] = [];
    for (const draft of drafts) outcomes.push(await this.#recordCarefully(pk, memory, draft));
    return outcomes;
  }

  /** One event, reading the counter first, then what is known of its id; retried while other writers get in between. */
  async #recordCarefully(pk: string, memory: StreamMemory, draft: MessageDraft): Promise<RecordOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      const counter = await this.#get(pk, COUNTER_ROW_KEY);
      memory.adopt(counter ? { state: readCounter(counter), etag: counter.etag as string } : undefined);
      const buckets = await this.#bucketsOf(pk, memory, [draft]);
      const accepted = draft.untimed ? await this.#markerSeq(pk, draft.id) : acceptedIn(buckets, draft);
      if (accepted !== undefined) return this.#earlierOutcome(pk, memory, draft.stream, accepted);
      try {
        const [message] = await this.#commit(pk, memory, [draft], buckets);
        return { kind: 'new', message };
      } catch (error) {
        memory.forget();
        // Another ingest of this stream (or of this very event) got there first: look again.
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
        await delay(Math.random() * Math.min(200, 5 * 2 ** attempt));
      }
    }
  }

  /** The id buckets of the events with a time of their own, as remembered or read under the remembered counter. */
  async #bucketsOf(pk: string, memory: StreamMemory, drafts: readonly MessageDraft[]): Promise<Map<number, KnownBucket>> {
    const buckets = new Map<number, KnownBucket>();
    for (const draft of drafts) {
      if (draft.untimed) continue;
      const number = idBucketOf(draft.time);
      if (buckets.has(number)) continue;
      let bucket = memory.bucket(number);
      if (!bucket) {
        const { from, to } = idBucketRowRange(number);
        const rows: Record<string, unknown>[] = [];
        for await (const row of this.#table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${from} and RowKey lt ${to}` } })) rows.push(row);
        bucket = bucketFromRows(rows);
        memory.noteBucket(number, bucket);
      }
      buckets.set(number, bucket);
    }
    return buckets;
  }

  /** The seq of an event without a time of its own, when its marker says it was accepted. */
  async #markerSeq(pk: string, eventId: string): Promise<number | undefined> {
    const marker = await this.#get(pk, markerRowKey(eventId));
    return marker ? Number(marker.seq as bigint) : undefined;
  }

  /**
   * One transaction: the events' messages under the seqs after the remembered counter (none:
   * the stream has none yet) in one segment row, their ids in their buckets (or markers), and
   * the trims of whole older segments that keep the stream near `pointsPerStream` points. The
   * events at the front of the batch that it trims itself are not written at all. The counter
   * also takes the sent watermark as far as the seqs this instance knows were sent allow.
   */
  async #commit(pk: string, memory: StreamMemory, drafts: readonly MessageDraft[], buckets: ReadonlyMap<number, KnownBucket>): Promise<LiveMessage[]> {
    const counter = memory.counter;
    const start = counter?.state ?? { lastSeq: 0, oldestSeq: 1, storedPoints: 0, sentThrough: 0 };
    const messages = drafts.map((draft, index): LiveMessage => ({ v: 1, stream: draft.stream, seq: start.lastSeq + 1 + index, id: draft.id, time: draft.time, series: draft.series }));
    const idActions: TransactionAction[] = [];
    const accepted = new Map<number, { chunk: number; ids: AcceptedId[] }>();
    drafts.forEach((draft, index) => {
      const seq = messages[index].seq;
      if (draft.untimed) {
        idActions.push(['create', { partitionKey: pk, rowKey: markerRowKey(draft.id), seq: BigInt(seq), eventId: draft.id }]);
        return;
      }
      const number = idBucketOf(draft.time);
      const bucket = buckets.get(number) ?? emptyBucket();
      const entry = accepted.get(number) ?? { chunk: bucket.entriesInChunk >= MAX_ENTRIES_PER_CHUNK ? bucket.chunk + 1 : bucket.chunk, ids: [] };
      entry.ids.push({ hash: idHash(draft.id), seq });
      accepted.set(number, entry);
    });
    for (const [number, { chunk, ids }] of accepted) {
      idActions.push(['upsert', { partitionKey: pk, rowKey: idBucketRowKey(number, chunk), ...entryProperty(ids) }, 'Merge']);
    }

    const points = messages.map(countPoints);
    let storedPoints = start.storedPoints + sum(points);
    let { oldestSeq } = start;
    const trimmed: number[] = [];
    const maxTrims = MAX_OPERATIONS - 2 - idActions.length;
    // Every segment holds at least one point, so nothing can go while `storedPoints - 1 < pointsPerStream`.
    while (oldestSeq <= start.lastSeq && storedPoints - 1 >= this.#pointsPerStream && trimmed.length < maxTrims) {
      const segment = await this.#segmentAt(pk, memory, oldestSeq);
      // Gone: the remembered counter is out of date (another instance trimmed it), and the ETag refuses this transaction.
      if (!segment || storedPoints - segment.points < this.#pointsPerStream) break;
      trimmed.push(oldestSeq);
      storedPoints -= segment.points;
      oldestSeq += segment.count;
    }
    let written = 0;
    if (oldestSeq > start.lastSeq) {
      while (written < messages.length - 1 && storedPoints - points[written] >= this.#pointsPerStream) storedPoints -= points[written++];
      oldestSeq = messages[written].seq;
    }
    const segmentMessages = messages.slice(written);
    const segment: SegmentSize = { first: segmentMessages[0].seq, count: segmentMessages.length, points: sum(points.slice(written)) };

    const lastSeq = start.lastSeq + messages.length;
    const sentThrough = memory.sentThrough({ sentThrough: start.sentThrough, oldestSeq });
    const counterEntity = {
      partitionKey: pk, rowKey: COUNTER_ROW_KEY, layout: STORE_LAYOUT, lastSeq: BigInt(lastSeq), oldestSeq: BigInt(oldestSeq), storedPoints: BigInt(storedPoints), sentThrough: BigInt(sentThrough),
    };
    const actions: TransactionAction[] = [
      counter ? ['update', counterEntity, 'Replace', { etag: counter.etag }] : ['create', counterEntity],
      ['create', { partitionKey: pk, rowKey: segmentRowKey(segment.first), ...encodeSegment(segmentMessages) }],
      ...idActions,
      ...trimmed.map((first): TransactionAction => ['delete', { partitionKey: pk, rowKey: segmentRowKey(first) }]),
    ];
    const response = await this.#table.submitTransaction(actions);
    // Sub-responses come in action order; that of an update names no row key, so go by position.
    const etag = response.subResponses[0]?.etag;
    memory.watermarkStored(sentThrough);
    memory.committed({ lastSeq, oldestSeq, storedPoints, sentThrough }, etag, segment, accepted);
    return messages;
  }

  /** The segment starting at seq `first` (undefined when it is gone), remembered or read. */
  async #segmentAt(pk: string, memory: StreamMemory, first: number): Promise<SegmentSize | undefined> {
    const remembered = memory.segment(first);
    if (remembered) return remembered;
    const row = await this.#get(pk, segmentRowKey(first), SEGMENT_SIZE_PROPERTIES);
    if (!row) return undefined;
    const segment = segmentSizeOf(first, row);
    memory.noteSegment(segment);
    return segment;
  }

  /** The stored segment holding `seq` (undefined when it is gone), remembered or read: the one with the greatest first seq up to `seq`. */
  async #segmentHolding(pk: string, memory: StreamMemory, seq: number): Promise<SegmentSize | undefined> {
    const remembered = memory.segmentHolding(seq);
    if (remembered) return remembered;
    const rows = this.#table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${segmentRowKey(seq)} and RowKey lt ${SEGMENT_ROW_END}`, select: ['RowKey', ...SEGMENT_SIZE_PROPERTIES] },
    });
    // A page may come back empty with more to follow; the first row found is the one.
    for await (const page of rows.byPage({ maxPageSize: 1 })) {
      const row = page[0];
      if (!row) continue;
      const segment = segmentSizeOf(firstSeqFromSegmentRowKey(row.rowKey!), row);
      if (segment.first + segment.count <= seq) return undefined;
      memory.noteSegment(segment);
      return segment;
    }
    return undefined;
  }

  /**
   * Notes that the message reached SignalR, so that redeliveries are dropped. Messages of a
   * stream delivered meanwhile are noted together: the counter's sent watermark moves past them
   * when every seq before them was sent (usually in the transaction that records the stream's
   * next events, else in one update of the counter). Sends finish out of order, so a message the
   * watermark cannot cover yet waits one more round; then its segment is flagged sent instead.
   * Every 1000th seq of a stream also forgets event ids older than the retention period.
   */
  async completeDelivery(message: LiveMessage): Promise<void> {
    const pk = partitionKey(message.stream);
    const stored = async (lastChance: boolean): Promise<boolean> => {
      const result = await this.#streams.add(pk, { sent: message, lastChance });
      if (result instanceof Error) throw result;
      return result as boolean;
    };
    if (!(await stored(false))) await stored(true);
  }

  /** Stores what the sent messages allow, and says for each whether it is stored now. */
  async #markSent(pk: string, memory: StreamMemory, sent: { sent: LiveMessage; lastChance: boolean }[]): Promise<boolean[]> {
    const counter = memory.counter;
    const sentThrough = counter ? memory.sentThrough(counter.state) : 0;
    if (counter && sentThrough > counter.state.sentThrough) {
      try {
        const response = await this.#table.updateEntity({ partitionKey: pk, rowKey: COUNTER_ROW_KEY, sentThrough: BigInt(sentThrough) }, 'Merge', { etag: counter.etag });
        memory.watermarkStored(sentThrough);
        memory.wrote(response.etag === undefined ? undefined : { state: { ...counter.state, sentThrough }, etag: response.etag });
      } catch (error) {
        memory.forget();
        // Another instance wrote the counter meanwhile: the sent flags below say it instead.
        if (!isConflict(error)) throw error;
      }
    }
    const covered = memory.counter?.state.sentThrough ?? 0;
    const flags = new Map<number, Record<string, boolean>>();
    for (const seq of new Set(sent.filter((item) => item.sent.seq > covered && item.lastChance).map((item) => item.sent.seq))) {
      const segment = await this.#segmentHolding(pk, memory, seq);
      // A segment trimmed meanwhile needs no flag: a redelivery of a trimmed seq is dropped.
      if (segment) flags.set(segment.first, { ...flags.get(segment.first), [sentFlag(seq)]: true });
    }
    for (const [first, segmentFlags] of flags) {
      try {
        await this.#table.updateEntity({ partitionKey: pk, rowKey: segmentRowKey(first), ...segmentFlags }, 'Merge');
      } catch (error) {
        if (!(error instanceof RestError && error.statusCode === 404)) throw error;
      }
    }
    if (sent.some((item) => item.sent.seq % PRUNE_EVERY_SEQ === 0 && (item.lastChance || item.sent.seq <= covered))) await this.#pruneEventIds(pk, memory);
    return sent.map((item) => item.lastChance || item.sent.seq <= covered);
  }

  /**
   * The newest stored messages of a stream holding at most `maxPoints` points, oldest first; the
   * oldest one is cut to its newest points when only part of it fits. Only `seq > afterSeq`.
   */
  async readRecent(stream: string, options: { maxPoints: number; afterSeq?: number }): Promise<HistoryResponse> {
    return this.#guard('readRecent', async () => {
      const pk = partitionKey(stream);
      const afterSeq = options.afterSeq ?? 0;
      const counter = await this.#get(pk, COUNTER_ROW_KEY);
      let lastSeq = counter ? readCounter(counter).lastSeq : 0;
      const rows = this.#table.listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${SEGMENT_ROW_PREFIX} and RowKey lt ${SEGMENT_ROW_END}` },
      });
      const newestFirst: LiveMessage[] = [];
      let points = 0;
      scan: for await (const page of rows.byPage({ maxPageSize: HISTORY_PAGE_SIZE })) {
        for (const row of page) {
          const segment = decodeSegment(stream, firstSeqFromSegmentRowKey(row.rowKey!), row);
          lastSeq = Math.max(lastSeq, segment.at(-1)?.seq ?? 0);
          for (const message of segment.reverse()) {
            if (points >= options.maxPoints || message.seq <= afterSeq) break scan;
            const fitting = newestPoints(message, options.maxPoints - points);
            newestFirst.push(fitting);
            points += countPoints(fitting);
          }
        }
      }
      return { stream, lastSeq, messages: newestFirst.reverse() };
    });
  }

  /** What an event id already accepted means: sent or trimmed (drop), or stored but not sent (send again). */
  async #earlierOutcome(pk: string, memory: StreamMemory, stream: string, seq: number): Promise<RecordOutcome> {
    if (seq <= (await this.#sentThrough(pk, memory, seq))) return { kind: 'duplicate', seq };
    const segment = await this.#segmentHolding(pk, memory, seq);
    const row = segment && (await this.#get(pk, segmentRowKey(segment.first)));
    if (!segment || !row || row[sentFlag(seq)] === true) return { kind: 'duplicate', seq };
    return { kind: 'unsent', message: decodeSegment(stream, segment.first, row)[seq - segment.first] };
  }

  /** The stored sent watermark: remembered when that already covers `seq` (it only grows), else read. */
  async #sentThrough(pk: string, memory: StreamMemory, seq: number): Promise<number> {
    const remembered = memory.counter?.state.sentThrough ?? 0;
    if (seq <= remembered) return remembered;
    const counter = await this.#get(pk, COUNTER_ROW_KEY);
    return counter ? readCounter(counter).sentThrough : 0;
  }

  /** Deletes id rows (bucket chunks and markers) last written before the retention period. */
  async #pruneEventIds(pk: string, memory: StreamMemory): Promise<void> {
    const before = new Date(Date.now() - this.#eventIdRetentionInMs);
    const expired = this.#table.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${pk} and RowKey ge ${EVENT_ID_ROW_PREFIX} and RowKey lt ${EVENT_ID_ROW_END} and Timestamp lt ${before}`,
        select: ['RowKey'],
      },
    });
    let markers: TransactionAction[] = [];
    const deleteMarkers = async () => {
      const deleting = markers;
      markers = [];
      await this.#table.submitTransaction(deleting).catch((error: unknown) => {
        // Another instance's sweep deleted some of them first: the next sweep takes what is left.
        if (!isConflict(error)) throw error;
      });
    };
    let pruned = 0;
    for await (const row of expired) {
      pruned += 1;
      if (isIdBucketRowKey(row.rowKey!)) {
        // A chunk may be merged into again (an event of an old time): delete it only as it was listed.
        memory.forgetBuckets();
        await this.#table.deleteEntity(pk, row.rowKey!, { etag: row.etag }).catch((error: unknown) => {
          if (!isConflict(error)) throw error;
        });
      } else {
        markers.push(['delete', { partitionKey: pk, rowKey: row.rowKey! }]);
        if (markers.length === MAX_OPERATIONS) await deleteMarkers();
      }
      if (pruned >= MAX_PRUNED_PER_RUN) break;
    }
    if (markers.length > 0) await deleteMarkers();
  }

  async #get(pk: string, rowKey: string, select?: string[]): Promise<TableEntityResult<Record<string, unknown>> | undefined> {
    try {
      return await this.#table.getEntity<Record<string, unknown>>(pk, rowKey, select ? { queryOptions: { select } } : {});
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Creates the table on first use, then runs `work`; storage failures become `StoreUnavailableError`. */
  async #guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      this.#tableReady ??= this.#table.createTable().catch((error: unknown) => {
        this.#tableReady = undefined;
        throw error;
      });
      await this.#tableReady;
      return await work();
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof StoreLayoutError) throw error;
      throw new StoreUnavailableError(`recent-points store ${operation} failed: ${storageProblem(error)}`, { cause: error });
    }
  }
}

function segmentSizeOf(first: number, row: Record<string, unknown>): SegmentSize {
  return { first, count: Number(row.count), points: Number(row.pointCount) };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The seq of an event with a time of its own, when its bucket says it was accepted. */
function acceptedIn(buckets: ReadonlyMap<number, KnownBucket>, draft: MessageDraft): number | undefined {
  return draft.untimed ? undefined : buckets.get(idBucketOf(draft.time))?.ids.get(idHash(draft.id));
}

function readCounter(entity: Record<string, unknown>): CounterState {
  // Rows of another layout would be misread (and a redelivery of their events not recognised): refuse them plainly.
  if (entity.layout !== STORE_LAYOUT) {
    throw new StoreLayoutError(`stream partition "${String(entity.partitionKey)}" was written by another layout of the recent-points store (layout ${JSON.stringify(entity.layout ?? null)}, not ${STORE_LAYOUT}); use a new table`);
  }
  return {
    lastSeq: Number(entity.lastSeq as bigint),
    oldestSeq: Number(entity.oldestSeq as bigint),
    storedPoints: Number(entity.storedPoints as bigint),
    sentThrough: Number(entity.sentThrough as bigint),
  };
}

/** 409 (row created meanwhile), 412 (counter changed meanwhile), 404 (row deleted meanwhile). */
function isConflict(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412 || error.statusCode === 404);
}

function storageProblem(error: unknown): string {
  if (error instanceof RestError) return error.statusCode ? `storage answered ${error.statusCode} (${error.code ?? 'no code'})` : `storage unreachable (${error.code ?? 'no code'})`;
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waiting work taken into one batch: every delivered message, so that its invocation does not
 * wait behind a backlog of events, and the oldest events that fit one segment row (bounded in
 * count and size, each event id once). A lone event always fits.
 */
function selectStreamWork(waiting: readonly StreamWork[]): number[] {
  const ids = new Set<string>();
  const taken: number[] = [];
  let bytes = 0;
  let eventsFull = false;
  waiting.forEach((item, index) => {
    if ('draft' in item) {
      if (eventsFull) return;
      bytes += segmentBytesOf(item.draft);
      if (ids.size > 0 && (ids.size >= MAX_EVENTS_PER_TRANSACTION || bytes > MAX_SEGMENT_BYTES || ids.has(item.draft.id))) {
        eventsFull = true;
        return;
      }
      ids.add(item.draft.id);
    }
    taken.push(index);
  });
  return taken;
}
