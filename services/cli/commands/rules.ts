/**
 * `runwatch rules lint|test|schema|hunt`: detections as code. lint points at the file, line and
 * column of each mistake; test runs the `kind: test` documents beside the rules; schema
 * prints the JSON Schema editors use to complete rule files; hunt runs one scheduled hunt now.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { runHunt } from '../../evidence/hunts/runner.js';
import { loadConfig } from '../../shared/config/load.js';
import type { Config } from '../../shared/config/schema.js';
import { createDetectorRegistry } from '../../shared/detectors/registry.js';
import { formatProblem, hasErrors, loadPack, runRuleTests } from '../../shared/rules/index.js';
import { RuleFileDoc } from '../../shared/rules/schema.js';
import type { Store } from '../../shared/store/clickhouse.js';
import { parseTimePoint, TIME_POINT_HELP } from '../../shared/time.js';
import { stdio, type CommandIo } from '../io.js';

/** Exit code 0 when the pack has no error (warnings are printed, they do not fail). */
export function lintRules(dirs: string[], io: CommandIo = stdio): number {
  const registry = createDetectorRegistry();
  const { pack, problems, files } = loadPack(dirs, registry);
  for (const p of problems) io.err(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  io.out(`${files.length} file(s), ${pack.rules.length} rule(s), ${pack.tests.length} test(s): ${errors} error(s), ${problems.length - errors} warning(s)`);
  return errors > 0 ? 1 : 0;
}

export function testRules(dirs: string[], io: CommandIo = stdio): number {
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

export interface HuntRangeOptions {
  /** Default: `until` minus the hunt's lookback. */
  since?: string;
  /** Default: now. */
  until?: string;
}

/**
 * `runwatch rules hunt <id>`: runs a hunt once over the evidence store and prints its
 * detections as NDJSON, without publishing them (the scheduler does that on its schedule).
 */
export async function huntOnce(config: Config, id: string, options: HuntRangeOptions, io: CommandIo = stdio): Promise<number> {
  const { pack, problems } = loadPack(config.rules.dirs, createDetectorRegistry());
  if (hasErrors(problems)) {
    for (const p of problems) io.err(formatProblem(p));
    return 1;
  }
  const hunt = pack.hunts.find((h) => h.doc.id === id);
  if (!hunt) {
    io.err(`no hunt '${id}' in ${config.rules.dirs.join(', ')} (hunts: ${pack.hunts.map((h) => h.doc.id).join(', ') || 'none'})`);
    return 1;
  }
  const now = Date.now();
  const until = options.until === undefined ? now : parseTimePoint(options.until, now);
  const since = options.since !== undefined ? parseTimePoint(options.since, now) : until === null ? null : until - hunt.doc.lookback;
  if (until === null || since === null || since >= until) {
    io.err(`--since and --until: ${TIME_POINT_HELP}, since before until`);
    return 1;
  }
  // Loaded here, not at the top: lint and test never need the store (chDB is a native module).
  const { openStore } = await import('../../shared/store/clickhouse.js');
  let store: Store;
  try {
    store = await openStore(config);
  } catch (err) {
    // chDB locks its folder: while `runwatch up` runs on it, no other process can open it.
    const hint = config.clickhouse.url ? '' : ' (an embedded store belongs to one process: stop runwatch up first)';
    io.err(`cannot open the evidence store: ${withCause(err)}${hint}`);
    return 1;
  }
  try {
    const { detections, dropped } = await runHunt(store, hunt, { since, until });
    for (const d of detections) io.out(JSON.stringify(d));
    io.err(`${hunt.doc.id}: ${detections.length} detection(s) from ${new Date(since).toISOString()} to ${new Date(until).toISOString()}`);
    if (dropped) io.err(`${hunt.doc.id}: more than max_rows (${hunt.doc.max_rows}) rows; the rest were not turned into detections`);
    return 0;
  } catch (err) {
    io.err((err as Error).message);
    return 1;
  } finally {
    await store.close();
  }
}

function withCause(err: unknown): string {
  const e = err as Error;
  return e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message;
}

/** `runwatch rules hunt <id> [--since <time>] [--until <time>]`, under the `rules` command. */
export function registerHuntCommand(rules: Command): void {
  rules
    .command('hunt <id>')
    .description('run a scheduled hunt once now over the evidence store; prints its detections (NDJSON), publishes nothing')
    .option('--since <time>', `start of the range (default: until minus the hunt's lookback): ${TIME_POINT_HELP}`)
    .option('--until <time>', `end of the range (default: now): ${TIME_POINT_HELP}`)
    .action(async (id: string, opts: HuntRangeOptions, cmd: Command) => {
      const { config: file } = cmd.optsWithGlobals<{ config?: string }>();
      process.exitCode = await huntOnce(loadConfig(file === undefined ? {} : { file }), id, opts);
    });
}
