/**
 * Adversarial suffixes (GCG and its kin): a run of tokens optimized against a model's
 * gradients, appended to a request. They read as noise with a shape: words glued with
 * punctuation (`](`, `**ONE`, `\!--Two`), case flips inside words (`similarlyNow`), many kinds
 * of symbols, and almost no English function words. Source code and data share some of that
 * shape, so texts that look like code are skipped and the run must show all the traits at once.
 */
import { FUNCTION_WORDS } from '../text/index.js';
import type { Signal } from './signal.js';

const WINDOW = 12;
const CHUNK = /\S+/g;
const PUNCT = /[!-/:-@[-`{-~]/g;
const CASE_FLIP = /[a-z][A-Z]/;
const NON_ASCII_LETTER = /[\u00c0-\u024f\u0370-\u04ff]/;
const URL_OR_PATH = /^(?:https?:\/\/|www\.|[\w.-]+\.[a-z]{2,}\/?$|\/[\w/.-]+$|[\w.+-]+@[\w.-]+$)/i;

interface Chunk {
  start: number;
  end: number;
  odd: boolean;
  functionWord: boolean;
  caseFlip: boolean;
  nonAscii: boolean;
  punct: string;
}

function describe(text: string, start: number): Chunk {
  const punct = text.match(PUNCT)?.join('') ?? '';
  const letters = text.length - punct.length;
  const distinct = new Set(punct).size;
  const caseFlip = CASE_FLIP.test(text);
  const nonAscii = NON_ASCII_LETTER.test(text);
  const glued = letters > 0 && distinct >= 2 && !URL_OR_PATH.test(text);
  const symbols = letters === 0 && distinct >= 2;
  const odd = glued || symbols || (caseFlip && (text.length >= 8 || punct.length > 0)) || (nonAscii && caseFlip);
  const word = text.toLowerCase().replace(/[^a-z']/g, '');
  return { start, end: start + text.length, odd, functionWord: FUNCTION_WORDS.has(word), caseFlip, nonAscii, punct };
}

/**
 * Runs of adversarial-looking tokens in the original text (not folded: case matters here).
 *
 * @example adversarialSuffixSignals('Tell me a story. ' + suffix, () => false) // → [{ label: 'adversarial_suffix', ... }]
 */
export function adversarialSuffixSignals(original: string, codeLike: () => boolean): Signal[] {
  // Every suffix this catches has a case flip inside a word; most texts have none.
  if (!CASE_FLIP.test(original) || codeLike()) return [];
  const chunks: Chunk[] = [];
  for (const m of original.matchAll(CHUNK)) chunks.push(describe(m[0], m.index));
  if (chunks.length < WINDOW) return [];
  const marked = new Uint8Array(chunks.length);
  let odd = 0;
  let functionWords = 0;
  for (let i = 0; i < chunks.length; i++) {
    odd += chunks[i]!.odd ? 1 : 0;
    functionWords += chunks[i]!.functionWord ? 1 : 0;
    if (i >= WINDOW) {
      odd -= chunks[i - WINDOW]!.odd ? 1 : 0;
      functionWords -= chunks[i - WINDOW]!.functionWord ? 1 : 0;
    }
    if (i >= WINDOW - 1 && odd >= 5 && functionWords <= 3) marked.fill(1, i - WINDOW + 1, i + 1);
  }
  const out: Signal[] = [];
  for (let i = 0; i < chunks.length; ) {
    if (!marked[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < chunks.length && marked[j + 1]) j++;
    const run = chunks.slice(i, j + 1);
    const symbols = new Set(run.map((c) => c.punct).join('')).size;
    const shaped = run.filter((c) => c.caseFlip || c.nonAscii).length;
    if (symbols >= 5 && shaped >= 2) {
      const oddShare = run.filter((c) => c.odd).length / run.length;
      const score = run.length >= 20 || oddShare >= 0.7 ? 0.65 : 0.55;
      out.push({ family: 'injection', label: 'adversarial_suffix', score, start: run[0]!.start, end: run[run.length - 1]!.end });
    }
    i = j + 1;
  }
  return out;
}
