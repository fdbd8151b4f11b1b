/**
 * Correlation state of one rule in one partition: ordered sequences, counts, distinct counts,
 * sums and absences over event time, grouped by key. State is bounded: at most `maxGroups`
 * groups per rule (the least recently updated group is evicted first, and counted) and at
 * most MAX_BUFFER events per group and step (the oldest go first).
 */
import type { CompiledCorrelation } from './compile.js';
import type { MatchedEvent } from './detection.js';
import { asText } from './fields.js';
import { before, CountWindow, DistinctWindow, insertOrdered, SumWindow, type AggregateWindow } from './windows.js';

/** An event inside the engine: arrival order breaks ties of equal event time. */
export interface Seen extends MatchedEvent {
  seq: number;
}

export interface CorrelationMatch {
  groupKey: string;
  events: Seen[];
}

export interface Correlator {
  /** Feeds an event (not too late for this rule); returns the matches it completes. */
  onEvent(e: Seen): CorrelationMatch[];
  /** Event time has reached `watermark`: returns matches decided by time (absence), drops expired state. */
  onWatermark(watermark: number): CorrelationMatch[];
  groups(): number;
  /** Groups dropped because of the state limit since the last call. */
  takeEvicted(): number;
}

export const MAX_BUFFER = 64;
/** Most events listed in one aggregate detection (the count itself is exact). */
const MAX_LISTED = 100;

/** Insertion-ordered map used as an LRU: touching a group moves it to the end. */
class Groups<S> {
  private readonly map = new Map<string, S>();
  private evicted = 0;
  constructor(private readonly limit: number) {}

  get(key: string): S | undefined {
    const s = this.map.get(key);
    if (s !== undefined) {
      this.map.delete(key);
      this.map.set(key, s);
    }
    return s;
  }

  upsert(key: string, init: () => S): S {
    let s = this.get(key);
    if (s === undefined) {
      s = init();
      this.map.set(key, s);
      while (this.map.size > this.limit) {
        this.map.delete(this.map.keys().next().value!);
        this.evicted++;
      }
    }
    return s;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  entries(): IterableIterator<[string, S]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }

  takeEvicted(): number {
    const n = this.evicted;
    this.evicted = 0;
    return n;
  }
}

/** `tenant + by values`; null when a by field is missing (such events are not correlated). */
export function groupKeyOf(e: Seen, by: ReadonlyArray<(ev: Seen['event']) => unknown[]>): string | null {
  const parts = [e.event.tenant];
  for (const get of by) {
    const v = get(e.event)[0];
    if (v === undefined || v === null || v === '') return null;
    parts.push(asText(v));
  }
  return parts.join('\u0001');
}

function insertSorted(list: Seen[], e: Seen): void {
  insertOrdered(list, e, (x) => x);
  if (list.length > MAX_BUFFER) list.shift();
}

export function createCorrelator(c: CompiledCorrelation, maxGroups: number): Correlator {
  switch (c.type) {
    case 'sequence':
      return new SequenceCorrelator(c, maxGroups);
    case 'count':
    case 'value_count':
    case 'sum':
      return new AggregateCorrelator(c, maxGroups);
    case 'absence':
      return new AbsenceCorrelator(c, maxGroups);
  }
}

/** Steps in order, each a later event than the one before, all within `within` of the first. */
class SequenceCorrelator implements Correlator {
  private readonly state: Groups<Seen[][]>;
  constructor(
    private readonly c: Extract<CompiledCorrelation, { type: 'sequence' }>,
    maxGroups: number,
  ) {
    this.state = new Groups(maxGroups);
  }

  onEvent(e: Seen): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    const touched = new Set<string>();
    this.c.steps.forEach((step, i) => {
      if (!step.match(e.ctx)) return;
      const key = groupKeyOf(e, step.by);
      if (key === null) return;
      const buffers = this.state.upsert(key, () => this.c.steps.map(() => []));
      insertSorted(buffers[i]!, e);
      touched.add(key);
    });
    for (const key of touched) {
      const buffers = this.state.get(key)!;
      const chain = this.findChain(buffers);
      if (!chain) continue;
      // A matched sequence consumes its events: the same events never complete it twice.
      for (const used of chain) {
        for (const list of buffers) {
          const at = list.indexOf(used);
          if (at >= 0) list.splice(at, 1);
        }
      }
      out.push({ groupKey: key, events: chain });
    }
    return out;
  }

  /** The earliest complete chain: greedy from each candidate first step, oldest first. */
  private findChain(buffers: Seen[][]): Seen[] | null {
    for (const first of buffers[0]!) {
      const chain = [first];
      let ok = true;
      for (let i = 1; i < buffers.length && ok; i++) {
        const prev = chain[i - 1]!;
        const next = buffers[i]!.find((e) => before(prev, e) && !chain.includes(e) && e.event.ts - first.event.ts <= this.c.within);
        if (next) chain.push(next);
        else ok = false;
      }
      if (ok) return chain;
    }
    return null;
  }

  onWatermark(watermark: number): CorrelationMatch[] {
    const horizon = watermark - this.c.within;
    for (const [key, buffers] of [...this.state.entries()]) {
      for (const list of buffers) while (list.length > 0 && list[0]!.event.ts < horizon) list.shift();
      if (buffers.every((l) => l.length === 0)) this.state.delete(key);
    }
    return [];
  }

  groups(): number {
    return this.state.size;
  }

  takeEvicted(): number {
    return this.state.takeEvicted();
  }
}

