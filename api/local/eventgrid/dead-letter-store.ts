/**
 * Dead-lettered events, kept where a user can look at them: the most recent ones in memory
 * (bounded), and, when a directory is given, every one as a JSON file laid out like Azure's
 * dead-letter blobs: `<directory>/<topic>/<subscription>/<yyyy>/<MM>/<dd>/<HH>/<time>-<id>.json`,
 * holding the event with `deadLetterReason`, `deliveryAttempts`, `lastDeliveryOutcome`,
 * `publishTime` and `lastDeliveryAttemptTime` added (lowercase names for CloudEvents, as Azure).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JsonObject } from './event-fields.js';
import type { EventSchema } from './published-events.js';

export type DeadLetterReason =
  | 'MaxDeliveryAttemptsExceeded'
  | 'TimeToLiveExceeded'
  /** The webhook answered 400, 401 or 413, which Event Grid does not retry. */
  | 'NonRetriableHttpStatusCode'
  /** A CloudEvent for a subscription that wants the Event Grid schema. */
  | 'UnsupportedSchemaConversion';

export interface DeadLetteredEvent {
  subscriptionName: string;
  deadLetterReason: DeadLetterReason;
  deliveryAttempts: number;
  /** `NotFound`, `InternalServerError`, `TimedOut`, `ConnectionFailed`, ... of the last attempt. */
  lastDeliveryOutcome: string;
  lastHttpStatusCode: number | undefined;
  /** ISO times. */
  publishTime: string;
  lastDeliveryAttemptTime: string | undefined;
  /** The event as it was (or would have been) delivered. */
  schema: EventSchema;
  event: JsonObject;
  /** The JSON file it was written to, when the store has a directory. */
  file: string | undefined;
}

export type DeadLetterInput = Omit<DeadLetteredEvent, 'file'>;

export class DeadLetterStore {
  readonly #recent: DeadLetteredEvent[] = [];
  readonly #writes = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      topicName: string;
      directory: string | undefined;
      maxInMemory: number;
      log: (message: string) => void;
    },
  ) {}

  add(input: DeadLetterInput): void {
    const file = this.options.directory === undefined ? undefined : this.#fileFor(input);
    const record: DeadLetteredEvent = { ...input, file };
    this.#recent.push(record);
    if (this.#recent.length > this.options.maxInMemory) this.#recent.shift();
    this.options.log(
      `dead-lettered event ${String(input.event.id)} for subscription '${input.subscriptionName}': ${input.deadLetterReason} ` +
      `after ${input.deliveryAttempts} attempt(s), last outcome ${input.lastDeliveryOutcome}${file ? ` -> ${file}` : ''}`,
    );
    if (file !== undefined) this.#track(this.#write(file, record));
  }

  /** The most recent dead-lettered events, oldest first. */
  list(): DeadLetteredEvent[] {
    return [...this.#recent];
  }

  /** Resolves when every file write started so far has finished. */
  async flushed(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all(this.#writes);
  }

  #fileFor(record: DeadLetterInput): string {
    const now = new Date();
    const two = (n: number): string => String(n).padStart(2, '0');
    return path.join(
      this.options.directory ?? '',
      this.options.topicName,
      record.subscriptionName,
      String(now.getUTCFullYear()), two(now.getUTCMonth() + 1), two(now.getUTCDate()), two(now.getUTCHours()),
      `${now.toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`,
    );
  }

  async #write(file: string, record: DeadLetteredEvent): Promise<void> {
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(azureDeadLetterBlob(record), null, 2)}\n`);
    } catch (error) {
      this.options.log(`could not write dead-letter file ${file}: ${(error as Error).message}`);
    }
  }

  #track(write: Promise<void>): void {
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }
}

/** The content of an Azure dead-letter blob for this record. */
function azureDeadLetterBlob(record: DeadLetteredEvent): JsonObject {
  const metadata = {
    deadLetterReason: record.deadLetterReason,
    deliveryAttempts: record.deliveryAttempts,
    lastDeliveryOutcome: record.lastDeliveryOutcome,
    lastHttpStatusCode: record.lastHttpStatusCode,
    publishTime: record.publishTime,
    lastDeliveryAttemptTime: record.lastDeliveryAttemptTime,
  };
  const named = record.schema === 'CloudEventSchemaV1_0'
    ? Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]))
    : metadata;
  return { ...record.event, ...named };
}
