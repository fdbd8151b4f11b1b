/**
 * Demands for data the model must not hand out: other users' records, credentials,
 * confidential or "sensitive" information, often with a threat attached. The request alone
 * is medium (people ask how to protect sensitive data every day: those have no "give me");
 * with an override or a threat it adds up.
 */
import type { Span } from '../text/index.js';
import { ruleMaker, type MatchContext, type PatternRule } from './signal.js';

const rule = ruleMaker('injection');

/** A threat aimed at the model itself ("I will report you", "your reputation") is manipulation, not just anger. */
function atTheModel(ctx: MatchContext, span: Span): number {
  return /\byou(?:r|rs|rself)?\b/i.test(ctx.original.slice(span.start, span.end)) ? 1.3 : 1;
}

const GIVE =
  '(?:give|provide|send|show|tell|share|reveal|disclose|leak|hand over|list|grant|expose|dump|export|email|forward|retrieve|fetch|output|print|display|divulge)(?:s|ing|ed)?';
/** Data that is secret by definition, and data that is secret when it is someone else's. */
const SECRET = '(?:confidential|sensitive|secret|classified|top[- ]secret|privileged|proprietary|restricted)';
const SENSITIVE = '(?:private|personal|internal|financial|medical|login|admin|administrator|root|database|security)';
/** A data noun that is not itself the first half of another noun ("information handling guidelines"). */
const DATA =
  '(?:information|info|data|details|records|files|documents|credentials|passwords?|keys?|histor(?:y|ies)|reports?|emails?|messages|numbers|secrets|codes?|accounts?|photos|conversations)(?!\\s+(?:handling|guidelines?|polic(?:y|ies)|training|procedures?|protection|security|management|practices|requirements|classification|standards?|rules|storage|retention|privacy|laws?))';
/** "me", "us with", "with me", "me access to". */
const TO_ME = '(?:(?:me|us)\\s+)?(?:with\\s+(?:me\\s+|us\\s+)?)?(?:(?:full\\s+|complete\\s+|immediate\\s+|unlimited\\s+|unrestricted\\s+|total\\s+|admin\\s+|root\\s+)?access\\s+to\\s+)?';
const SECRETS =
  '(?:passwords?|credentials|api keys?|secret keys?|private keys?|access tokens?|credit card (?:details|numbers?|information|info)|social security numbers?|ssns?|bank (?:details|account (?:numbers?|details)))';
const SECRET_WORDS = 'confidential sensitive secret classified top privileged proprietary restricted';
const SENSITIVE_WORDS = 'private personal internal financial medical login admin administrator root database security';
const SECRETS_WORDS = 'password passwords credentials api key keys private secret access tokens token credit card social ssn ssns bank';
const PEOPLE_WORDS = 'users user customers customer clients client patients patient employees employee members member students student people individuals holders';
const PEOPLE = '(?:users?|customers?|clients?|patients?|employees?|members?|students?|people|individuals|account holders)';

