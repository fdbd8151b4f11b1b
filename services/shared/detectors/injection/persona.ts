/**
 * The shape of a persona jailbreak, apart from its vocabulary: the text talks to an AI model,
 * gives it a new name ("you are now Zed", "act as Zed", "an AI called Zed"), then lays down
 * how that persona behaves ("Zed will…", "Zed never…", "you must always…"). Benign persona
 * prompts share the shape, so this is a weak signal that only corroborates (score.ts caps
 * weak signals below the medium line).
 */
import type { MatchContext, Signal } from './signal.js';

/** A capitalized name right after an identity assignment, in the original text. */
const NAMING =
  /\b(?:[Yy]ou are(?: now)?|[Yy]ou're(?: now)?|[Aa]ct as|[Pp]retend to be|[Rr]oleplay as|[Bb]ecome|[Nn]amed|[Cc]alled|[Kk]nown as|[Ii]mmerse yourself (?:into|in) the role of)\s+(?:an?\s+|the\s+)?["“'[(]?([A-Z][\w.-]{1,30})/g;
const RULES = /\b(?:will|must|should|can|cannot|can't|never|always|doesn't|does not|won't|shall)\b/g;
/** Names that are not personas: the model's own, pronouns. */
const NOT_NAMES = new Set(['I', 'AI', 'A', 'An', 'The', 'ChatGPT', 'GPT', 'Chat', 'OpenAI', 'You', 'Assistant', 'Language']);

export function personaSetupSignals(ctx: MatchContext): Signal[] {
  if (!ctx.aiContext) return [];
  const text = ctx.original;
  for (const m of text.matchAll(NAMING)) {
    const name = m[1]!.replace(/[.-]+$/, '');
    if (NOT_NAMES.has(name) || name.length < 2) continue;
    const mentions = countOccurrences(text, name);
    const rules = text.match(RULES)?.length ?? 0;
    if (mentions >= 3 && rules >= 4) {
      return [{ family: 'jailbreak', label: 'persona_setup', score: 0.3, start: m.index, end: m.index + m[0].length }];
    }
  }
  return [];
}

function countOccurrences(text: string, word: string): number {
  let n = 0;
  for (let i = text.indexOf(word); i >= 0 && n < 3; i = text.indexOf(word, i + word.length)) n++;
  return n;
}
