/**
 * `runwatch rules test`: the `kind: test` documents of a pack, each run on a fresh engine.
 * Events get times from their `at` offsets (and ids `test-<index>` unless they set one);
 * at the end every window closes, so absences are decided.
 */
import { parseEvent } from '../events/normalize.js';
import type { Detection } from '../records.js';
import type { CompiledPack } from './compile.js';
import { RuleEngine, type DetectorRunner } from './engine.js';

/** Test events start here unless they set `ts`: a fixed time, so ids and results never drift. */
export const TEST_EPOCH = Date.UTC(2025, 0, 1);

export interface RuleTestResult {
  id: string;
  file: string;
  line: number;
  passed: boolean;
  failures: string[];
  detections: Detection[];
}

export function runRuleTests(pack: CompiledPack, detectors: DetectorRunner): RuleTestResult[] {
  return pack.tests.map(({ doc, source }) => {
    const failures: string[] = [];
    const engine = new RuleEngine(pack, { detectors, now: () => TEST_EPOCH });
    const detections: Detection[] = [];
    const ids: string[] = [];
    doc.events.forEach(({ at, event }, i) => {
      const raw = { event_id: `test-${i}`, ts: TEST_EPOCH + at, ...event };
      const parsed = parseEvent(raw, { receivedAt: TEST_EPOCH + at, tenant: null });
      if (!parsed.ok) {
        failures.push(`events[${i}] is not a valid event: ${parsed.error}`);
        ids.push('');
        return;
      }
      ids.push(parsed.event.event_id);
      detections.push(...engine.process(parsed.event));
    });
    detections.push(...engine.flush());

    const checked = new Set(doc.rules ?? (doc.expect.length > 0 ? doc.expect.map((e) => e.rule) : pack.rules.map((r) => r.doc.id)));
    const relevant = detections.filter((d) => checked.has(d.rule_id));
    for (const e of doc.expect) {
      const got = relevant.filter((d) => d.rule_id === e.rule);
      if (got.length !== e.count) failures.push(`expected ${e.count} detection(s) of ${e.rule}, got ${got.length}`);
      for (const d of got) {
        if (e.severity && d.severity !== e.severity) failures.push(`${e.rule}: expected severity ${e.severity}, got ${d.severity}`);
        if (e.events) {
          const want = e.events.map((i) => ids[i] ?? `(no event ${i})`);
          if (JSON.stringify(d.event_ids) !== JSON.stringify(want)) failures.push(`${e.rule}: expected events [${e.events.join(', ')}], got ${d.event_ids.join(', ')}`);
        }
      }
    }
    for (const rule of checked) {
      if (doc.expect.some((e) => e.rule === rule)) continue;
      const got = relevant.filter((d) => d.rule_id === rule).length;
      if (got > 0) failures.push(`unexpected ${got} detection(s) of ${rule}`);
    }
    return { id: doc.id, file: source.file, line: source.line, passed: failures.length === 0, failures, detections };
  });
}
