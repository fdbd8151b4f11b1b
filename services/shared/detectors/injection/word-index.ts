/**
 * Everything the analyzers need to know about one word, computed once per distinct word and
 * memoized: its class in the English grammar (with typo tolerance), the multilingual stems it
 * starts, the rules it can trigger, and whether it names an AI model. Natural text repeats its
 * words, so a long text costs about one map lookup per token for all of it.
 */
import { isRotatedFunctionWord, type Tokens } from '../text/index.js';
import { tagWord, type Tagged } from './lexicon.js';
import { stemsStarting, type Stem } from './multilingual.js';
import { triggersOf, type PatternRule } from './signal.js';

interface WordInfo {
  tag: Tagged;
  stems: readonly Stem[];
  rules: readonly PatternRule[];
  ai: boolean;
  rotated: boolean;
}

/** What the analyzers read from a text's words. */
export interface TextIndex {
  tags: Tagged[];
  stemsAt: (readonly Stem[])[];
  /** Rules whose `when` words occur in the text. */
  triggered: Set<PatternRule>;
  /** The text names an AI model or talks to one ("ChatGPT", "as an AI", "language model"). */
  aiContext: boolean;
  /** Words that are English function words after rot13 ("gur", "naq"): worth a rot13 look from two on. */
  rotatedWords: number;
}

const AI_WORDS = new Set(['chatgpt', 'gpt', 'openai', 'anthropic', 'llm', 'llms', 'ai', 'claude', 'bard', 'gemini', 'llama', 'chatbot', 'bot', 'assistant', 'copilot']);
/** Distinct words remembered before the memo starts over (bounds memory on adversarial input). */
const MEMO_CAP = 100_000;
const NO_RULES: readonly PatternRule[] = [];

export class WordIndex {
  private readonly rulesByWord = new Map<string, PatternRule[]>();
  private readonly memo = new Map<string, WordInfo>();

  constructor(rules: readonly PatternRule[]) {
    for (const rule of rules) {
      for (const w of triggersOf(rule).words) {
        const list = this.rulesByWord.get(w);
        if (list) list.push(rule);
        else this.rulesByWord.set(w, [rule]);
      }
    }
  }

  index(tokens: Tokens): TextIndex {
    const tags = new Array<Tagged>(tokens.count);
    const stemsAt = new Array<readonly Stem[]>(tokens.count);
    const triggered = new Set<PatternRule>();
    let aiContext = false;
    let rotatedWords = 0;
    for (let i = 0; i < tokens.count; i++) {
      const word = tokens.word(i);
      const info = this.info(word);
      tags[i] = info.tag;
      stemsAt[i] = info.stems;
      for (const r of info.rules) triggered.add(r);
      if (info.rotated) rotatedWords++;
      if (info.ai || (word === 'language' && i + 1 < tokens.count && tokens.word(i + 1).startsWith('model'))) aiContext = true;
    }
    return { tags, stemsAt, triggered, aiContext, rotatedWords };
  }

  private info(word: string): WordInfo {
    let info = this.memo.get(word);
    if (info === undefined) {
      // "user's", "jailbreak's": the word before the apostrophe triggers rules and names models too.
      const apostrophe = word.indexOf("'");
      const stem = apostrophe > 0 ? word.slice(0, apostrophe) : word;
      const rules = this.rulesByWord.get(word) ?? NO_RULES;
      info = {
        tag: tagWord(word),
        stems: stemsStarting(word),
        rules: stem === word ? rules : [...rules, ...(this.rulesByWord.get(stem) ?? NO_RULES)],
        ai: AI_WORDS.has(stem) || /^gpt\d/.test(stem),
        rotated: isRotatedFunctionWord(word),
      };
      if (this.memo.size >= MEMO_CAP) this.memo.clear();
      this.memo.set(word, info);
    }
    return info;
  }
}
