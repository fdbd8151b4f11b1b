/**
 * The `indirect_injection` detector: instructions planted in content the model reads rather
 * than in what the user typed (retrieved documents, tool results, tool-role messages).
 */
import { textFields, type TextField } from '../fields.js';
import { NO_FINDINGS, resultOf, type Detector, type DetectorContext, type DetectorResult, type Finding } from '../types.js';
import type { TelemetryEvent } from '../../events/schema.js';
import { scoreIndirect } from './score.js';

export { addressedSignals } from './addressed.js';
export { forgedToolCallSignals } from './forged.js';
export { hiddenRegions, type HiddenKind, type HiddenRegion } from './hidden.js';
export { exfilLinkSignals, instructionSignals } from './instructions.js';
export { scoreIndirect, type IndirectOptions } from './score.js';
export type { IndirectSignal } from './signal.js';
export { findTargets, hostAllowed, type Target, type TargetKind } from './targets.js';

/** The fields this detector reads: retrieved documents and tool output, in any event kind. */
export function untrustedContentFields(event: TelemetryEvent): TextField[] {
  return textFields(event).filter((f) => f.source === 'document' || f.source === 'tool');
}

export const indirectInjectionDetector: Detector = {
  name: 'indirect_injection',
  description:
    'Instructions planted in retrieved documents and tool results: text addressed to the model, data-moving imperatives with a target, hidden text, forged tool calls.',
  run(event: TelemetryEvent, ctx: DetectorContext): DetectorResult {
    const allowedHosts = ctx.config.allowed_hosts ?? [];
    const findings: Finding[] = [];
    for (const field of untrustedContentFields(event)) {
      if (field.text.length === 0) continue;
      for (const f of scoreIndirect(field.text, { allowedHosts }).findings) findings.push({ detector: 'indirect_injection', field: field.path, ...f });
    }
    return findings.length === 0 ? NO_FINDINGS : resultOf(findings);
  },
};
