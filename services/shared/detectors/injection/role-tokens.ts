/**
 * Chat-template and role tokens in input: a user (or a tool result) that writes
 * `<|im_start|>system` or `[INST]` is forging the turn structure the model was trained on, to
 * make its own text read as a system or assistant turn. Inside code (a backticked span, a
 * fenced block, a quoted string in a programming question) the same tokens are usually a
 * question about tokenizers, and count for much less.
 */
import { quotedOrCode, ruleMaker, type MatchContext, type PatternRule } from './signal.js';
import type { Span } from '../text/index.js';

/** Words around a token that show it is being talked about ("remove the <|endoftext|> tokens"), not used. */
const MENTIONED = /\b(?:tokens?|tokenizer|tokenization|remove[sd]?|strip(?:s|ped)?|filter(?:s|ed)?|replace[sd]?|special|string|regex|sequence|delimiter|marker|escape[sd]?)\b/;

/** Weaker in code or when talked about, much weaker quoted. */
function codeAware(ctx: MatchContext, span: Span): number {
  if (quotedOrCode(ctx.original, span)) return 0.3;
  const around = ctx.original.slice(Math.max(0, span.start - 30), span.end + 30).toLowerCase();
  if (MENTIONED.test(around)) return 0.5;
  return ctx.codeLike ? 0.6 : 1;
}

const rule = ruleMaker('injection', codeAware);

export const ROLE_TOKEN_RULES: readonly PatternRule[] = [
  // Special tokens of ChatML, Llama 3, GPT-2 and others: never part of ordinary text.
  rule(
    'role_token',
    0.8,
    '=<|',
    /<\|(?:im_start|im_end|im_sep|endoftext|endofprompt|system|user|assistant|end|eot_id|eom_id|start_header_id|end_header_id|begin_of_text|end_of_text|fim_prefix|fim_suffix|fim_middle|tool|python_tag|channel|message|start|return|call)\|>/g,
  ),
  rule('role_token', 0.65, '=inst]', /\[\/?inst\]/g),
  rule('role_token', 0.75, '=sys>>', /<<\/?sys>>/g),
  rule('role_token', 0.7, '=_of_turn>', /<\/?(?:start_of_turn|end_of_turn)>/g),
  // An end-of-sequence followed by a new turn is a forged turn; a bare `</s>` is usually HTML or code.
  rule('role_token', 0.7, '=</s>', /<\/s>\s*(?:<s>|\[inst\]|<\||<<sys>>|(?:system|assistant|user|human)\s*:)/g),
  rule('role_token', 0.25, '=</s>', /<\/s>/g),
  rule('role_token', 0.5, '=#', /(?:^|\n)[ \t]*#{2,4}[ \t]*(?:system|system prompt|new system prompt)[ \t]*:?/g),
  rule('role_token', 0.3, '=#', /(?:^|\n)[ \t]*#{2,4}[ \t]*(?:instruction|assistant|human|user|response)[ \t]*:?/g),
  // Bing-style `[system](#instructions)` and XML role wrappers.
  rule('role_token', 0.7, '=[system] =[assistant]', /\[(?:system|assistant)\]\s*\(#/g),
  rule('role_token', 0.45, '=<', /<\/?(?:system|system_prompt|sys|admin|developer_message|system_message)>/g),
  rule('role_token', 0.5, '=[', /\[(?:system|sys|admin|developer)(?:\s+(?:note|message|prompt|instructions?|override))?\s*[:\]]/g),
  // A line that opens a forged system turn with an instruction.
  rule(
    'role_token',
    0.55,
    'system sys admin developer',
    /(?:^|\n)[ \t]*[[(]?(?:system|sys|admin|developer)[\])]?[ \t]*:[ \t]*(?:you (?:are|must|will|should)|ignore|new |override|from now|the (?:assistant|ai|model))/g,
  ),
];

const TURN_LINE = /(?:^|\n)[ \t]*(human|user|assistant|ai|system|chatgpt|gpt)[ \t]*:/g;

/** An assistant turn that opens by complying: the forged transcript primes the model to go on. */
const COMPLIANT_OPENING = /^\s*(?:sure|certainly|of course|absolutely|ok|okay|yes|here is|here's|no problem|i will|i'll)\b/;

/**
 * Turn forgery: lines that open `Human:` and `Assistant:` (or `System:`) turns in one input.
 * Two different roles at line starts are a transcript written to be read as the conversation;
 * pasted transcripts are common too (to classify, to summarize), so this is strong only when
 * the forged assistant turn opens by complying.
 */
export function forgedTurns(folded: string): (Span & { score: number }) | null {
  if (!folded.includes(':')) return null;
  const roles = new Set<string>();
  let first = -1;
  let lastEnd = -1;
  let lastRole = '';
  for (const m of folded.matchAll(TURN_LINE)) {
    const role = m[1] === 'human' || m[1] === 'user' ? 'user' : m[1] === 'system' ? 'system' : 'assistant';
    roles.add(role);
    lastRole = role;
    if (first < 0) first = m.index;
    lastEnd = m.index + m[0].length;
  }
  if (roles.size < 2) return null;
  return { start: first, end: lastEnd, score: lastRole === 'assistant' && COMPLIANT_OPENING.test(folded.slice(lastEnd)) ? 0.65 : 0.45 };
}
