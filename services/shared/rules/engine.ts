/**
 * The rule engine: one instance per partition (its window state is that partition's), the
 * same code in detector workers, backtests and `runwatch rules test`. Feed events in offset
 * order with `process`; call `tick` with the wall clock so absences and expiries are decided
 * while a partition is idle.
 *
 * Event time: the watermark of a rule is the newest event time seen minus the rule's
 * lateness. Correlation ignores events older than that (counted as late); single-event rules
 * see every event.
 */
import type { DetectorConfig, DetectorResult } from '../detectors/types.js';
import type { TelemetryEvent } from '../events/schema.js';
import type { Detection } from '../records.js';
import type { CompiledPack, CompiledRule, EvalContext } from './compile.js';
import { createCorrelator, type Correlator, type Seen } from './correlate.js';
import { buildDetection, type MatchedEvent } from './detection.js';
import { asText } from './fields.js';

export interface DetectorRunner {
  run(name: string, event: TelemetryEvent, config: DetectorConfig, sessionSystemPrompt: string | null): DetectorResult;
}

export interface EngineStats {
  /** Events too late for a correlation rule, by rule id. */
  late: Map<string, number>;
  /** Detections suppressed by a rule's dedup window, by rule id. */
  suppressed: Map<string, number>;
  /** Correlation groups evicted by the state limit, by rule id. */
  evicted: Map<string, number>;
}

export interface EngineOptions {
  detectors: DetectorRunner;
  /** Wall clock for `detected_at`; tests pin it. */
  now?: () => number;
  /** A partition idle this long lets event time advance with the wall clock. */
  idleMs?: number;
}

interface RuleState {
  rule: CompiledRule;
  correlator: Correlator | null;
  dedup: Map<string, { until: number; suppressed: number }>;
}

const SWEEP_EVERY_MS = 1000;

/** Most sessions whose system prompt is remembered for leakage checks (least recent dropped first). */
const MAX_SESSIONS = 50_000;

export class RuleEngine {
  private states: RuleState[];
  private pack: CompiledPack;
  private seq = 0;
  private maxTs = -Infinity;
  /** Event time of the last expiry sweep: sweeps cost O(groups), so at most one per second of event time. */
  private lastSweepTs = -Infinity;
  private lastEventWall = 0;
  private readonly systemPrompts = new Map<string, string>();
  readonly stats: EngineStats = { late: new Map(), suppressed: new Map(), evicted: new Map() };
  private readonly now: () => number;
  private readonly idleMs: number;

  constructor(
    pack: CompiledPack,
    private readonly options: EngineOptions,
  ) {
    this.pack = pack;
    this.now = options.now ?? Date.now;
    this.idleMs = options.idleMs ?? 5000;
    this.states = this.freshStates(pack, new Map());
  }

  /**
   * Swaps in a new rule pack. Rules whose definition did not change keep their window and
   * dedup state; new or changed rules start empty.
   */
  reload(pack: CompiledPack): void {
    const previous = new Map(this.states.map((s) => [`${s.rule.doc.id}@${s.rule.fingerprint}`, s]));
    this.pack = pack;
    this.states = this.freshStates(pack, previous);
  }

  /**
   * Evaluates one event. With `replay`, state is updated but nothing is returned: the event
   * was processed before (state rebuild after a rebalance), its detections already went out.
   */
  process(event: TelemetryEvent, options: { replay?: boolean } = {}): Detection[] {
    const ctx = this.context(event);
    this.rememberSystemPrompt(event);
    // Apps set `ts`; a wrong clock (or a forged year 2099) must not push every later event
    // behind the watermark, so event time advances no further than the collector's receipt.
    const clock = Math.min(event.ts, event.received_at);
    if (clock > this.maxTs) this.maxTs = clock;
    this.lastEventWall = this.now();
    const seen: Seen = { event, ctx, seq: this.seq++ };
    const out: Detection[] = [];
    for (const state of this.states) {
      const { rule } = state;
      if (!rule.doc.enabled) continue;
      if (rule.match) {
        if (rule.match(ctx) && !rule.excepted(ctx)) {
          // The group of a single-event match is its event, named like every group with its
          // tenant first: event ids are the client's to choose, and the same id sent by two
          // tenants must make two detections (ids, dedup, playbook runs), never one.
          const d = this.emit(state, `${event.tenant}\u0001${event.event_id}`, [seen]);
          if (d) out.push(d);
        }
        continue;
      }
      const correlator = state.correlator!;
      const lateness = rule.correlate!.lateness;
      if (event.ts < this.maxTs - lateness) {
        count(this.stats.late, rule.doc.id);
        continue;
      }
      if (rule.excepted(ctx)) continue;
      for (const m of correlator.onEvent(seen)) {
        const d = this.emit(state, m.groupKey, m.events);
        if (d) out.push(d);
      }
      count(this.stats.evicted, rule.doc.id, correlator.takeEvicted());
    }
    const decided = this.maxTs - this.lastSweepTs >= SWEEP_EVERY_MS ? this.advance() : [];
    return options.replay ? [] : [...out, ...decided];
  }