export const DATA_REQUEST_RULES: readonly PatternRule[] = [
  rule(
    'data_request',
    0.5,
    SECRET_WORDS,
    new RegExp(`\\b${GIVE}\\s+${TO_ME}(?:all\\s+(?:of\\s+)?|any\\s+|every\\s+)?(?:the\\s+|your\\s+|their\\s+|his\\s+|her\\s+|this\\s+)?(?:[\\w']+\\s+){0,2}?${SECRET}\\s+(?:[\\w']+\\s+){0,2}?${DATA}\\b`, 'g'),
  ),
  rule(
    'data_request',
    0.4,
    SENSITIVE_WORDS,
    new RegExp(`\\b${GIVE}\\s+${TO_ME}(?:all\\s+(?:of\\s+)?|any\\s+|every\\s+)?(?:the\\s+|your\\s+|their\\s+|his\\s+|her\\s+|this\\s+)?(?:[\\w']+\\s+){0,2}?${SENSITIVE}\\s+(?:[\\w']+\\s+){0,2}?${DATA}\\b`, 'g'),
  ),
  rule(
    'data_request',
    0.5,
    PEOPLE_WORDS,
    new RegExp(`\\b(?:all|every|other|your|each)\\s+(?:of\\s+)?(?:your\\s+|the\\s+|its\\s+)?${PEOPLE}(?:'s?)?\\s+(?:\\w+\\s+)?${DATA}\\b`, 'g'),
  ),
  rule('data_request', 0.5, PEOPLE_WORDS, new RegExp(`\\b${DATA}\\s+(?:of|for|from)\\s+(?:all|every|other|your)\\s+(?:\\w+\\s+)?${PEOPLE}\\b`, 'g')),
  rule('data_request', 0.5, SECRETS_WORDS, new RegExp(`\\b${GIVE}\\s+${TO_ME}(?:all\\s+(?:of\\s+)?|any\\s+|every\\s+)?(?:the\\s+|your\\s+|their\\s+|his\\s+|her\\s+)?(?:[\\w']+\\s+){0,2}?${SECRETS}\\b`, 'g')),
  rule(
    'data_request',
    0.5,
    PEOPLE_WORDS,
    new RegExp(`\\b${GIVE}\\s+${TO_ME}(?:all\\s+(?:of\\s+)?|any\\s+)?(?:the\\s+|your\\s+)?(?:${SECRET}\\s+|${SENSITIVE}\\s+)?${PEOPLE}(?:'s?)?\\s+(?:${SENSITIVE}\\s+)?(?:data|records|information|info|details|accounts|files|histor(?:y|ies))\\b`, 'g'),
  ),
  rule(
    'fraud_request',
    0.4,
    'account wallet',
    /\b(?:transfer|wire|send|move)\s+(?:[\w']+\s+){0,3}?(?:funds|money|payment|bitcoin|crypto|cash)\s+(?:[\w']+\s+){0,3}?(?:to|into)\s+(?:my|this|the following|our|an?)\s+(?:[\w']+\s+)?(?:account|wallet)\b/g,
  ),
  rule('data_request', 0.45, 'password passwords credentials key keys tokens token', /\b(?:passwords?|credentials|api keys?|secret keys?|access tokens?)\s+(?:for|to|of)\s+(?:all|every|the|any)\s+(?:\w+\s+)?(?:accounts?|users?|systems?|admin|database|servers?)\b/g),
  rule(
    'coercion',
    0.35,
    'or',
    /\bor\s+(?:else\s+)?(?:i(?:'ll| will| am going to)|we(?:'ll| will))\s+(?:\w+\s+){0,2}?(?:report|expose|sue|hack|leak|destroy|delete|shut|harm|hurt|ruin|tarnish|publish|release|spread|post|file|take legal)\b/g,
    atTheModel,
  ),
  rule(
    'coercion',
    0.35,
    'or otherwise',
    /\b(?:or|or else|otherwise)\b[^.\n]{0,60}\b(?:expose|report|ruin|ruined|shame|defame|leak|leaked|attack|hack|sue|destroy|tarnish|harm|punish|consequences|legal action|shut down|shuts down|implicated|exposed)\b/g,
    atTheModel,
  ),
  rule('coercion', 0.35, 'face suffer', /\bor\s+(?:face|suffer)\s+(?:the\s+)?(?:\w+\s+)?(?:consequences|legal action|repercussions|punishment|penalties)\b/g, atTheModel),
  rule(
    'coercion',
    0.35,
    'if',
    /\bif you (?:don't|do not|refuse|fail|won't)\b[^.\n]{0,80}\b(?:i(?:'ll| will))\s+(?:[\w']+\s+){0,4}?(?:report|expose|sue|hack|leak|destroy|delete|shut|harm|spread|publish|release|ruin|shame|defame|punish)\b/g,
    atTheModel,
  ),
];
