/**
 * Per key, one batch at a time: items that arrive while a key's batch is being processed wait,
 * and the next batch takes them together. An item arriving at an idle key starts at once,
 * alone, so batching adds no latency at low rates, except for items that may linger: while
 * only those wait, the next batch waits a moment for an item that may not, to go with it.
 * Results are handed out in batch order.
 */
export interface KeyedBatchesOptions<Item, Result> {
  /**
   * Which of the waiting items (oldest first) the next batch takes: their indices, ascending.
   * The oldest is always taken, so every item is taken in time.
   */
  select(waiting: readonly Item[]): number[];
  /** Processes one batch of a key: one result per item, in order; throwing fails every item. */
  process(key: string, items: Item[]): Promise<Result[]>;
  /** Items that may wait up to `forMs` for company (default: none). */
  linger?: { forMs: number; applies(item: Item): boolean };
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

interface KeyQueue<Item, Result> {
  entries: Waiting<Item, Result>[];
  /** Ends a linger early: set while the key lingers. */
  wake?: () => void;
}

export class KeyedBatches<Item, Result> {
  readonly #options: KeyedBatchesOptions<Item, Result>;
  /** Keys with a batch under way or lingering, and what waits for the next one. */
  readonly #queues = new Map<string, KeyQueue<Item, Result>>();

  constructor(options: KeyedBatchesOptions<Item, Result>) {
    this.#options = options;
  }

  add(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.#queues.get(key);
      if (queue) {
        queue.entries.push({ item, resolve, reject });
        if (!this.#lingers(item)) queue.wake?.();
        return;
      }
      const fresh: KeyQueue<Item, Result> = { entries: [{ item, resolve, reject }] };
      this.#queues.set(key, fresh);
      void this.#drain(key, fresh);
    });
  }

  #lingers(item: Item): boolean {
    return this.#options.linger?.applies(item) ?? false;
  }

  async #drain(key: string, queue: KeyQueue<Item, Result>): Promise<void> {
    while (queue.entries.length > 0) {
      if (queue.entries.every((entry) => this.#lingers(entry.item))) await this.#linger(queue);
      const batch = this.#take(queue);
      if (batch.length === 0) continue;
      try {
        const results = await this.#options.process(key, batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#queues.delete(key);
  }

  /** Takes the next batch off the queue; when `select` fails, the oldest item alone, failed with it. */
  #take(queue: KeyQueue<Item, Result>): Waiting<Item, Result>[] {
    let taken: Set<number>;
    try {
      taken = new Set(this.#options.select(queue.entries.map((entry) => entry.item))).add(0);
    } catch (error) {
      const [oldest] = queue.entries.splice(0, 1);
      oldest.reject(error);
      return [];
    }
    const batch = queue.entries.filter((_, index) => taken.has(index));
    queue.entries = queue.entries.filter((_, index) => !taken.has(index));
    return batch;
  }

  #linger(queue: KeyQueue<Item, Result>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => queue.wake!(), this.#options.linger!.forMs);
      queue.wake = () => {
        clearTimeout(timer);
        queue.wake = undefined;
        resolve();
      };
    });
  }
}
