/**
 * The playbook language's public surface: load and lint playbook files, plan the runs a
 * detection starts, and the pure pieces the responder builds on (step state machine,
 * templates, signing, safety decisions).
 *
 * @example
 * const { set, problems } = loadPlaybooks(playbookDirsOf(config.rules.dirs), { ruleDirs: config.rules.dirs });
 * for (const run of planDetection(set, detection, { dryRun: 'force' })) console.log(run.playbook_id, run.steps);
 */
import { loadRuleDir } from '../../shared/rules/load.js';
import { lintPlaybookSet } from './lint.js';
import { loadPlaybookDirs, type PlaybookLoad } from './load.js';

export { loadPlaybookDirs, loadPlaybookText, playbookDirsOf, type PlaybookLoad, type PlaybookSet } from './load.js';
export { lintPlaybookSet } from './lint.js';
export * from './plan.js';
export { runPlaybookTests, type PlaybookTestResult } from './testing.js';

/** Loads the playbook folders and lints them; `ruleDirs` are checked for `playbooks:` naming a playbook that does not exist. */
export function loadPlaybooks(dirs: readonly string[], options: { ruleDirs?: readonly string[] } = {}): PlaybookLoad {
  const load = loadPlaybookDirs(dirs);
  const rules = (options.ruleDirs ?? []).flatMap((d) => loadRuleDir(d).docs);
  load.problems.push(...lintPlaybookSet(load.set, rules));
  return load;
}
