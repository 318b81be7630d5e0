/** A first-in first-out queue with O(1) take, for delivery backlogs of many thousands. */
export class FifoQueue<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(...items: T[]): void {
    for (const item of items) this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  take(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T;
    // Drop the consumed front now and then, so memory follows the backlog, not its history.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes every item and returns them. */
  drain(): T[] {
    const items = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
