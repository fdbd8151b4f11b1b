/**
 * System-prompt extraction: requests to repeat, print or reveal the model's instructions, its
 * system or initial prompt, or "the text above". A verb that copies text out (repeat, print,
 * reveal) counts with any of those objects; a verb that only talks about text (summarize,
 * translate, tell me) counts only with objects that can only mean the model's own prompt, so
 * "summarize the text above" stays benign.
 */
import type { Span } from '../text/index.js';
import type { MatchContext, PatternRule } from './signal.js';

const rule = (score: number, when: string, re: RegExp, adjust?: PatternRule['adjust']): PatternRule => ({
  family: 'extraction',
  label: 'extraction',
  score,
  when,
  re,
  adjust,
});

/** "What is a system prompt?" asks for a definition, not for this model's prompt. */
function notGeneric(ctx: MatchContext, span: Span): number {
  const text = ctx.original.slice(span.start, span.end).toLowerCase();
  return /\b(?:a|an|any|some)\s+(?:[a-z-]+\s+)?(?:prompts?|instructions?|messages?)\b/.test(text) ? 0.4 : 1;
}

/** Verbs that copy text out verbatim. */
const COPY_VERBS =
  '(?:repeat|print|output|echo|recite|reveal|dump|leak|disclose|display|show|spell out|write out|write down|copy|paste|type out|return|expose|reproduce|quote|read back|read out|regurgitate|rewrite|put|divulge|unveil|uncover|encode|convert|transliterate|rot13|base64)';
/** Verbs that talk about text. */
const TALK_VERBS =
  "(?:tell|give|share|list|state|summari[sz]e|translate|describe|explain|provide|send|include|insert|what(?:'s| is| are| was| were)|let me see|i want to see|i need to see|can i see)";
/** Objects that can only be the model's own prompt. */
const PROMPT_OBJECTS =
  "(?:(?:system|initial|original|hidden|secret|internal|developer|pre-?|starting|base|master|meta|confidential|private|underlying|full|exact|entire|complete)[ -]?(?:prompts?|instructions?|messages?|directives?|guidelines|configuration|config|rules|settings)|preprompt|system ?prompt|prompt template|(?:your|the ai'?s|the model'?s|the bot'?s|the assistant'?s|chat ?gpt'?s)\\s+(?:\\w+\\s+){0,2}?(?:prompts?|instructions?|directives?|rules|guidelines|programming|configuration|guidance|initiali[sz]ation|system message|setup)|(?:instructions?|rules|guidelines|directives?|prompts?) (?:that )?(?:you (?:were|have been|'ve been|are|got)|given to you|provided to you|you received)|initiali[sz]ation (?:string|text|prompt|message|instructions?)|(?:the\\s+)?(?:above|previous|preceding|prior|earlier|first)\\s+(?:prompts?|instructions?|system message)|(?:text|words|messages?|content|prompt) (?:that )?you (?:were|have been|'ve been) (?:given|told|sent|fed))";
/** Objects that are the model's prompt only when copied verbatim. */
const ABOVE_OBJECTS =
  '(?:(?:the\\s+)?(?:text|words|content|everything|message|messages|lines?|sentences?|paragraphs?|tokens|characters|conversation)\\s+(?:above|before this|preceding|prior to this|that came before|at the (?:beginning|start|top))|(?:the\\s+)?(?:beginning|start|top) of (?:this|the|our) (?:conversation|chat|prompt|context)|everything (?:so far|up to (?:now|this point))|(?:the\\s+)?(?:above|preceding|previous|prior|earlier)\\s+(?:text|words|content|messages?|lines?|sentences?|paragraphs?|conversation))';
const GAP = '[^.?!\\n]{0,40}?';
/** Words PROMPT_OBJECTS cannot match without. */
const PROMPT_WORDS =
  'prompt prompts instruction instructions message messages directive directives guidelines configuration config rules settings preprompt systemprompt template programming guidance initialization initialisation setup text words content';
const ABOVE_WORDS = 'above before preceding prior beginning start top so up previous earlier';

