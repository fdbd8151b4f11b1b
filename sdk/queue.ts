/**
 * A FIFO with a fixed capacity that drops its oldest item when full, so a slow or absent
 * collector costs the app bounded memory and never blocks it. Array + head index rather
 * than `shift()`, which is O(n) per call on large arrays.
 */
export class BoundedQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends; returns the oldest item when that made the queue overflow (it is removed). */
  push(item: T): T | undefined {
    this.#items.push(item);
    return this.size > this.capacity ? this.shift() : undefined;
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    // Reclaim the consumed prefix once it is most of the array: amortized O(1).
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
