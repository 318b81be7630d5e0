/**
 * The recent-points store (Azure Table Storage): per stream, the seq counter, the newest
 * messages (at least the last `pointsPerStream` points, never more than that plus one event),
 * and markers of the event ids already accepted. Every accepted event changes its stream's
 * partition in one entity-group transaction guarded by the counter row's ETag, so concurrent
 * ingests of one stream get consecutive seqs and a redelivery can never store a second row.
 */
import { odata, RestError, TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { HistoryResponse, LiveMessage } from '../live-message.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { countPoints, newestPoints } from './message-points.js';
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

/** The store could not be reached or kept refusing: a retry later may succeed. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

interface CounterState {
  lastSeq: number;
  oldestSeq: number;
  storedPoints: number;
}

const MAX_ATTEMPTS = 40;
/** A transaction holds at most 100 operations; 3 are the counter, marker and message rows. */
const MAX_TRIMS_PER_EVENT = 90;
const PRUNE_EVERY_SEQ = 100;
const MAX_PRUNED_PER_RUN = 1000;
const HISTORY_PAGE_SIZE = 100;

export class RecentPointsStore {
  readonly #table: TableClient;
  readonly #pointsPerStream: number;
  readonly #eventIdRetentionInMs: number;
  #tableReady: Promise<void> | undefined;
  /** Per partition, the tail of this instance's queue of records (see `record`). */
  readonly #recordQueues = new Map<string, Promise<void>>();

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
   * Records of one stream run one at a time within this instance, so that a burst of events
   * for one stream does not fight over the counter row; the ETag still settles races between
   * instances.
   */
  record(draft: MessageDraft): Promise<RecordOutcome> {
    const pk = partitionKey(draft.stream);
    const previous = this.#recordQueues.get(pk) ?? Promise.resolve();
    const outcome = previous.then(() => this.#record(pk, draft));
    const tail = outcome.then(
      () => undefined,
      () => undefined,
    );
    this.#recordQueues.set(pk, tail);
    void tail.then(() => {
      if (this.#recordQueues.get(pk) === tail) this.#recordQueues.delete(pk);
    });
    return outcome;
  }

  async #record(pk: string, draft: MessageDraft): Promise<RecordOutcome> {
    return this.#guard('record', async () => {
      const markerKey = markerRowKey(draft.id);
      for (let attempt = 1; ; attempt += 1) {
        const marker = await this.#get(pk, markerKey);
        if (marker) return this.#earlierOutcome(draft.stream, marker);

        const counter = await this.#get(pk, COUNTER_ROW_KEY);
        const state = counter ? readCounter(counter) : { lastSeq: 0, oldestSeq: 1, storedPoints: 0 };
        const message: LiveMessage = { v: 1, stream: draft.stream, seq: state.lastSeq + 1, id: draft.id, time: draft.time, series: draft.series };
        const trim = await this.#planTrim(pk, state, message);
        const counterEntity = {
          partitionKey: pk,
          rowKey: COUNTER_ROW_KEY,
          lastSeq: BigInt(message.seq),
          oldestSeq: BigInt(trim.oldestSeq),
          storedPoints: BigInt(trim.storedPoints),
        };
        const actions: TransactionAction[] = [
          counter ? ['update', counterEntity, 'Replace', { etag: counter.etag as string }] : ['create', counterEntity],
          ['create', { partitionKey: pk, rowKey: markerKey, seq: BigInt(message.seq), sent: false, eventId: draft.id }],
          ['create', { partitionKey: pk, rowKey: messageRowKey(message.seq), ...encodeMessage(message) }],
          ...trim.deleteSeqs.map((seq): TransactionAction => ['delete', { partitionKey: pk, rowKey: messageRowKey(seq) }]),
        ];
        try {
          await this.#table.submitTransaction(actions);
          return { kind: 'new', message };
        } catch (error) {
          // Another ingest of this stream (or of this very event) got there first: look again.
          if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
          await delay(Math.random() * Math.min(200, 5 * 2 ** attempt));
        }
      }
    });
  }

  /**
   * Notes that the message reached SignalR, so that redeliveries are dropped. Every 100th seq
   * of a stream also forgets event ids older than the retention period.
   */
  async completeDelivery(message: LiveMessage): Promise<void> {
    await this.#guard('completeDelivery', async () => {
      const pk = partitionKey(message.stream);
      await this.#table.updateEntity({ partitionKey: pk, rowKey: markerRowKey(message.id), sent: true }, 'Merge');
      if (message.seq % PRUNE_EVERY_SEQ === 0) await this.#pruneEventIds(pk);
    });
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
  async #earlierOutcome(stream: string, marker: TableEntityResult<Record<string, unknown>>): Promise<RecordOutcome> {
    const seq = Number(marker.seq as bigint);
    if (marker.sent === true) return { kind: 'duplicate', seq };
    const row = await this.#get(partitionKey(stream), messageRowKey(seq));
    return row ? { kind: 'unsent', message: decodeMessage(stream, seq, row) } : { kind: 'duplicate', seq };
  }

  /** Which oldest messages go so that the stream keeps at least `pointsPerStream` points. */
  async #planTrim(pk: string, state: CounterState, message: LiveMessage) {
    let storedPoints = state.storedPoints + countPoints(message);
    let oldestSeq = state.oldestSeq;
    const deleteSeqs: number[] = [];
    // Every stored message holds at least one point, so nothing can go while this is false.
    while (oldestSeq < message.seq && storedPoints - 1 >= this.#pointsPerStream && deleteSeqs.length < MAX_TRIMS_PER_EVENT) {
      const oldest = await this.#get(pk, messageRowKey(oldestSeq), ['pointCount']);
      const oldestPoints = oldest ? Number(oldest.pointCount) : 0;
      if (storedPoints - oldestPoints < this.#pointsPerStream) break;
      if (oldest) deleteSeqs.push(oldestSeq);
      storedPoints -= oldestPoints;
      oldestSeq += 1;
    }
    return { deleteSeqs, oldestSeq, storedPoints };
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
