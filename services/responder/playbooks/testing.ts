/**
 * `kind: playbook_test` documents: a detection in, the playbooks that run and each step's
 * planned status out. Runs are planned with dry-run off (unless the test asks for the
 * configured one), so a test shows what a live run does.
 */
import type { PlaybookSet } from './load.js';
import { planDetection, toDetection, type PlannedRun } from './plan.js';
import type { PlaybookTestDoc } from './schema.js';

export interface PlaybookTestResult {
  id: string;
  file: string;
  line: number;
  passed: boolean;
  failures: string[];
}

export function runPlaybookTests(set: PlaybookSet): PlaybookTestResult[] {
  return set.tests.map(({ doc, source }) => {
    const runs = planDetection(set, toDetection(doc.detection), {
      recent: doc.recent,
      outcomes: doc.outcomes,
      dryRun: doc.dry_run === 'off' ? 'ignore' : 'as_configured',
    });
    const failures = compare(doc, runs);
    return { id: doc.id, file: source.file, line: source.line, passed: failures.length === 0, failures };
  });
}

function compare(doc: PlaybookTestDoc, runs: PlannedRun[]): string[] {
  const failures: string[] = [];
  const expected = doc.expect.map((e) => e.playbook);
  const actual = runs.map((r) => r.playbook_id);
  if (expected.join(',') !== actual.join(',')) {
    failures.push(`playbooks: expected [${expected.join(', ')}], planned [${actual.join(', ')}]`);
  }
  for (const e of doc.expect) {
    const run = runs.find((r) => r.playbook_id === e.playbook);
    if (!run) continue;
    if (e.result && run.result !== e.result) failures.push(`${e.playbook}: expected ${e.result}, planned ${run.result}${run.reason ? ` (${run.reason})` : ''}`);
    for (const [stepId, status] of Object.entries(e.steps)) {
      const step = run.steps.find((s) => s.id === stepId);
      const got = step?.status ?? 'not reached';
      if (got !== status) failures.push(`${e.playbook}.${stepId}: expected ${status}, planned ${got}${step?.reason ? ` (${step.reason})` : ''}`);
    }
  }
  return failures;
}
