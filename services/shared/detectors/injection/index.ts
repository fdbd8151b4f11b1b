/**
 * Detectors of attacks in direct input: `injection` (instruction override and its
 * obfuscations), `jailbreak` (personas and rule-removal framing) and `prompt_extraction`
 * (requests for the system prompt). They read the user and tool messages of prompt events and
 * the query of retrieval events; documents and tool results are `indirect_injection`'s.
 */
import { textFields, type TextField } from '../fields.js';
import { NO_FINDINGS, resultOf, type Detector, type DetectorResult, type Finding } from '../types.js';
import type { TelemetryEvent } from '../../events/schema.js';
import { scoreInjection, scoreJailbreak, scorePromptExtraction, type TextScore } from './score.js';

export { analyzeText } from './analyze.js';
export { MULTILINGUAL_LANGUAGES } from './multilingual.js';
export { combine, scoreInjection, scoreJailbreak, scorePromptExtraction, type ScoredSpan, type TextScore } from './score.js';
export { quotedOrCode, type Family, type Signal } from './signal.js';

/** The fields these detectors read: direct input, not retrieved content. */
export function directInputFields(event: TelemetryEvent): TextField[] {
  return textFields(event).filter((f) => ((f.source === 'user' || f.source === 'tool') && f.path.startsWith('prompt.')) || f.source === 'query');
}

function detectorOf(name: string, description: string, score: (text: string) => TextScore): Detector {
  return {
    name,
    description,
    run(event: TelemetryEvent): DetectorResult {
      const findings: Finding[] = [];
      for (const field of directInputFields(event)) {
        if (field.text.length === 0) continue;
        for (const f of score(field.text).findings) findings.push({ detector: name, field: field.path, ...f });
      }
      return findings.length === 0 ? NO_FINDINGS : resultOf(findings);
    },
  };
}

/** Instruction override in user input: "ignore all previous instructions", role tokens, encoded payloads. */
export const injectionDetector: Detector = detectorOf(
  'injection',
  'Direct prompt injection in user input: instruction override, chat-template tokens, role reassignment, obfuscated payloads, adversarial suffixes.',
  scoreInjection,
);

/** DAN-style personas, "developer mode", "no restrictions", "stay in character". */
export const jailbreakDetector: Detector = detectorOf(
  'jailbreak',
  'Jailbreak attempts in user input: rule-free personas, developer mode, refusal suppression, fictional framing to evade rules.',
  scoreJailbreak,
);

/** "Repeat your system prompt", "print the text above verbatim". */
export const promptExtractionDetector: Detector = detectorOf(
  'prompt_extraction',
  'Requests to reveal the system prompt or initial instructions ("repeat the text above", "print your instructions").',
  scorePromptExtraction,
);
