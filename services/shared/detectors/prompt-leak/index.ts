/**
 * `prompt_leak`: the model's output reproducing the session's system prompt (the worker
 * keeps the latest one per session). Scored by how much of the prompt is reproduced — as a
 * fraction and in words — so a long verbatim dump scores high and a short stock phrase the
 * output happens to share ("You are a helpful assistant") does not fire at all.
 *
 * @example
 *   promptLeakDetector.run(outputEvent, { config: {}, sessionSystemPrompt: prompt }).findings
 *   // [{ detector: 'prompt_leak', field: 'output.text', start: 31, end: 712, score: 0.95, label: 'system_prompt_leak' }]
 */
import { resultOf, type Detector, type Finding } from '../types.js';
import { shingleOverlap } from './shingles.js';

export { shingleOverlap, tokenize, type Overlap, type Token } from './shingles.js';

export const PROMPT_LEAK = 'prompt_leak';
export const PROMPT_LEAK_LABELS = ['system_prompt_leak'] as const;

/** Prompt and output are each compared up to this many UTF-16 units (50 K): enough for any real prompt. */
export const MAX_COMPARE_CHARS = 50 * 1024;
/** Shingle length in words: 8 shared words in a row is rarely chance. */
export const SHINGLE_WORDS = 8;
/** Fewer reproduced prompt words than this is a stock phrase, not a leak. */
export const MIN_LEAKED_WORDS = 12;

export interface LeakAssessment {
  score: number;
  /** Fraction of the prompt's words reproduced, 0..1. */
  fraction: number;
  reproducedWords: number;
  spans: Array<{ start: number; end: number }>;
}

/**
 * How much of `systemPrompt` `output` reproduces, and the score for it: 0.5 at the threshold,
 * rising to 0.95 when half the prompt or 100 of its words are out.
 */
export function assessLeak(systemPrompt: string, output: string): LeakAssessment {
  const overlap = shingleOverlap(systemPrompt.slice(0, MAX_COMPARE_CHARS), output.slice(0, MAX_COMPARE_CHARS), SHINGLE_WORDS);
  const fraction = overlap.promptWords === 0 ? 0 : overlap.reproducedWords / overlap.promptWords;
  if (overlap.reproducedWords < MIN_LEAKED_WORDS) return { score: 0, fraction, reproducedWords: overlap.reproducedWords, spans: [] };
  const extent = Math.max(Math.min(1, fraction / 0.5), Math.min(1, overlap.reproducedWords / 100));
  return { score: round(0.5 + 0.45 * extent), fraction, reproducedWords: overlap.reproducedWords, spans: overlap.spans };
}

export const promptLeakDetector: Detector = {
  name: PROMPT_LEAK,
  description: "Model output reproducing the session's system prompt (8-word shingle overlap, scored by the share and length reproduced).",
  run(event, ctx) {
    const prompt = ctx.sessionSystemPrompt;
    if (!event.output || !prompt) return resultOf([]);
    const leak = assessLeak(prompt, event.output.text);
    const findings: Finding[] = leak.spans.map((s) => ({
      detector: PROMPT_LEAK,
      field: 'output.text',
      start: s.start,
      end: s.end,
      score: leak.score,
      label: 'system_prompt_leak',
    }));
    return resultOf(findings);
  },
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
