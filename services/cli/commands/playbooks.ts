/**
 * `runwatch playbooks lint|test|plan`: response playbooks as code. lint points at the file,
 * line and column of each mistake; test runs the `kind: playbook_test` documents; plan prints
 * which playbooks and steps a detection would start, touching nothing.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config/load.js';
import { formatProblem, hasErrors } from '../../shared/rules/index.js';
import { loadPlaybooks, planDetection, playbookDirsOf, runPlaybookTests, toDetection, type PlannedRun } from '../../responder/playbooks/index.js';
import { formatIssues } from '../../shared/validation.js';
import { ZodError } from 'zod';
import { stdio, type CommandIo } from '../io.js';

/** Playbook folders and the rule folders whose `playbooks:` are checked against them. */
export interface PlaybookDirs {
  dirs: string[];
  ruleDirs: string[];
}

/** Exit code 0 when there is no error (warnings are printed, they do not fail). */
export function lintPlaybooks({ dirs, ruleDirs }: PlaybookDirs, io: CommandIo = stdio): number {
  const { set, problems, files } = loadPlaybooks(dirs, { ruleDirs });
  for (const p of problems) io.err(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  io.out(`${files.length} file(s), ${set.playbooks.length} playbook(s), ${set.providers.length} provider(s), ${set.tests.length} test(s): ${errors} error(s), ${problems.length - errors} warning(s)`);
  return errors > 0 ? 1 : 0;
}

export function testPlaybooks({ dirs, ruleDirs }: PlaybookDirs, io: CommandIo = stdio): number {
  const { set, problems } = loadPlaybooks(dirs, { ruleDirs });
  if (hasErrors(problems)) {
    for (const p of problems) io.err(formatProblem(p));
    io.err('playbooks have errors: fix them (runwatch playbooks lint) before testing');
    return 1;
  }
  const results = runPlaybookTests(set);
  for (const r of results) {
    io.out(`${r.passed ? 'ok  ' : 'FAIL'} ${r.id} (${r.file}:${r.line})`);
    for (const f of r.failures) io.out(`       ${f}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  io.out(`${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** Prints the dry plan for the detection in `file` (JSON; fields left out get neutral defaults). */
export function planPlaybooks({ dirs, ruleDirs }: PlaybookDirs, file: string, options: { json?: boolean } = {}, io: CommandIo = stdio): number {
  const { set, problems } = loadPlaybooks(dirs, { ruleDirs });
  if (hasErrors(problems)) {
    for (const p of problems) io.err(formatProblem(p));
    return 1;
  }
  let detection;
  try {
    detection = toDetection(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    io.err(`${file}: ${err instanceof ZodError ? formatIssues(err) : (err as Error).message}`);
    return 1;
  }
  const runs = planDetection(set, detection, { dryRun: 'force' });
  if (options.json) io.out(JSON.stringify(runs, null, 2));
  else for (const line of renderPlan(runs)) io.out(line);
  return 0;
}

function renderPlan(runs: PlannedRun[]): string[] {
  if (runs.length === 0) return ['no playbook applies: the detection is recorded only'];
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(`playbook ${run.playbook_id}: ${run.result}${run.reason ? ` (${run.reason})` : ''}`);
    lines.push(`  because: ${run.reasons.join('; ')}`);
    run.steps.forEach((s, i) => {
      const why = s.reason ?? s.detail ?? '';
      lines.push(`  ${i + 1}. ${s.id} [${s.type}] ${s.status}${why ? `: ${why}` : ''}`);
    });
  }
  return lines;
}

/** The `runwatch playbooks` commands; folders default to the configured rule folders' `playbooks/`. */
export function registerPlaybooks(program: Command): void {
  const dirsOf = (dirs: string[], cmd: Command): PlaybookDirs => {
    if (dirs.length > 0) return { dirs, ruleDirs: [] };
    const { config: file } = cmd.optsWithGlobals<{ config?: string }>();
    const ruleDirs = loadConfig(file === undefined ? {} : { file }).rules.dirs;
    return { dirs: playbookDirsOf(ruleDirs), ruleDirs };
  };
  const playbooks = program.command('playbooks').description('response playbooks as code: lint, test, plan');
  playbooks
    .command('lint [dirs...]')
    .description('check playbook files; every mistake as file:line:col (default: playbooks/ of the configured rule folders)')
    .action((dirs: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = lintPlaybooks(dirsOf(dirs, cmd));
    });
  playbooks
    .command('test [dirs...]')
    .description('run the kind: playbook_test documents: a detection in, the planned steps out')
    .action((dirs: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = testPlaybooks(dirsOf(dirs, cmd));
    });
  playbooks
    .command('plan [dirs...]')
    .description('print the playbooks and steps a detection (JSON file) would start, dry: nothing is touched')
    .requiredOption('--detection <file>', 'a detection as JSON (rule_id and severity at least)')
    .option('--json', 'print the plan as JSON')
    .action((dirs: string[], opts: { detection: string; json?: boolean }, cmd: Command) => {
      process.exitCode = planPlaybooks(dirsOf(dirs, cmd), opts.detection, { json: opts.json ?? false });
    });
}