  /**
   * Lets event time move on with the wall clock while no event arrives, so an absence
   * ("A not followed by B within 10m") is decided even if the agent goes quiet.
   */
  tick(wallNow: number = this.now()): Detection[] {
    if (this.maxTs === -Infinity || wallNow - this.lastEventWall < this.idleMs) return [];
    this.maxTs += wallNow - this.lastEventWall;
    this.lastEventWall = wallNow;
    return this.advance();
  }

  /** Closes every window (end of a test or a backtest): pending absences are decided. */
  flush(): Detection[] {
    this.maxTs = Infinity;
    return this.advance();
  }

  /** Correlation groups held, per rule id: what the state limits bound. */
  groups(): Map<string, number> {
    return new Map(this.states.filter((s) => s.correlator).map((s) => [s.rule.doc.id, s.correlator!.groups()]));
  }

  private advance(): Detection[] {
    this.lastSweepTs = this.maxTs;
    const out: Detection[] = [];
    for (const state of this.states) {
      if (!state.correlator || !state.rule.doc.enabled) continue;
      const watermark = this.maxTs - state.rule.correlate!.lateness;
      for (const m of state.correlator.onWatermark(watermark)) {
        const d = this.emit(state, m.groupKey, m.events);
        if (d) out.push(d);
      }
      for (const [key, entry] of state.dedup) if (entry.until < watermark && entry.suppressed === 0) state.dedup.delete(key);
    }
    return out;
  }

  private emit(state: RuleState, groupKey: string, events: MatchedEvent[]): Detection | null {
    const { rule } = state;
    const last = events[events.length - 1]!.event;
    let suppressed = 0;
    if (rule.dedup) {
      const key = [last.tenant, ...rule.dedup.key.map((get) => asText(get(last)[0] ?? ''))].join('\u0001');
      const entry = state.dedup.get(key);
      if (entry && last.ts <= entry.until) {
        entry.suppressed++;
        count(this.stats.suppressed, rule.doc.id);
        return null;
      }
      suppressed = entry?.suppressed ?? 0;
      state.dedup.set(key, { until: last.ts + rule.dedup.window, suppressed: 0 });
    }
    return buildDetection(rule, groupKey, events, this.now(), suppressed);
  }

  private context(event: TelemetryEvent): EvalContext {
    const results = new Map<string, DetectorResult>();
    const config = this.pack.detectorConfig;
    const systemPrompt = event.session_id ? (this.systemPrompts.get(`${event.tenant}\u0001${event.session_id}`) ?? null) : null;
    return {
      event,
      detect: (name) => {
        let r = results.get(name);
        if (!r) {
          r = this.options.detectors.run(name, event, config, systemPrompt);
          results.set(name, r);
        }
        return r;
      },
    };
  }

  private rememberSystemPrompt(event: TelemetryEvent): void {
    if (!event.session_id || !event.prompt) return;
    const system = event.prompt.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n');
    if (!system) return;
    const key = `${event.tenant}\u0001${event.session_id}`;
    this.systemPrompts.delete(key);
    this.systemPrompts.set(key, system);
    if (this.systemPrompts.size > MAX_SESSIONS) this.systemPrompts.delete(this.systemPrompts.keys().next().value!);
  }

  private freshStates(pack: CompiledPack, previous: Map<string, RuleState>): RuleState[] {
    return pack.rules.map((rule) => {
      const kept = previous.get(`${rule.doc.id}@${rule.fingerprint}`);
      if (kept) return { ...kept, rule };
      return { rule, correlator: rule.correlate ? createCorrelator(rule.correlate, rule.doc.max_groups) : null, dedup: new Map() };
    });
  }
}

function count(map: Map<string, number>, key: string, n = 1): void {
  if (n > 0) map.set(key, (map.get(key) ?? 0) + n);
}
