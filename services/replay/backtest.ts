/**
 * A backtest: what would these rules have caught? Stored events of a time range stream in
 * event-time order through the same rule engine the detector workers run, one per partition
 * as theirs; the detections they produce are compared with the detections stored for the
 * same range and filters (new, missing, unchanged, by rule).
 *
 * Windows open before the range matter: a sequence whose first step happened just before
 * `since` completes inside it. So events from the pack's longest window before `since` are
 * fed first to build window state only, as a worker rebuilds its state after a rebalance.
 * At the end every window is closed (`flush`): absences still open at `until` are decided as
 * if nothing followed.
 *
 * Memory stays flat in the number of events (keyset-paged reads, bounded engine state) and
 * grows only with the number of detections.
 */
import { detectionsInOrder, eventsInOrder, type EventFilter } from '../evidence/read.js';
import { storableTs } from '../evidence/rows.js';
import type { CompiledPack, DetectorRunner } from '../shared/rules/index.js';
import type { Store } from '../shared/store/clickhouse.js';
import { DetectionDiff, type DiffResult } from './diff.js';
import { PartitionedEngines } from './engines.js';

export interface BacktestOptions {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  /** null: every tenant. */
  tenant: string | null;
  agent_id?: string;
  session_id?: string;
  pack: CompiledPack;
  detectors: DetectorRunner;
  /** Partitions of the telemetry topic: one engine each, as the workers have. */
  partitions: number;
  /** Told the number of events read so far (warm-up included), every so often. */
  onProgress?: (events: number) => void;
}

export interface BacktestReport extends DiffResult {
  since: number;
  until: number;
  filters: { tenant: string | null; agent_id: string | null; session_id: string | null };
  rules: number;
  partitions: number;
  /** Events evaluated inside the range. */
  events: number;
  /** Events before the range that only built window state. */
  warmup_events: number;
}

const PROGRESS_EVERY = 1000;

export async function backtest(store: Store, options: BacktestOptions): Promise<BacktestReport> {
  const { since, until, tenant, agent_id, session_id, pack } = options;
  const diff = new DetectionDiff();
  for await (const d of detectionsInOrder(store, { tenant, agent_id, session_id, since, until })) diff.addStored(d);

  const engines = new PartitionedEngines(pack, options.detectors, options.partitions);
  // Stored detections are those whose (stored) time falls in the range; produced ones likewise.
  const inRange = (ts: number) => storableTs(ts) >= since && storableTs(ts) < until;
  const filter: EventFilter = { tenant, agent_id, session_id, since: since - pack.maxWindowMs, until };
  let events = 0;
  let warmup = 0;
  for await (const event of eventsInOrder(store, filter)) {
    const before = storableTs(event.ts) < since;
    if (before) warmup++;
    else events++;
    for (const d of engines.process(event, before)) if (inRange(d.ts)) diff.addProduced(d);
    if ((events + warmup) % PROGRESS_EVERY === 0) options.onProgress?.(events + warmup);
  }
  for (const d of engines.flush()) if (inRange(d.ts)) diff.addProduced(d);
  options.onProgress?.(events + warmup);

  return {
    since,
    until,
    filters: { tenant, agent_id: agent_id ?? null, session_id: session_id ?? null },
    rules: pack.rules.filter((r) => r.doc.enabled).length,
    partitions: options.partitions,
    events,
    warmup_events: warmup,
    ...diff.result(),
  };
}
