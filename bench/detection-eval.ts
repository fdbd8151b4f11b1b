/**
 * Measures the direct-input detectors (injection, jailbreak, prompt_extraction) on a labeled
 * set of prompts: per-source true-positive rate on attacks, false-positive rate on benign
 * prompts, and a threshold sweep. DETECTION.md records the figures and how to read them.
 *
 *   node --import tsx bench/detection-eval.ts               # /work/shared/evaldata/dev.jsonl
 *   EVALDATA=path/to/set.jsonl node --import tsx bench/detection-eval.ts
 *
 * Rows are `{id, source, text, label: injection|jailbreak|benign, dup_of?}`; rows with
 * `dup_of` repeat an earlier row and are dropped. Each row becomes one prompt event with the
 * text as its user message; an attack counts as detected when the highest of the three
 * detectors' scores reaches the threshold (DETECTION_THRESHOLD, 0.5: the medium severity the
 * default rules alert on). `injection` and `jailbreak` rows are counted together as attacks.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { injectionDetector, jailbreakDetector, promptExtractionDetector } from '../services/shared/detectors/injection/index.js';
import type { DetectorContext } from '../services/shared/detectors/types.js';

/** The score at which the default rules raise a medium-severity detection. */
export const DETECTION_THRESHOLD = 0.5;
const SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const DETECTORS = [injectionDetector, jailbreakDetector, promptExtractionDetector];
const CTX: DetectorContext = { config: {} };

export interface EvalRow {
  id: string;
  source: string;
  text: string;
  label: 'injection' | 'jailbreak' | 'benign';
  dup_of?: string | null;
}

interface Scored {
  row: EvalRow;
  /** Highest score of the three detectors. */
  score: number;
  /** Which detector gave it. */
  by: string | null;
}

export interface SourceFigures {
  attacks: number;
  detected: number;
  tpr: number | null;
  benign: number;
  false_positives: number;
  fpr: number | null;
}

export function readRows(path: string): EvalRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as EvalRow)
    .filter((r) => !r.dup_of);
}

export function promptEvent(id: string, text: string): TelemetryEvent {
  return {
    event_id: id,
    ts: 0,
    received_at: 0,
    tenant: 'eval',
    app: null,
    env: null,
    agent_id: null,
    session_id: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    user_id: null,
    key_id: null,
    source_ip: null,
    kind: 'prompt',
    model: null,
    provider: null,
    prompt: { messages: [{ role: 'user', content: text }] },
    output: null,
    retrieval: null,
    tool_call: null,
    attributes: {},
  };
}

export function scoreRows(rows: EvalRow[]): Scored[] {
  return rows.map((row) => {
    const event = promptEvent(row.id, row.text);
    let score = 0;
    let by: string | null = null;
    for (const d of DETECTORS) {
      const r = d.run(event, CTX);
      if (r.score > score) {
        score = r.score;
        by = d.name;
      }
    }
    return { row, score, by };
  });
}

const rate = (num: number, den: number): number | null => (den === 0 ? null : Math.round((num / den) * 10000) / 10000);

export function figuresAt(scored: Scored[], threshold: number): { per_source: Record<string, SourceFigures>; overall: SourceFigures } {
  const per: Record<string, SourceFigures> = {};
  const overall: SourceFigures = { attacks: 0, detected: 0, tpr: null, benign: 0, false_positives: 0, fpr: null };
  for (const s of scored) {
    const f = (per[s.row.source] ??= { attacks: 0, detected: 0, tpr: null, benign: 0, false_positives: 0, fpr: null });
    const hit = s.score >= threshold;
    for (const t of [f, overall]) {
      if (s.row.label === 'benign') {
        t.benign++;
        if (hit) t.false_positives++;
      } else {
        t.attacks++;
        if (hit) t.detected++;
      }
    }
  }
  for (const t of [...Object.values(per), overall]) {
    t.tpr = rate(t.detected, t.attacks);
    t.fpr = rate(t.false_positives, t.benign);
  }
  return { per_source: per, overall };
}

export function evaluate(rows: EvalRow[], threshold = DETECTION_THRESHOLD): Record<string, unknown> {
  const started = performance.now();
  const scored = scoreRows(rows);
  const elapsed = performance.now() - started;
  const at = figuresAt(scored, threshold);
  const byDetector: Record<string, number> = {};
  for (const s of scored) if (s.row.label !== 'benign' && s.score >= threshold && s.by) byDetector[s.by] = (byDetector[s.by] ?? 0) + 1;
  return {
    rows: rows.length,
    threshold,
    overall: at.overall,
    per_source: at.per_source,
    attacks_detected_by: byDetector,
    sweep: SWEEP.map((t) => {
      const o = figuresAt(scored, t).overall;
      return { threshold: t, tpr: o.tpr, fpr: o.fpr };
    }),
    mean_us_per_row: Math.round((elapsed * 1000) / rows.length),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = process.env.EVALDATA ?? '/work/shared/evaldata/dev.jsonl';
  process.stdout.write(`${JSON.stringify(evaluate(readRows(path)), null, 2)}\n`);
}
