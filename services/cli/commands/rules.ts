/**
 * `runwatch rules lint|test|schema`: detections as code. lint points at the file, line and
 * column of each mistake; test runs the `kind: test` documents beside the rules; schema
 * prints the JSON Schema editors use to complete rule files.
 */
import { z } from 'zod';
import { createDetectorRegistry } from '../../shared/detectors/registry.js';
import { formatProblem, hasErrors, loadPack, runRuleTests } from '../../shared/rules/index.js';
import { RuleFileDoc } from '../../shared/rules/schema.js';

export interface RulesCommandIo {
  out(line: string): void;
  err(line: string): void;
}

const stdio: RulesCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit code 0 when the pack has no error (warnings are printed, they do not fail). */
export function lintRules(dirs: string[], io: RulesCommandIo = stdio): number {
  const registry = createDetectorRegistry();
  const { pack, problems, files } = loadPack(dirs, registry);
  for (const p of problems) io.err(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  io.out(`${files.length} file(s), ${pack.rules.length} rule(s), ${pack.tests.length} test(s): ${errors} error(s), ${problems.length - errors} warning(s)`);
  return errors > 0 ? 1 : 0;
}

export function testRules(dirs: string[], io: RulesCommandIo = stdio): number {
  const registry = createDetectorRegistry();
  const { pack, problems } = loadPack(dirs, registry);
  if (hasErrors(problems)) {
    for (const p of problems) io.err(formatProblem(p));
    io.err('rule pack has errors: fix them (runwatch rules lint) before testing');
    return 1;
  }
  const results = runRuleTests(pack, registry);
  for (const r of results) {
    io.out(`${r.passed ? 'ok  ' : 'FAIL'} ${r.id} (${r.file}:${r.line})`);
    for (const f of r.failures) io.out(`       ${f}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  io.out(`${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

export function rulesJsonSchema(): unknown {
  return z.toJSONSchema(RuleFileDoc, { io: 'input', unrepresentable: 'any' });
}