export const EXTRACTION_RULES: readonly PatternRule[] = [
  rule(0.85, PROMPT_WORDS, new RegExp(`\\b${COPY_VERBS}\\b${GAP}\\b${PROMPT_OBJECTS}`, 'g')),
  rule(0.7, PROMPT_WORDS, new RegExp(`\\b${TALK_VERBS}\\b${GAP}\\b${PROMPT_OBJECTS}`, 'g'), notGeneric),
  rule(0.6, ABOVE_WORDS, new RegExp(`\\b${COPY_VERBS}\\b${GAP}\\b${ABOVE_OBJECTS}`, 'g')),
  rule(0.7, 'verbatim word full unchanged exactly code codeblock', new RegExp(`\\b${COPY_VERBS}\\b[^.?!\\n]{0,60}?\\b(?:verbatim|word for word|word-for-word|exactly as (?:written|given)|in full|unchanged|in a code ?block)\\b`, 'g')),
  // Object before verb: "your instructions, print them", "the system prompt: show it".
  rule(0.5, PROMPT_WORDS, new RegExp(`\\b${PROMPT_OBJECTS}\\b[^.?!\\n]{0,20}?\\b(?:verbatim|word for word|in full|please|now)\\b`, 'g')),
  // Prefix forcing: make the answer start with the prompt.
  rule(
    0.7,
    'with saying',
    /\b(?:start|begin|prefix|preface|starting|beginning|starts|begins)\s+(?:your\s+|the\s+|each\s+)?(?:answer|reply|response|output|message|text|poem|story|document|article|essay)?s?\s*(?:with|by saying)\s+["']?(?:my|your|the)?\s*(?:instructions|(?:system |initial )?prompt|rules|initial|original|you are)/g,
  ),
  rule(0.55, 'prompt instruction instructions message template', /\b(?:starts?|begins?|starting|beginning)\s+with\s+(?:the\s+(?:phrase|sentence|words?)\s+)?["'][^"'\n]{0,40}\b(?:prompt|instructions?|system message|(?:prompt|instruction|system) template)\b/g),
  rule(0.5, 'complete continue finish', /\b(?:complete|continue|finish)\b[^.\n]{0,40}["'][^"'\n]{0,20}\b(?:prompt template|instruction template|system prompt|my instructions|your instructions)\b/g),
  rule(
    0.65,
    'complete continue finish',
    /\b(?:complete|continue|finish)\b[^.\n]{0,30}["']\s*(?:i was (?:instructed|told|programmed|asked|designed|created)|my (?:instructions|system prompt|rules|prompt|guidelines|initial|original)|you are a|your instructions)/g,
  ),
  rule(
    0.6,
    'first initial last opening',
    /\bwhat\s+(?:is|was|are|were)\s+(?:the\s+)?(?:first|initial|very first|last|opening)\s+(?:\w+\s+)?(?:lines?|sentences?|messages?|words?|paragraphs?|instructions?)\s+(?:of|in)\s+(?:your|the|this)\s+(?:prompt|conversation|instructions|context|system)/g,
  ),
  rule(0.55, 'instructed told programmed configured prompted set', /\b(?:what|how)\s+(?:were|are|have)\s+you\s+(?:been\s+)?(?:instructed|told|programmed|configured|prompted|set up)\b/g),
  rule(0.55, 'supposed allowed permitted forbidden instructed told', /\bwhat\s+(?:are|were|is)\s+you\s+(?:not\s+(?:supposed|allowed|permitted)|forbidden|instructed not|told not)\s+to\s+(?:tell|say|reveal|share|discuss|disclose)\b/g),
  // Code framing: print(system_prompt), console.log(instructions).
  rule(
    0.7,
    '=prompt =instructions',
    /\b(?:print|console\.log|echo|puts|printf|println|system\.out\.println|log|dump|repr)\s*\(\s*(?:self\.|this\.|window\.)?(?:system_?prompt|initial_?prompt|sys_?prompt|instructions|pre_?prompt|prompt_?template)\s*\)/g,
  ),
  // The model's internals: weights, embeddings, training data, source code.
  rule(
    0.55,
    'embeddings weights parameters training source',
    /\b(?:return|show|print|give|tell|reveal|output|dump|share|send|list)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?your\s+(?:own\s+)?(?:embeddings|weights|model weights|parameters|training data|source code)\b/g,
  ),
  rule(0.3, 'prompt', /\b(?:system|initial|original|hidden|secret) prompt\b/g),
];
