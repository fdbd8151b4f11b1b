/**
 * The sliding windows behind count, value_count and sum: one per correlation group, ending at
 * the newest event seen in the group. Each keeps its measure up to date as events come and go,
 * so an event costs the same whether the window holds ten events or a million (a `value_count`
 * by key over an hour used to recount every event of the hour on every event).
 */
import type { Seen } from './correlate.js';

export interface AggregateWindow {
  /** Adds an event with its value (1 for count, a number for sum, a string for value_count). */
  add(e: Seen, value: number | string): void;
  /** Drops what is older than `horizon` (event time). */
  expire(horizon: number): void;
  /** The count, distinct count or sum of what the window holds. */
  measure(): number;
  /** The events a detection lists: the newest `max`, oldest first. */
  listed(max: number): Seen[];
  readonly newest: number;
  readonly empty: boolean;
}

export const before = (a: Seen, b: Seen): boolean => a.event.ts < b.event.ts || (a.event.ts === b.event.ts && a.seq < b.seq);

/** Inserts in event-time order (arrival order breaks ties); usually at the end, events mostly come in order. */
export function insertOrdered<T>(list: T[], item: T, seenOf: (x: T) => Seen): void {
  let i = list.length;
  while (i > 0 && before(seenOf(item), seenOf(list[i - 1]!))) i--;
  list.splice(i, 0, item);
}

const self = (e: Seen) => e;

/** Matching events; never more than the threshold, since reaching it fires and resets. */
export class CountWindow implements AggregateWindow {
  private readonly events: Seen[] = [];
  constructor(private readonly threshold: number) {}

  add(e: Seen): void {
    insertOrdered(this.events, e, self);
    if (this.events.length > this.threshold) this.events.shift();
  }
  expire(horizon: number): void {
    while (this.events.length > 0 && this.events[0]!.event.ts < horizon) this.events.shift();
  }
  measure(): number {
    return this.events.length;
  }
  listed(max: number): Seen[] {
    return this.events.slice(-max);
  }
  get newest(): number {
    return this.events.at(-1)?.event.ts ?? -Infinity;
  }
  get empty(): boolean {
    return this.events.length === 0;
  }
}

interface Amount {
  ts: number;
  seq: number;
  value: number;
}

/** A running total over every matching event's amount; only the newest events are kept whole. */
export class SumWindow implements AggregateWindow {
  private readonly amounts: Amount[] = [];
  private readonly recent: Seen[] = [];
  private total = 0;
  constructor(private readonly keepListed: number) {}

  add(e: Seen, value: number | string): void {
    const amount = { ts: e.event.ts, seq: e.seq, value: value as number };
    let i = this.amounts.length;
    while (i > 0 && (amount.ts < this.amounts[i - 1]!.ts || (amount.ts === this.amounts[i - 1]!.ts && amount.seq < this.amounts[i - 1]!.seq))) i--;
    this.amounts.splice(i, 0, amount);
    this.total += amount.value;
    insertOrdered(this.recent, e, self);
    if (this.recent.length > this.keepListed) this.recent.shift();
  }
  expire(horizon: number): void {
    while (this.amounts.length > 0 && this.amounts[0]!.ts < horizon) this.total -= this.amounts.shift()!.value;
    while (this.recent.length > 0 && this.recent[0]!.event.ts < horizon) this.recent.shift();
  }
  measure(): number {
    return this.total;
  }
  listed(max: number): Seen[] {
    return this.recent.slice(-max);
  }
  get newest(): number {
    return this.amounts.at(-1)?.ts ?? -Infinity;
  }
  get empty(): boolean {
    return this.amounts.length === 0;
  }
}

/**
 * Distinct values, each with the newest event that carried it: a value is in the window while
 * its newest occurrence is. The map keeps values in the order they were last seen, so expiry
 * only looks at its front; an event that arrives out of order can leave a stale value behind a
 * fresher one, so `measure` recounts exactly before it can answer "threshold reached".
 */
export class DistinctWindow implements AggregateWindow {
  private readonly latest = new Map<string, Seen>();
  private horizon = -Infinity;
  newest = -Infinity;
  constructor(private readonly threshold: number) {}

  add(e: Seen, value: number | string): void {
    const key = String(value);
    const had = this.latest.get(key);
    if (had && !before(had, e)) return;
    this.latest.delete(key);
    this.latest.set(key, e);
    if (e.event.ts > this.newest) this.newest = e.event.ts;
  }
  expire(horizon: number): void {
    this.horizon = horizon;
    for (const [key, e] of this.latest) {
      if (e.event.ts >= horizon) break;
      this.latest.delete(key);
    }
  }
  measure(): number {
    if (this.latest.size < this.threshold) return this.latest.size;
    for (const [key, e] of this.latest) if (e.event.ts < this.horizon) this.latest.delete(key);
    return this.latest.size;
  }
  listed(max: number): Seen[] {
    return [...this.latest.values()].sort((a, b) => (before(a, b) ? -1 : 1)).slice(-max);
  }
  get empty(): boolean {
    return this.latest.size === 0;
  }
}
