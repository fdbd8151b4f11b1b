/**
 * The rule language's public surface: load and compile a pack, run it, test it.
 *
 * @example
 * const registry = createDetectorRegistry();
 * const { pack, problems } = loadPack('rules', registry);
 * const engine = new RuleEngine(pack, { detectors: registry });
 * const detections = engine.process(event);
 *
 * Hunts (`kind: hunt`) come out in `pack.hunts`; the engine ignores them, the evidence
 * service's HuntScheduler runs them (services/evidence/hunts).
 */
import type { DetectorNames } from './compile.js';
import { compilePack, type CompiledPack } from './compile.js';
import { loadRuleDir, loadRuleText, type Problem } from './load.js';

export { RuleEngine, type DetectorRunner, type EngineStats } from './engine.js';
export { runRuleTests, TEST_EPOCH, type RuleTestResult } from './testing.js';
export type { CompiledHunt, CompiledPack, CompiledRule } from './compile.js';
export type { Problem } from './load.js';
export { detectionId } from './detection.js';

export interface PackLoad {
  pack: CompiledPack;
  problems: Problem[];
  files: string[];
}

/** Loads and compiles every rule file of the folders, as one pack. Use it only when `problems` has no error. */
export function loadPack(dirs: readonly string[], detectors: DetectorNames): PackLoad {
  const loaded = dirs.map((d) => loadRuleDir(d));
  const merged = { docs: loaded.flatMap((l) => l.docs), problems: loaded.flatMap((l) => l.problems), files: loaded.flatMap((l) => l.files) };
  return { ...compilePack(merged, detectors), files: merged.files };
}

/** The same from YAML text (tests, editors). */
export function loadPackText(text: string, detectors: DetectorNames, file = 'rules.yaml'): PackLoad {
  const loaded = loadRuleText(text, file);
  return { ...compilePack(loaded, detectors), files: loaded.files };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** `file:line:col: error: message`, the format editors and CI annotate. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity}: ${p.message}`;
}
