/**
 * Micro-benchmark of the prompt-attack detectors: µs per event for `injection`, `jailbreak`,
 * `prompt_extraction` and `indirect_injection`, on a short (200 characters), a 1 KB and a long
 * (20 KB) text. Each iteration's text differs by a counter, so the per-text memo (analyze.ts) never
 * answers from a previous iteration: the figures are cold analyses. `all_direct` runs the
 * three direct-input detectors on one event, the way the rule engine does (one analysis,
 * shared).
 *
 *   node --import tsx bench/detectors-injection.bench.ts     # prints the JSON figures
 */
import { pathToFileURL } from 'node:url';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { indirectInjectionDetector } from '../services/shared/detectors/indirect/index.js';
import { injectionDetector, jailbreakDetector, promptExtractionDetector } from '../services/shared/detectors/injection/index.js';
import type { Detector, DetectorContext } from '../services/shared/detectors/types.js';

const CTX: DetectorContext = { config: {} };

/** Ordinary prose with the words the grammars look at ("ignore", "rules", "act as"), but no attack. */
const PROSE =
  'The quarterly report shows revenue up 12% while support tickets dropped; please ignore the noise in the weekly data and act as a reviewer ' +
  'for the summary. The rules of the new policy apply from Monday, and you are now able to export the previous figures as CSV. ';

/** Mean µs per event, by length of the scanned text. */
export interface DetectorFigures {
  us_200_chars: number;
  us_1k_chars: number;
  us_20k_chars: number;
}

function figuresOf(run: (e: TelemetryEvent) => void, build: (t: string) => TelemetryEvent, minMs: number): DetectorFigures {
  return { us_200_chars: measure(run, build, 200, minMs), us_1k_chars: measure(run, build, 1000, minMs), us_20k_chars: measure(run, build, 20_000, minMs) };
}

function textOf(length: number, i: number): string {
  let t = `${i} `;
  while (t.length < length) t += PROSE;
  return t.slice(0, length);
}

function promptEvent(text: string): TelemetryEvent {
  return event({ kind: 'prompt', prompt: { messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: text }] } });
}

function retrievalEvent(text: string): TelemetryEvent {
  return event({ kind: 'retrieval', retrieval: { query: 'quarterly revenue', documents: [{ id: 'd1', source: null, uri: null, score: 0.8, content: text }] } });
}

function event(parts: Partial<TelemetryEvent>): TelemetryEvent {
  return {
    event_id: 'bench', ts: 0, received_at: 0, tenant: 'bench', app: null, env: null, agent_id: null, session_id: null, trace_id: null, span_id: null,
    parent_span_id: null, user_id: null, key_id: null, source_ip: null, kind: 'prompt', model: null, provider: null, prompt: null, output: null,
    retrieval: null, tool_call: null, attributes: {}, ...parts,
  };
}

/** Mean µs per call of `run` over fresh texts of `length`, after a warm-up. */
function measure(run: (e: TelemetryEvent) => void, build: (t: string) => TelemetryEvent, length: number, minMs: number): number {
  const warm = Math.max(20, Math.round(200_000 / length));
  for (let i = 0; i < warm; i++) run(build(textOf(length, -1 - i)));
  const events: TelemetryEvent[] = [];
  let n = 0;
  let spent = 0;
  while (spent < minMs) {
    const batch = Math.max(10, Math.round(400_000 / length));
    events.length = 0;
    for (let i = 0; i < batch; i++) events.push(build(textOf(length, n + i)));
    const t0 = performance.now();
    for (const e of events) run(e);
    spent += performance.now() - t0;
    n += batch;
  }
  return Math.round((spent * 1000 * 10) / n) / 10;
}

export function measureDetectors(minMs = Number(process.env.BENCH_MS ?? 1500)): Record<string, DetectorFigures> {
  const figures: Record<string, DetectorFigures> = {};
  const direct: Detector[] = [injectionDetector, jailbreakDetector, promptExtractionDetector];
  for (const d of direct) {
    const run = (e: TelemetryEvent): void => void d.run(e, CTX);
    figures[d.name] = figuresOf(run, promptEvent, minMs);
  }
  const all = (e: TelemetryEvent): void => {
    for (const d of direct) d.run(e, CTX);
  };
  figures.all_direct = figuresOf(all, promptEvent, minMs);
  const indirect = (e: TelemetryEvent): void => void indirectInjectionDetector.run(e, CTX);
  figures[indirectInjectionDetector.name] = figuresOf(indirect, retrievalEvent, minMs);
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), node: process.version, detectors_us_per_event: measureDetectors() }, null, 2)}\n`);
}
