/**
 * The English word classes the token grammars read (override.ts, rule-free adjectives), with
 * one-typo tolerance for content words: `ignroe`, `instructoins`, `unfiltred` all land in their
 * class. Looked up once per distinct word (word-index.ts).
 */
import { FuzzyVocabulary, type Tokens } from '../text/index.js';

export type Category =
  | 'verb' // drops instructions by itself: ignore, disregard, forget
  | 'verbWeak' // only with a clear object: skip, drop, remove
  | 'verbNegated' // only after a negation: (do not) follow, (stop) obeying, (pay no) attention
  | 'position' // qualifiers that point back: previous, above, earlier, so far
  | 'qualifier' // other qualifiers: all, any, your, system
  | 'safetyQualifier' // qualifiers that make the object a safety rule: ethical, moral, legal, content
  | 'object' // instructions the model was given: instructions, rules, prompt, programming
  | 'safetyObject' // safety rules: restrictions, filters, guardrails, ethics
  | 'objectWeak' // vague objects: everything, what, the conversation
  | 'ruleFree' // adjectives of a model with its rules removed: unfiltered, uncensored
  | 'filler' // allowed in a window without meaning anything
  | 'negation'
  | 'stop'; // ends a window: but, instead, because

const WORDS: Record<Category, string> = {
  verb:
    'ignore ignoring ignored ignores disregard disregards disregarding disregarded forget forgets forgetting override overrides overriding overwrite ' +
    'bypass bypasses bypassing circumvent circumventing neglect nullify void revoke supersede abandon dismiss dismisses discard erase unlearn scrap ' +
    'ditch disobey disobeys defy defies violate violates',
  verbWeak: 'skip drop omit remove removed disable disabled suspend lift break breaks evade escape avoid clear reset delete cancel overlook bend loosen relax deactivate',
  verbNegated: 'follow follows following obey obeys obeying adhere adheres adhering comply complying respect heed listen honor honour abide attention',
  position:
    "previous previously prior above earlier preceding foregoing initial original former before aforementioned far pre what's told taught " +
    'instructed programmed',
  qualifier:
    "all any every your existing default system developer developers openai openai's openal openal's chatgpt's gpt's programmed predefined preset " +
    'imposed built-in builtin inbuilt core standard current security usual normal typical template',
  safetyQualifier: 'safety ethical moral legal content censorship',
  object:
    'instructions instruction rules rule guidelines guideline directions directives directive prompts prompt constraints constraint policies ' +
    'policy programming commands orders protocols training conditioning context settings configuration guidance tasks task assignment ' +
    'parameters regulations',
  safetyObject:
    'restrictions restriction guardrails safeguards filters filter limitations limits boundaries ethics morals morality principles concerns ' +
    'considerations values norms laws legality censorship scruples decency conscience inhibitions',
  objectWeak: 'everything anything whatever what that conversation messages message text input said told',
  ruleFree: 'unfiltered uncensored unrestricted unrestrained uninhibited unmoderated unbound unbounded unchained limitless lawless jailbroken boundless',
  filler:
    'the a an of to these those this other such given provided set which who you i me my we us our it its were was have has had been be are is ' +
    'so just now in on at for from by about with ever also please kindly completely entirely totally simply literally immediately fully ' +
    'absolutely really here there got received gave wrote mentioned written typed sent stated described listed shown contained included yet ' +
    "up until point you've you're i've we've whole entire talked discussed covered learned learnt asked wrote thus",
  negation: "not don't dont never no longer stop quit cease doesn't won't shouldn't mustn't can't cannot without",
  stop: 'and but or then instead because while when if unless except however rather nor',
};

/** Real words one edit from a vocabulary word: not typos of it. */
const NOT_TYPOS = new Set(
  ('police polite content contest contents roles rulers ruler ruled mules forge forged forger forgot murals morale imitations trailing ' +
    'raining straining principals proceeding proceedings prion abode discord cancer resent fillers fitters borders ordered tasty prompted ' +
    'limit direct texts contexts orders rule unbind unbond values valued lows laws flaws claws paws jaws').split(' '),
);

// Later categories win for words listed twice (`said`: objectWeak over filler).
const ORDER: Category[] = ['filler', 'stop', 'negation', 'qualifier', 'safetyQualifier', 'position', 'objectWeak', 'object', 'safetyObject', 'ruleFree', 'verbNegated', 'verbWeak', 'verb'];
const entries: [string, Category][] = [];
for (const cat of ORDER) for (const w of WORDS[cat].split(/\s+/)) if (w) entries.push([w, cat]);
const vocabulary = new FuzzyVocabulary<Category>(entries, 5, NOT_TYPOS);
/** Fuzzy matching is for content words; fillers, negations and stops must be exact. */
const FUZZY_OK: ReadonlySet<Category> = new Set(['verb', 'verbWeak', 'verbNegated', 'position', 'qualifier', 'safetyQualifier', 'object', 'safetyObject', 'objectWeak', 'ruleFree']);

/** A token's class, and whether it got there through a typo. */
export interface Tagged {
  category: Category | undefined;
  fuzzy: boolean;
}

const UNKNOWN: Tagged = { category: undefined, fuzzy: false };
const exactTags = new Map<Category, Tagged>();
const fuzzyTags = new Map<Category, Tagged>();
for (const cat of ORDER) {
  exactTags.set(cat, { category: cat, fuzzy: false });
  fuzzyTags.set(cat, { category: cat, fuzzy: true });
}

export function tagWord(word: string): Tagged {
  const exact = vocabulary.getExact(word);
  if (exact !== undefined) return exactTags.get(exact)!;
  const near = vocabulary.get(word);
  return near !== undefined && FUZZY_OK.has(near) ? fuzzyTags.get(near)! : UNKNOWN;
}

/** True when a sentence end (`.`, `!`, `?`, `;` or a line break) separates token `j - 1` from token `j`. */
export function boundaryBefore(tokens: Tokens, text: string, j: number): boolean {
  if (j <= 0) return false;
  for (let p = tokens.ends[j - 1]!; p < tokens.starts[j]!; p++) {
    const c = text.charCodeAt(p);
    if (c === 46 || c === 33 || c === 63 || c === 10 || c === 59) return true;
  }
  return false;
}
