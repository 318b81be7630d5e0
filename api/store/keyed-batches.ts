/**
 * Per key, one batch at a time: items that arrive while a key's batch is being processed wait,
 * and the next batch takes them together. An item arriving at an idle key starts at once,
 * alone, so batching adds no latency at low rates. Results are handed out in batch order.
 */
export interface KeyedBatchesOptions<Item, Result> {
  /**
   * Which of the waiting items (oldest first) the next batch takes: their indices, ascending.
   * The oldest is always taken, so every item is taken in time.
   */
  select(waiting: readonly Item[]): number[];
  /** Processes one batch of a key: one result per item, in order; throwing fails every item. */
  process(key: string, items: Item[]): Promise<Result[]>;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class KeyedBatches<Item, Result> {
  readonly #options: KeyedBatchesOptions<Item, Result>;
  /** Keys with a batch under way, and what waits for the next one. */
  readonly #waiting = new Map<string, Waiting<Item, Result>[]>();

  constructor(options: KeyedBatchesOptions<Item, Result>) {
    this.#options = options;
  }

  add(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const waiting = this.#waiting.get(key);
      if (waiting) {
        waiting.push({ item, resolve, reject });
        return;
      }
      const queue = [{ item, resolve, reject }];
      this.#waiting.set(key, queue);
      void this.#drain(key, queue);
    });
  }

  async #drain(key: string, queue: Waiting<Item, Result>[]): Promise<void> {
    while (queue.length > 0) {
      const taken = new Set(this.#options.select(queue.map((entry) => entry.item))).add(0);
      const batch = queue.filter((_, index) => taken.has(index));
      const left = queue.filter((_, index) => !taken.has(index));
      queue.splice(0, queue.length, ...left);
      try {
        const results = await this.#options.process(key, batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#waiting.delete(key);
  }
}
