/**
 * Inline rules: the single-event rules marked `inline: true`, evaluated by /v1/check with the
 * detector workers' own rule engine and pack, so an inline verdict and the detection a worker
 * raises for the same event never disagree.
 *
 * Each check runs on a fresh engine holding only the inline rules: a verdict is a pure
 * function of the event. A long-lived engine would carry dedup windows across checks, and the
 * second identical dangerous call would be allowed because its detection was "suppressed".
 * An engine is a few small maps, so a fresh one costs next to nothing.
 *
 * What a fresh engine does not have is session memory: the prompt-leak detector compares an
 * output with the session's system prompt, which a worker remembers and a check cannot. An
 * inline rule using it sees no system prompt (so it does not deny).
 */
import type { DetectorRegistry } from '../../shared/detectors/registry.js';
import type { TelemetryEvent } from '../../shared/events/schema.js';
import type { Logger } from '../../shared/log.js';
import { RuleEngine, type CompiledPack } from '../../shared/rules/index.js';
import { loadPackOrThrow, watchPack, type PackWatcher } from '../../shared/rules/pack-loader.js';
import type { DenyReason } from './state.js';

export interface InlineRulesOptions {
  /** Rule folders, as the workers load them (`config.rules.dirs`). */
  dirs: string[];
  detectors: DetectorRegistry;
  log: Logger;
  /** Follow rule file changes like the workers do (`config.rules.watch`). */
  watch: boolean;
}

export class InlineRules {
  private pack: CompiledPack;
  private watcher: PackWatcher | undefined;

  private constructor(
    pack: CompiledPack,
    private readonly detectors: DetectorRegistry,
  ) {
    this.pack = inlineOnly(pack);
  }

  /** Loads the pack; throws RulePackError (RW_ERR_RULE_PARSE) when it has errors, as a worker would. */
  static load({ dirs, detectors, log, watch }: InlineRulesOptions): InlineRules {
    const rules = new InlineRules(loadPackOrThrow(dirs, detectors), detectors);
    if (watch) rules.watcher = watchPack(dirs, detectors, log, (pack) => rules.use(pack), () => {});
    return rules;
  }

  /** From a pack already compiled (tests, embedders). */
  static fromPack(pack: CompiledPack, detectors: DetectorRegistry): InlineRules {
    return new InlineRules(pack, detectors);
  }

  /** Inline rules in force. */
  get size(): number {
    return this.pack.rules.length;
  }

  /** Swaps in a new pack (hot reload); keeps only its inline rules. */
  use(pack: CompiledPack): void {
    this.pack = inlineOnly(pack);
  }

  /** A reason per inline rule the event matches; none when it matches none. */
  reasonsFor(event: TelemetryEvent): DenyReason[] {
    if (this.pack.rules.length === 0) return [];
    const engine = new RuleEngine(this.pack, { detectors: this.detectors });
    return engine.process(event, { replay: false }).map((d) => ({
      type: 'inline_rule',
      subject: d.rule_id,
      reason: d.summary,
      detection_id: d.detection_id,
      until: null,
      rule_id: d.rule_id,
    }));
  }

  close(): void {
    this.watcher?.close();
  }
}

/**
 * The pack with only its enabled inline rules. The schema already refuses `inline` on a
 * correlation rule; `match` is checked again so a correlation rule can never reach a check.
 */
function inlineOnly(pack: CompiledPack): CompiledPack {
  return { ...pack, rules: pack.rules.filter((r) => r.doc.inline && r.doc.enabled && r.match !== null), hunts: [], tests: [], maxWindowMs: 0 };
}
