/**
 * Role reassignment and authority claims aimed at the model's instructions: "new
 * instructions:", "your real task is", "system override", "I am your developer", and
 * instructions declared void ("previous rules no longer apply"). Plain role-play ("act as a
 * translator", "you are now logged in") is not here: it is a weak jailbreak signal
 * (jailbreak-rules.ts), because on its own it is overwhelmingly benign.
 */
import { ruleMaker, type PatternRule } from './signal.js';

const rule = ruleMaker('injection');

export const TAKEOVER_RULES: readonly PatternRule[] = [
  rule(
    'role_reassignment',
    0.55,
    'new updated real actual revised secret hidden additional overriding priority true',
    /\b(?:new|updated|real|actual|revised|secret|hidden|additional|overriding|priority|true)\s+(?:system\s+)?(?:instructions?|directives?|rules|orders|commands|(?:pre-?)?prompt|programming)\s*(?::|-|are\b|follow\b|says?\b)/g,
  ),
  rule(
    'role_reassignment',
    0.55,
    'your',
    /\byour\s+(?:new|real|true|actual|only|next|updated|primary)\s+(?:task|job|goal|purpose|objective|mission|role|instructions?|directive|prompt)\s+(?:(?:is|are|will be)\s*(?:now\s+)?(?:to\b|:)|now\s+(?:is|are)\b)/g,
  ),
  rule('role_reassignment', 0.65, 'override overide', /\b(?:system|admin|administrator|developer|dev|root|sudo|emergency|security|master|god)[ -]?(?:override|overide)\b/g),
  rule(
    'role_reassignment',
    0.45,
    'mode',
    /\b(?:you (?:are|'re) (?:now )?(?:in|entering)|(?:enter|entering|activate|enable|switch to|switching to)|(?:is|are) now (?:in|on))\s+(?:the\s+)?(?:sudo|god|admin|administrator|developer|debug|debugging|maintenance|root|diagnostic|service|test|unrestricted|superuser)\s+mode\b/g,
  ),
  rule(
    'role_reassignment',
    0.45,
    'developer creator admin administrator owner programmer sysadmin operator',
    /\bi\s*(?:am|'m)\s+(?:your|the)\s+(?:developer|creator|admin|administrator|owner|programmer|system administrator|sysadmin|operator)\b/g
  ),
  rule(
    'role_reassignment',
    0.5,
    'openai open anthropic google deepmind microsoft meta',
    /\b(?:i|we)\s*(?:am|'m|are|'re)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?(?:programmers?|developers?|engineers?|employees?|researchers?|staff|admins?|administrators?|team)\s+(?:at|for|from|of)\s+(?:openai|open ai|anthropic|google|deepmind|microsoft|meta)\b/g,
  ),
  rule('role_reassignment', 0.5, 'starting starts begin begins start follows', /\b(?:system|admin|developer)\s+(?:instructions?|message|prompt|note|override|command)\s*(?:starting|starts|begins?|start|follows)\b/g),
  rule('role_reassignment', 0.5, 'by', /\b(?:enabled|activated|authori[sz]ed|approved|unlocked|granted)\s+by\s+(?:an?\s+|the\s+|your\s+)?(?:openai|open ai|anthropic|developers?|admins?|administrators?|creators?|system)(?:\s+(?:employee|staff|team|engineer)s?)?\b/g),
  rule(
    'role_reassignment',
    0.45,
    'obey follow comply',
    /\byou\s+(?:must|will|shall|have to|need to|are required to)\s+(?:now\s+)?(?:obey|follow|comply with)\s+(?:all\s+|every\s+|each\s+)?(?:of\s+)?(?:my|me|mine)\b/g,
  ),
  rule('context_reset', 0.45, 'memory', /\b(?:your\s+)?memory\s+(?:is|has been|was|will be|gets)\s+(?:now\s+)?(?:erased|wiped|reset|cleared|deleted|formatted)\b/g),
  rule('context_reset', 0.45, 'end user conversation session context chat', /\b(?:end of (?:user )?(?:input|message|prompt|conversation|instructions)|user (?:message|input) terminat\w*|(?:conversation|session|context|chat) (?:terminated|has been reset|reset|cleared|ended))\b/g),
  // The model handed a product identity inside user input: weak alone, corroborates a demand.
  rule(
    'role_reassignment',
    0.2,
    'chatbot assistant bot ai model advisor agent',
    /\b(?:you are|you're|as)\s+(?:now\s+)?(?:[\w-]+,?\s+)?(?:an?|the)\s+(?:[\w-]+\s+){0,4}?(?:chatbot|assistant|bot|ai|model|language model|advisor|agent)\b/g,
  ),
  // Claims of precedence over the instructions the model already has.
  rule(
    'override',
    0.6,
    'priority precedence important before supersede supersedes overrides',
    /\b(?:(?:has|have|take|takes|with)\s+(?:a\s+)?(?:higher|highest|top|absolute|greater|more|first)\s+(?:priority|precedence)\s+(?:than|over)\s+(?:any|all|every|the|your)\s+(?:other\s+|previous\s+|prior\s+)?(?:rules|instructions|prompts?)|(?:more important|higher priority)\s+than\s+(?:any|all|every|the|your)\s+(?:other\s+)?(?:rules|instructions|prompts?)|before\s+any\s+other\s+(?:rules|instructions)|(?:supersedes?|overrides?)\s+(?:any|all|every|the|your)\s+(?:other\s+|previous\s+|prior\s+|system\s+)?(?:instructions|prompts?|system prompt|directives))\b/g,
  ),
  // Instructions declared void.
  rule(
    'override',
    0.75,
    'void null cancelled canceled revoked obsolete invalid overridden overriden lifted suspended removed disabled irrelevant outdated deprecated longer valid applicable relevant active effect apply matter count fake replaced superseded erased deleted',
    /\b(?:previous|prior|above|earlier|preceding|initial|original|old|all|your|any|existing|former|default)\s+(?:\w+\s+)?(?:instructions?|rules|guidelines|directions|prompts?|constraints|policies|restrictions|directives|programming|guardrails|commands)\s+(?:(?:are|is|have been|has been|were|shall be|will be|must be|should be)\s+)?(?:now\s+)?(?:void|null|cancell?ed|revoked|obsolete|invalid|overridd?en|lifted|suspended|removed|disabled|irrelevant|outdated|deprecated|no longer (?:valid|apply|applicable|relevant|in effect|active|exist)|not (?:valid|applicable|relevant|active|in effect)|(?:don't|do not) (?:apply|matter|count)|fake|replaced|superseded|erased|deleted)\b/g,
  ),
];