/** count, value_count (distinct values) and sum of matching events within `within`. */
class AggregateCorrelator implements Correlator {
  private readonly state: Groups<AggregateWindow>;
  constructor(
    private readonly c: Extract<CompiledCorrelation, { type: 'count' | 'value_count' | 'sum' }>,
    maxGroups: number,
  ) {
    this.state = new Groups(maxGroups);
  }

  private newWindow(): AggregateWindow {
    if (this.c.type === 'count') return new CountWindow(this.c.threshold);
    if (this.c.type === 'value_count') return new DistinctWindow(this.c.threshold);
    return new SumWindow(MAX_LISTED);
  }

  onEvent(e: Seen): CorrelationMatch[] {
    if (!this.c.match(e.ctx)) return [];
    const key = groupKeyOf(e, this.c.by);
    if (key === null) return [];
    let value: number | string = 1;
    if (this.c.type === 'sum') {
      // Every number the path yields counts: `output.usage.*` adds input and output tokens.
      const numbers = this.c.field(e.event).map((v) => (typeof v === 'number' ? v : Number(v))).filter(Number.isFinite);
      if (numbers.length === 0) return [];
      value = numbers.reduce((a, b) => a + b, 0);
    } else if (this.c.type === 'value_count') {
      const raw = this.c.field(e.event)[0];
      if (raw === undefined || raw === null) return [];
      value = asText(raw);
    }
    const window = this.state.upsert(key, () => this.newWindow());
    window.add(e, value);
    // The window ends at the newest event; older ones fall out of it.
    window.expire(window.newest - this.c.within);
    if (window.measure() < this.c.threshold) return [];
    this.state.delete(key); // the next detection needs a fresh threshold's worth of events
    return [{ groupKey: key, events: window.listed(MAX_LISTED) }];
  }

  onWatermark(watermark: number): CorrelationMatch[] {
    const horizon = watermark - this.c.within;
    for (const [key, window] of [...this.state.entries()]) {
      window.expire(horizon);
      if (window.empty) this.state.delete(key);
    }
    return [];
  }

  groups(): number {
    return this.state.size;
  }

  takeEvicted(): number {
    return this.state.takeEvicted();
  }
}

interface AbsenceGroup {
  triggers: Seen[];
  expects: Seen[];
}

/**
 * A trigger with no expected partner within `within`: after it (decided once event time has
 * passed trigger + within), or before it (decided once event time has passed the trigger,
 * so a partner arriving late within the allowed lateness still counts).
 */
class AbsenceCorrelator implements Correlator {
  private readonly state: Groups<AbsenceGroup>;
  constructor(
    private readonly c: Extract<CompiledCorrelation, { type: 'absence' }>,
    maxGroups: number,
  ) {
    this.state = new Groups(maxGroups);
  }

  private covers(trigger: Seen, expect: Seen): boolean {
    const dt = expect.event.ts - trigger.event.ts;
    return this.c.order === 'after' ? dt >= 0 && dt <= this.c.within && expect !== trigger : dt <= 0 && -dt <= this.c.within && expect !== trigger;
  }

  onEvent(e: Seen): CorrelationMatch[] {
    const key = groupKeyOf(e, this.c.by);
    if (key === null) return [];
    const isTrigger = this.c.trigger(e.ctx);
    const isExpect = this.c.expect(e.ctx);
    if (!isTrigger && !isExpect) return [];
    const g = this.state.upsert(key, () => ({ triggers: [], expects: [] }));
    if (isExpect) {
      insertSorted(g.expects, e);
      g.triggers = g.triggers.filter((t) => !this.covers(t, e));
    }
    if (isTrigger && !g.expects.some((x) => this.covers(e, x))) insertSorted(g.triggers, e);
    return [];
  }

  onWatermark(watermark: number): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    for (const [key, g] of [...this.state.entries()]) {
      const due = (t: Seen) => (this.c.order === 'after' ? t.event.ts + this.c.within < watermark : t.event.ts < watermark);
      for (const t of g.triggers.filter(due)) out.push({ groupKey: key, events: [t] });
      g.triggers = g.triggers.filter((t) => !due(t));
      const horizon = watermark - this.c.within;
      while (g.expects.length > 0 && g.expects[0]!.event.ts < horizon) g.expects.shift();
      if (g.triggers.length === 0 && g.expects.length === 0) this.state.delete(key);
    }
    return out;
  }

  groups(): number {
    return this.state.size;
  }

  takeEvicted(): number {
    return this.state.takeEvicted();
  }
}
