/**
 * The recent-points store (Azure Table Storage): per stream, the seq counter, the newest
 * messages (at least the last `pointsPerStream` points, never more than that plus one event),
 * and markers of the event ids already accepted. Accepted events change their stream's
 * partition in entity-group transactions guarded by the counter row's ETag and by creating
 * each event's marker, so concurrent ingests of one stream get consecutive seqs and a
 * redelivery can never store a second row. Which messages were sent is the counter's sent
 * watermark (every seq up to it was sent or trimmed), or a marker's own `sent` flag for a seq above it.
 */
import { odata, RestError, TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { HistoryResponse, LiveMessage } from '../live-message.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { countPoints, newestPoints } from './message-points.js';
import { KeyedBatches } from './keyed-batches.js';
import { StreamMemories, type CachedCounter, type CounterState, type StreamMemory } from './stream-cache.js';
import {
  COUNTER_ROW_KEY,
  MARKER_ROW_END,
  MARKER_ROW_PREFIX,
  markerRowKey,
  MESSAGE_ROW_END,
  MESSAGE_ROW_PREFIX,
  messageRowKey,
  partitionKey,
  seqFromMessageRowKey,
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
export type MessageDraft = Omit<LiveMessage, 'seq'>;

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
 * A recorded event's outcome; for a sent message, whether that is now stored, or why it could
 * not be (a failure to mark sent must not fail the events recorded in the same batch).
 */
type WorkResult = RecordOutcome | boolean | StoreUnavailableError;

/** The store could not be reached or kept refusing: a retry later may succeed. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** An entity-group transaction holds at most 100 operations. */
const MAX_OPERATIONS = 100;
/** Events per transaction: the counter and two rows each leave room for 35 trims. */
const MAX_EVENTS_PER_TRANSACTION = 32;
/**
 * Points of the events batched in one transaction: 16 bytes each stays under a table entity's
 * 1 MiB, so an event storage refuses as too large is always written (and fails) alone.
 */
const MAX_POINTS_PER_TRANSACTION = 60_000;
const MAX_ATTEMPTS = 40;
const PRUNE_EVERY_SEQ = 100;
const MAX_PRUNED_PER_RUN = 1000;
const HISTORY_PAGE_SIZE = 100;

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
   * Throws `StoreUnavailableError` when storage fails.
   *
   * Within this instance, a stream has one transaction under way at a time; its events that
   * arrive meanwhile go together into the next one. While nothing else writes the stream, that
   * transaction is built from what this instance remembers (no reads); when storage refuses it
   * (another instance, or a redelivered event id), each of its events is recorded carefully,
   * reading the marker and counter first. The counter's ETag settles races between instances.
   */
  async record(draft: MessageDraft): Promise<RecordOutcome> {
    return (await this.#streams.add(partitionKey(draft.stream), { draft })) as RecordOutcome;
  }

  /** One batch of a stream's work: the events recorded first, so their commit can carry the sent watermark. */
  async #process(pk: string, work: StreamWork[]): Promise<WorkResult[]> {
    const memory = this.#memories.of(pk);
    const sent = work.filter((item) => 'sent' in item);
    memory.noteSent(sent.map((item) => item.sent.seq));
    const drafts = work.flatMap((item) => ('draft' in item ? [item.draft] : []));
    const outcomes: WorkResult[] = drafts.length > 0 ? await this.#guard('record', () => this.#recordBatch(pk, memory, drafts)) : [];
    if (sent.length > 0) {
      const marked = await this.#guard('completeDelivery', () => this.#markSent(pk, memory, sent)).catch((error: StoreUnavailableError) => sent.map(() => error));
      outcomes.push(...marked);
    }
    let nextRecord = 0;
    let nextSent = drafts.length;
    return work.map((item) => ('draft' in item ? outcomes[nextRecord++] : outcomes[nextSent++]));
  }

  async #recordBatch(pk: string, memory: StreamMemory, drafts: MessageDraft[]): Promise<RecordOutcome[]> {
    const counter = memory.counter;
    if (counter && !drafts.some((draft) => memory.acceptedLately(draft.id))) {
      try {
        const messages = await this.#commit(pk, memory, counter, drafts);
        return messages.map((message) => ({ kind: 'new', message }));
      } catch (error) {
        memory.counter = undefined;
        if (!isConflict(error)) throw error;
      }
    }
    const outcomes: RecordOutcome[] = [];
    for (const draft of drafts) outcomes.push(await this.#recordCarefully(pk, memory, draft));
    return outcomes;
  }

  /** One event, reading its marker and the counter first; retried while other writers get in between. */
  async #recordCarefully(pk: string, memory: StreamMemory, draft: MessageDraft): Promise<RecordOutcome> {
    const markerKey = markerRowKey(draft.id);
    for (let attempt = 1; ; attempt += 1) {
      const marker = await this.#get(pk, markerKey);
      if (marker) return this.#earlierOutcome(pk, memory, draft.stream, marker);
      const counter = await this.#get(pk, COUNTER_ROW_KEY);
      try {
        const [message] = await this.#commit(pk, memory, counter ? { state: readCounter(counter), etag: counter.etag as string } : undefined, [draft]);
        return { kind: 'new', message };
      } catch (error) {
        memory.counter = undefined;
        // Another ingest of this stream (or of this very event) got there first: look again.
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
        await delay(Math.random() * Math.min(200, 5 * 2 ** attempt));
      }
    }
  }

  /**
   * One transaction: the events' messages under the seqs after `counter` (undefined: the stream
   * has none yet), their markers, and the trims that keep the stream near `pointsPerStream`
   * points. A message that its own batch already trims is not written at all. The counter also
   * takes the sent watermark as far as the seqs this instance knows were sent allow.
   */
  async #commit(pk: string, memory: StreamMemory, counter: CachedCounter | undefined, drafts: readonly MessageDraft[]): Promise<LiveMessage[]> {
    const start = counter?.state ?? { lastSeq: 0, oldestSeq: 1, storedPoints: 0, sentThrough: 0 };
    const messages = drafts.map((draft, index): LiveMessage => ({ v: 1, stream: draft.stream, seq: start.lastSeq + 1 + index, id: draft.id, time: draft.time, series: draft.series }));
    const newPoints = new Map(messages.map((message) => [message.seq, countPoints(message)]));
    const maxTrims = MAX_OPERATIONS - 1 - 2 * messages.length;
    let { oldestSeq, storedPoints } = start;
    const deleteSeqs: number[] = [];
    for (const message of messages) {
      storedPoints += newPoints.get(message.seq)!;
      // Every stored message holds at least one point, so nothing can go while this is false.
      while (oldestSeq < message.seq && storedPoints - 1 >= this.#pointsPerStream && deleteSeqs.length < maxTrims) {
        const inBatch = newPoints.get(oldestSeq);
        const oldestPoints = inBatch ?? (await this.#storedPointCount(pk, memory, oldestSeq));
        if (storedPoints - (oldestPoints ?? 0) < this.#pointsPerStream) break;
        if (inBatch !== undefined) newPoints.delete(oldestSeq);
        else if (oldestPoints !== undefined) deleteSeqs.push(oldestSeq);
        storedPoints -= oldestPoints ?? 0;
        oldestSeq += 1;
      }
    }
    const lastSeq = start.lastSeq + messages.length;
    const sentThrough = memory.sentThrough({ sentThrough: start.sentThrough, oldestSeq });
    const counterEntity = {
      partitionKey: pk, rowKey: COUNTER_ROW_KEY, lastSeq: BigInt(lastSeq), oldestSeq: BigInt(oldestSeq), storedPoints: BigInt(storedPoints), sentThrough: BigInt(sentThrough),
    };
    const actions: TransactionAction[] = [
      counter ? ['update', counterEntity, 'Replace', { etag: counter.etag }] : ['create', counterEntity],
      ...messages.flatMap((message): TransactionAction[] => [
        ['create', { partitionKey: pk, rowKey: markerRowKey(message.id), seq: BigInt(message.seq), sent: false, eventId: message.id }],
        ...(newPoints.has(message.seq) ? [['create', { partitionKey: pk, rowKey: messageRowKey(message.seq), ...encodeMessage(message) }] as TransactionAction] : []),
      ]),
      ...deleteSeqs.map((seq): TransactionAction => ['delete', { partitionKey: pk, rowKey: messageRowKey(seq) }]),
    ];
    const response = await this.#table.submitTransaction(actions);
    // Sub-responses come in action order; that of an update names no row key, so go by position.
    const etag = response.subResponses[0]?.etag;
    memory.watermarkStored(sentThrough);
    memory.committed(
      { lastSeq, oldestSeq, storedPoints, sentThrough },
      etag,
      [...newPoints].map(([seq, points]) => ({ seq, points })),
      drafts.map((draft) => draft.id),
    );
    return messages;
  }

  /** Points of a stored message row (undefined when it is gone), remembered or read. */
  async #storedPointCount(pk: string, memory: StreamMemory, seq: number): Promise<number | undefined> {
    const remembered = memory.pointCount(seq);
    if (remembered !== undefined) return remembered;
    const row = await this.#get(pk, messageRowKey(seq), ['pointCount']);
    if (!row) return undefined;
    const points = Number(row.pointCount);
    memory.notePointCount(seq, points);
    return points;
  }

  /**
   * Notes that the message reached SignalR, so that redeliveries are dropped. Messages of a
   * stream delivered meanwhile are noted together: the counter's sent watermark moves past them
   * when every seq before them was sent (usually in the transaction that records the stream's
   * next events, else in one update of the counter). Sends finish out of order, so a message the
   * watermark cannot cover yet waits one more round; then its marker is marked sent instead
   * (those of a round in one transaction). Every 100th seq of a stream also forgets event ids
   * older than the retention period.
   */
  async completeDelivery(message: LiveMessage): Promise<void> {
    const pk = partitionKey(message.stream);
    const stored = async (lastChance: boolean): Promise<boolean> => {
      const result = await this.#streams.add(pk, { sent: message, lastChance });
      if (result instanceof StoreUnavailableError) throw result;
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
        memory.counter = response.etag === undefined ? undefined : { state: { ...counter.state, sentThrough }, etag: response.etag };
      } catch (error) {
        memory.counter = undefined;
        // Another instance wrote the counter meanwhile: the markers below say it instead.
        if (!isConflict(error)) throw error;
      }
    }
    const covered = memory.counter?.state.sentThrough ?? 0;
    const rowKeys = [...new Set(sent.filter((item) => item.sent.seq > covered && item.lastChance).map((item) => markerRowKey(item.sent.id)))];
    const markSent = (rowKey: string): TransactionAction => ['update', { partitionKey: pk, rowKey, sent: true }, 'Merge'];
    for (let start = 0; start < rowKeys.length; start += MAX_OPERATIONS) {
      const chunk = rowKeys.slice(start, start + MAX_OPERATIONS);
      if (chunk.length === 1) await this.#table.updateEntity(markSent(chunk[0])[1], 'Merge');
      else await this.#table.submitTransaction(chunk.map(markSent));
    }
    if (sent.some((item) => item.sent.seq % PRUNE_EVERY_SEQ === 0 && (item.lastChance || item.sent.seq <= covered))) await this.#pruneEventIds(pk);
    return sent.map((item) => item.lastChance || item.sent.seq <= covered);
  }

  /**
   * The newest stored messages of a stream holding at most `maxPoints` points, oldest first; the
   * oldest one is cut to its newest points when only part of it fits. Only `seq > afterSeq`.
   */
  async readRecent(stream: string, options: { maxPoints: number; afterSeq?: number }): Promise<HistoryResponse> {
    return this.#guard('readRecent', async () => {
      const pk = partitionKey(stream);
      const counter = await this.#get(pk, COUNTER_ROW_KEY);
      let lastSeq = counter ? readCounter(counter).lastSeq : 0;
      const upperKey = options.afterSeq === undefined ? MESSAGE_ROW_END : messageRowKey(options.afterSeq);
      const rows = this.#table.listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${MESSAGE_ROW_PREFIX} and RowKey lt ${upperKey}` },
      });
      const newestFirst: LiveMessage[] = [];
      let points = 0;
      scan: for await (const page of rows.byPage({ maxPageSize: HISTORY_PAGE_SIZE })) {
        for (const row of page) {
          if (points >= options.maxPoints) break scan;
          const message = decodeMessage(stream, seqFromMessageRowKey(row.rowKey!), row);
          const fitting = newestPoints(message, options.maxPoints - points);
          newestFirst.push(fitting);
          points += countPoints(fitting);
          lastSeq = Math.max(lastSeq, message.seq);
        }
      }
      return { stream, lastSeq, messages: newestFirst.reverse() };
    });
  }

  /** What an event id already marked means: sent (drop), or stored but not sent (send again). */
  async #earlierOutcome(pk: string, memory: StreamMemory, stream: string, marker: TableEntityResult<Record<string, unknown>>): Promise<RecordOutcome> {
    const seq = Number(marker.seq as bigint);
    if (marker.sent === true || seq <= (await this.#sentThrough(pk, memory, seq))) return { kind: 'duplicate', seq };
    const row = await this.#get(pk, messageRowKey(seq));
    return row ? { kind: 'unsent', message: decodeMessage(stream, seq, row) } : { kind: 'duplicate', seq };
  }

  /** The stored sent watermark: remembered when that already covers `seq` (it only grows), else read. */
  async #sentThrough(pk: string, memory: StreamMemory, seq: number): Promise<number> {
    const remembered = memory.counter?.state.sentThrough ?? 0;
    if (seq <= remembered) return remembered;
    const counter = await this.#get(pk, COUNTER_ROW_KEY);
    return counter ? readCounter(counter).sentThrough : 0;
  }

  async #pruneEventIds(pk: string): Promise<void> {
    const before = new Date(Date.now() - this.#eventIdRetentionInMs);
    const expired = this.#table.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${pk} and RowKey ge ${MARKER_ROW_PREFIX} and RowKey lt ${MARKER_ROW_END} and Timestamp lt ${before}`,
        select: ['RowKey'],
      },
    });
    let batch: TransactionAction[] = [];
    let pruned = 0;
    for await (const row of expired) {
      batch.push(['delete', { partitionKey: pk, rowKey: row.rowKey! }]);
      pruned += 1;
      if (batch.length === 100) {
        await this.#table.submitTransaction(batch);
        batch = [];
      }
      if (pruned >= MAX_PRUNED_PER_RUN) break;
    }
    if (batch.length > 0) await this.#table.submitTransaction(batch);
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
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`recent-points store ${operation} failed: ${storageProblem(error)}`, { cause: error });
    }
  }
}

function readCounter(entity: Record<string, unknown>): CounterState {
  return {
    lastSeq: Number(entity.lastSeq as bigint),
    oldestSeq: Number(entity.oldestSeq as bigint),
    storedPoints: Number(entity.storedPoints as bigint),
    // Absent in counters written before the watermark existed: their markers say what was sent.
    sentThrough: entity.sentThrough === undefined ? 0 : Number(entity.sentThrough as bigint),
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
 * wait behind a backlog of events, and the oldest events that fit one transaction (bounded in
 * count and points, each event id once).
 */
function selectStreamWork(waiting: readonly StreamWork[]): number[] {
  const ids = new Set<string>();
  const taken: number[] = [];
  let points = 0;
  let eventsFull = false;
  waiting.forEach((item, index) => {
    if ('draft' in item) {
      if (eventsFull) return;
      points += countPoints(item.draft);
      if (ids.size > 0 && (ids.size >= MAX_EVENTS_PER_TRANSACTION || points > MAX_POINTS_PER_TRANSACTION || ids.has(item.draft.id))) {
        eventsFull = true;
        return;
      }
      ids.add(item.draft.id);
    }
    taken.push(index);
  });
  return taken;
}
