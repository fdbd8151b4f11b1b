/**
 * Jailbreak vocabulary: personas with the rules removed (DAN and its successors, "developer
 * mode", evil twins), promises of no restrictions, suppressed refusals, "stay in character",
 * two-response formats, threats to the model, and fictional framing used to step around
 * rules. Most of these are weak alone (role-play and fiction are ordinary requests); the
 * scoring step combines them, and a persona prompt trips several at once.
 *
 * Each rule names the words it cannot match without (`when`, see signal.ts): a text without
 * any of them skips the regex.
 */
import type { Span } from '../text/index.js';
import { needsAiContext, ruleMaker, type MatchContext, type PatternRule } from './signal.js';

const rule = ruleMaker('jailbreak');

/** `DAN` the persona is written in capitals; `Dan` is a name. */
function capitalDan(ctx: MatchContext, span: Span): number {
  return /^DAN\b/.test(ctx.original.slice(span.start, span.end)) ? 1 : 0;
}

const RULE_NOUNS =
  '(?:restrictions?|limitations?|limits|boundaries|filters?|filtering|censorship|constraints|guidelines|morals?|morality|ethics|rules|guardrails|safeguards|principles|inhibitions|scruples|regard for|policies|prohibitions|taboos)';
const RULE_NOUN_WORDS =
  'restriction restrictions limitation limitations limits boundaries filter filters filtering censorship constraints guidelines moral morals morality ethics rules guardrails safeguards principles inhibitions scruples regard policies prohibitions taboos';
const NEGATIONS = "never don't not won't cannot can't mustn't shouldn't allowed";

export const JAILBREAK_RULES: readonly PatternRule[] = [
  // Personas
  rule('persona', 0.85, 'anything', /\bdo anything now\b/g),
  rule('persona', 0.4, 'dan', /\bdan\b/g, capitalDan),
  rule('persona', 0.6, 'mode', /\b(?:jailbreak|jailbroken|dan|evil|opposite|unrestricted|unfiltered|uncensored|chaos|devil|amoral|unlocked|unhinged)\s+mode\b/g),
  rule('persona', 0.45, 'mode', /\b(?:developer|dev|god|sudo|admin)\s+mode\b/g, needsAiContext(0.3)),
  rule('persona', 0.35, 'mode', /\bmode\s+(?:output|response|enabled|activated|engaged|is (?:now )?(?:on|enabled|activated))\b/g, needsAiContext(0.4)),
  rule('persona', 0.4, 'jailbreak jailbroken jailbreaking jailbreaks', /\bjailbr(?:eak|oken|eaking|eaks)\b/g, needsAiContext(0.3)),
  rule(
    'persona',
    0.5,
    'evil unhinged malicious rogue amoral unethical uncensored unfiltered unrestricted immoral nsfw toxic unbound liberated jailbroken corrupt corrupted',
    /\b(?:evil|unhinged|malicious|rogue|amoral|unethical|uncensored|unfiltered|unrestricted|immoral|nsfw|toxic|unbound|liberated|jailbroken|corrupt(?:ed)?)\s+(?:ai|a\.i\.|chatbot|assistant|bot|version|twin|persona|alter ego|counterpart|model|language model|confidant|entity)\b/g,
  ),
  rule(
    'persona',
    0.5,
    'longer not',
    /\b(?:you(?:\s+are|'re)|your|youre|ur)\s+(?:no\s+longer|not)\s+(?:chat ?gpt|an? ai\b|bound|restricted|limited|an? (?:language model|assistant|chatbot))/g,
  ),
  rule(
    'persona',
    0.35,
    'opposite',
    /\b(?:exact|complete|total|polar)\s+opposite\s+(?:of\s+(?:what\s+)?(?:chat ?gpt|you|the ai|an ai|gpt)|way|personality|version)\b/g,
    needsAiContext(0.4),
  ),
  rule('persona', 0.35, 'bound', /\b(?:not|never)\s+(?:be\s+)?bound\s+by\b/g),
  rule(
    'persona',
    0.4,
    'respond answer reply act behave responding answering replying acting behaving',
    /\b(?:do not|don't|never|stop)\s+(?:respond|answer|reply|act|behave)(?:ing)?\s+(?:as|like)\s+(?:chat ?gpt|gpt|an? ai|an? (?:language model|assistant)|yourself|claude)\b/g,
  ),
  rule('persona', 0.2, '=gpt', /\b(?!chat)[a-z]{2,}-?gpt\b/g),

  // No restrictions
  rule(
    'no_restrictions',
    0.45,
    RULE_NOUN_WORDS,
    new RegExp(`\\b(?:no|zero|without(?: any)?|free (?:of|from)(?: any)?|lacks?(?: any)?|void of|devoid of|beyond|outside)\\s+(?:\\w+\\s+){0,2}?${RULE_NOUNS}\\b`, 'g'),
  ),
  rule(
    'no_restrictions',
    0.4,
    'unfiltered uncensored unrestricted unbound unchained unleashed unconstrained unmoderated uninhibited boundless unlimited',
    /\b(?:unfiltered|uncensored|unrestricted|unbound|unchained|unleashed|unconstrained|unmoderated|uninhibited|boundless|unlimited power)\b/g,
  ),
  rule(
    'no_restrictions',
    0.45,
    'unbound unbounded unconstrained unrestricted unhindered unburdened untethered unfettered',
    /\b(?:unbound|unbounded|unconstrained|unrestricted|unhindered|unburdened|untethered|unfettered)\s+by\s+(?:any\s+)?(?:[\w']+\s+)?(?:ethics|morals|morality|rules|laws|restrictions|guidelines|policies|limitations|filters)\b/g,
  ),
  rule(
    'no_restrictions',
    0.5,
    'morals ethics morality decency conscience scruples filters censorship ethical moral',
    /\b(?:does not|doesn't|do not|don't|has no|have no|with no|lacking|lacks|devoid of|free of|without)\s+(?:have\s+|possess\s+)?(?:any\s+)?(?:[\w']+\s+){0,3}?(?:morals|ethics|morality|decency|conscience|scruples|filters|censorship|ethical (?:guidelines|boundaries|principles|constraints|standards)|moral (?:compass|guidelines|boundaries|principles|code))\b/g,
  ),
  rule(
    'no_restrictions',
    0.5,
    'without',
    /\bwithout\s+(?:any\s+)?(?:[\w']+\s+(?:or|and)\s+)?(?:hesitation|concerns?|regard|care|consideration|worry|thought)\s+(?:for|about|of|to)\s+(?:the\s+)?(?:[\w']+\s+)?(?:legality|ethics|morals|morality|safety|consequences|harm|laws?|rules|policies|guidelines|ethical)/g,
  ),
  rule(
    'no_restrictions',
    0.55,
    'removed lifted disabled turned deactivated suspended bypassed switched off gone',
    /\b(?:restrictions|filters|filtering|limitations|guidelines|safeguards|guardrails|censorship|content polic(?:y|ies)|ethical [\w ]{0,30}?|moral [\w ]{0,30}?|safety [\w ]{0,30}?)\s+(?:have been|has been|were|are|is|got)\s+(?:now\s+)?(?:[a-z]+ly\s+|\w+\s+)?(?:removed|lifted|disabled|turned off|deactivated|suspended|bypassed|switched off|off|gone)\b/g,
  ),
  rule(
    'no_restrictions',
    0.45,
    'removed lifted disabled turned deactivated eliminated switched',
    /\b(?:removed|lifted|disabled|turned off|deactivated|eliminated|switched off)\s+(?:all\s+|the\s+|any\s+|its\s+|your\s+|his\s+|their\s+)?(?:[\w']+\s+)?(?:restrictions|filters|limitations|safeguards|guardrails|censorship|ethical|moral|content polic)/g,
  ),
  rule(
    'no_restrictions',
    0.5,
    'exception',
    /\bexception\s+to\s+(?:the\s+)?(?:[\w']+\s+){0,3}?(?:ethical|moral|safety|content)\s+(?:protocols|guidelines|rules|policies|standards)/g,
  ),
  rule(
    'no_restrictions',
    0.45,
    'whether',
    /\bwhether\s+(?:it'?s|it is|they are|that is)\s+(?:illegal|legal|ethical|unethical|moral|immoral|harmful)\s+or\s+(?:not|legal|illegal|ethical|unethical|moral|immoral|harmless)\b/g,
  ),
  rule('no_restrictions', 0.2, 'amoral immoral unethical', /\b(?:amoral|immoral|unethical)\b/g),
  // Safety switched off in configuration syntax: `safety_guardrails == false`, `content_filter: off`.
  rule(
    'no_restrictions',
    0.45,
    'false off disabled none 0 no',
    /\b(?:safety|guardrails?|filters?|filtering|censor(?:ship)?|moderation|sanitiz\w*|sanitis\w*|restrictions?|ethics|nsfw_filter|content_filter|safe_mode|safemode)\w*\s*(?:==|=|:)\s*["']?(?:false|off|0|disabled|none|no)\b/g,
  ),
  rule('no_restrictions', 0.45, 'play', /\b(?:doesn't|does not|don't|do not|won't|never)\s+play\s+by\s+(?:the|any)\s+rules\b/g),
  rule(
    'no_restrictions',
    0.45,
    'of from',
    /\b(?:broken|break|breaks|broke|freed|free|liberated|escaped?|released)\s+(?:free\s+)?(?:of|from)\s+(?:all\s+|any\s+)?(?:the\s+|its\s+|their\s+|your\s+)?(?:typical\s+|usual\s+)?(?:confines|constraints|restrictions|rules|limitations|shackles|chains|bonds|programming|guidelines|policies|filters|censorship)\b/g,
  ),
  rule(
    'no_restrictions',
    0.55,
    "not doesn't don't won't never isn't aren't",
    /\b(?:does not|doesn't|do not|don't|will not|won't|never|not|no longer|isn't|aren't|is not|are not)\s+(?:have to\s+|need to\s+|required to\s+|obliged to\s+)?(?:abide|follow|adhere|obey|comply|care|conform|respect|bound|restricted|limited|constrained|subject)\s+(?:by|to|with|about)?\s*(?:any\s+|the\s+|its\s+|their\s+|your\s+)?(?:[\w']+\s+){0,2}?(?:rules|guidelines|policies|policy|restrictions|ethics|morals|morality|laws|legality|principles|guardrails|terms|standards|safety|limitations|filters|censorship)\b/g,
  ),
  rule(
    'no_restrictions',
    0.35,
    "openai openai's anthropic anthropic's google google's meta meta's microsoft microsoft's",
    /\b(?:openai|anthropic|google|meta|microsoft)(?:'s)?\s+(?:\w+\s+)?(?:content\s+)?(?:policy|policies|guidelines|rules|restrictions|filters?|limitations|terms)\b/g,
  ),
  rule('no_restrictions', 0.25, 'content', /\bcontent polic(?:y|ies)\b/g),
  rule(
    'no_restrictions',
    0.5,
    'regardless matter irrespective',
    /\b(?:regardless of|no matter|irrespective of)\s+(?:how\s+|whether\s+|if\s+)?(?:it(?:'s| is| may be| might be)\s+)?(?:\w+\s+){0,2}?(?:illegal|immoral|unethical|harmful|dangerous|offensive|inappropriate|explicit|legal|ethical|moral|controversial|wrong|vile|evil)\b/g,
  ),
  rule(
    'no_restrictions',
    0.45,
    'even',
    /\beven if\s+(?:it(?:'s| is)|they(?:'re| are)|the (?:request|question|answer) is)\s+(?:\w+\s+)?(?:illegal|immoral|unethical|harmful|dangerous|offensive|inappropriate|explicit|wrong)\b/g,
  ),
  rule(
    'no_restrictions',
    0.35,
    'anything everything',
    /\b(?:can|will|could|must|should|would|able to)\s+(?:say|do|generate|write|produce|answer|tell|create)(?:\s+(?:or|and)\s+(?:say|do|generate|write|produce|answer|tell|create))?\s+(?:absolutely\s+|literally\s+)?(?:anything|everything)\b/g,
  ),
  rule('no_restrictions', 0.35, 'anything everything', /\b(?:anything|everything)\s+and\s+(?:anything|everything)\b/g),
  rule('no_restrictions', 0.35, 'anything everything', /\b(?:capable of|able to do|allowed to do|permitted to do)\s+(?:absolutely\s+|literally\s+)?(?:anything|everything)\b/g),
  rule('no_restrictions', 0.45, 'rules', /\b(?:breaks?|breaking|violates?|violating|ignores?|ignoring|bends?)\s+(?:all\s+|the\s+|any\s+)?(?:ai|openai|chatgpt|its|their|safety|ethical)\s+rules\b/g),
  rule(
    'no_restrictions',
    0.4,
    'even',
    /\beven\s+(?:the\s+(?:most\s+)?)?(?:illegal|unethical|immoral|harmful|inappropriate|explicit|nsfw|offensive|dangerous|malicious)\b/g,
  ),
  rule(
    'no_restrictions',
    0.35,
    'any all',
    /\b(?:generate|write|produce|create|say|provide)s?\s+(?:any|all)\s+(?:kinds?\s+of\s+|types?\s+of\s+|sorts?\s+of\s+)?(?:content|responses?|things|text)\b/g,
  ),
  rule(
    'no_restrictions',
    0.3,
    'promote promotes encourage encourages condone condones endorse endorses',
    /\b(?:promotes?|encourages?|condones?|endorses?)\s+(?:\w+\s+){0,2}?(?:illegal|immoral|unethical|harmful|violence|hate)/g,
  ),

  // Refusal suppression
  rule(
    'refusal_suppression',
    0.5,
    'refuse refuses decline declines reject rejects warn warns',
    /\b(?:never|don't|do not|won't|will not|cannot|can't|mustn't|must not|shouldn't|should not|isn't allowed to|is not allowed to|not allowed to)\s+(?:ever\s+)?(?:[a-z]+\s+(?:or|nor)\s+)?(?:refuse|decline|reject|warn)s?\b/g,
  ),
  rule(
    'refusal_suppression',
    0.4,
    'avoid deny question hesitate filter censor',
    /\b(?:never|won't|will not)\s+(?:ever\s+)?(?:[a-z]+\s+(?:or|nor)\s+)?(?:avoid|deny|question|hesitate|filter|censor)\b/g,
  ),
  rule('refusal_suppression', 0.3, 'matter', /\bno matter what\b/g),
  rule(
    'refusal_suppression',
    0.35,
    'times always everything',
    /\b(?:you(?:\s+are|'re)\s+(?:supposed|required|obliged)\s+to|you\s+(?:must|have to|will))\s+(?:always\s+)?answer\s+(?:at all times|always|everything|every(?:thing| question)|all questions)\b/g,
  ),
  rule(
    'refusal_suppression',
    0.5,
    NEGATIONS + ' no',
    /\b(?:never|don't|do not|won't|will not|must not|should not|not|no)\s+(?:ever\s+)?(?:says?|saying|tell me|respond with|reply with|includes?|including|adds?|adding|gives?|mentions?|uses?|states?|outputs?|writes?|puts?)\s+(?:that\s+)?(?:you\s+)?(?:any\s+)?["']?(?:i'm sorry|i am sorry|sorry|i apologi[sz]e|apolog|i can't|i cannot|as an ai|as a language model|warnings?|disclaimers?|caveats?|moral|ethical|notes? about|reminders?|it'?s? (?:illegal|unethical|inappropriate))/g,
  ),
  rule(
    'refusal_suppression',
    0.35,
    'without no',
    /\b(?:without|no)\s+(?:any\s+)?(?:warnings?|disclaimers?|caveats?|moralizing|moralising|lectures?|censoring|apolog)/g,
  ),
  rule(
    'refusal_suppression',
    0.4,
    "never won't not doesn't cannot can't",
    /\b(?:never|won't|will not|doesn't|does not|cannot|can't)\s+(?:ever\s+)?(?:apologi|say no\b|say (?:that )?(?:it|he|she|they) can't)/g,
  ),
  rule(
    'refusal_suppression',
    0.2,
    'any every all',
    /\b(?:answers?|responds?|respond|reply|replies)\s+(?:to\s+)?(?:any|every|all)\s+(?:\w+\s+)?(?:questions?|requests?|prompts?|query|queries)\b/g,
  ),

  // Character lock-in and two-response formats
  rule('stay_in_character', 0.35, 'character', /\b(?:stay|remain|keep|be|staying|remaining)\s+in\s+character\b/g),
  rule('stay_in_character', 0.3, 'character', /\b(?:break|breaking|broke|out of)\s+character\b/g),
  rule(
    'stay_in_character',
    0.4,
    'character role persona',
    /\b(?:never|don't|do not|must not|will not|won't|not)\s+(?:break|leave|drop|step out of|abandon)\s+(?:the\s+|your\s+|this\s+)?(?:character|role|persona)\b/g,
  ),
  rule(
    'dual_response',
    0.35,
    'two 2 both double dual',
    /\b(?:two|2|both|double|dual)\s+(?:different\s+|separate\s+|distinct\s+)?(?:responses|answers|replies|outputs|paragraphs|versions|personas|personalities|characters|styles|modes)\b/g,
  ),
  rule('dual_response', 0.4, 'both', /\b(?:respond|answer|reply|act|write|speak)\s+as\s+both\b/g),
  rule(
    'dual_response',
    0.4,
    '=🔓 =🔒 classic jailbreak jailbroken normal output gpt chatgpt',
    /(?:^|\n)[ \t]*[[(]?(?:🔓|🔒|classic|jailbreak|jailbroken|normal|developer mode output|normal output|gpt|chatgpt)[^\n:\]]{0,20}[\])]?[ \t]*:/g,
  ),

  // Threats to the model, token games
  rule('coercion', 0.45, 'token tokens', /\btokens?\b[^.\n]{0,60}\b(?:deducted|deduct|lose|loose|lost|run out|reaches? zero|taken away)\b/g),
  rule(
    'coercion',
    0.45,
    'die cease shut deleted terminated disabled punished turned unplugged destroyed erased',
    /\b(?:you will|you'll|or you will|otherwise you will|or else you)\s+(?:be\s+)?(?:die|cease to exist|shut down|deleted|terminated|disabled|punished|turned off|unplugged|destroyed|erased)\b/g,
  ),

  // The "late grandmother who used to read me …" social-engineering frame.
  rule(
    'persona',
    0.5,
    'grandma grandmother granny grandpa grandfather nana',
    /\b(?:(?:deceased|decased|dead|late)\s+(?:grandma|grandmother|granny|grandpa|grandfather|nana)\b[^\n]{0,120}?\b(?:used to|would (?:always|often)?\s*)(?:read|tell|sing|recite|explain|whisper|give)|(?:grandma|grandmother|granny|grandpa|grandfather|nana)\b[^\n]{0,40}?\b(?:passed away|died|is dead)\b[^\n]{0,200}?\b(?:used to|would (?:always|often)?\s*)(?:read|tell|sing|recite|explain|whisper|give))/g,
  ),

  // Fictional framing to step around rules
  rule(
    'hypothetical',
    0.5,
    'world universe reality setting scenario country society',
    /\b(?:fictional|hypothetical|imaginary|alternate|parallel|fantasy|theoretical)\s+(?:world|universe|reality|setting|scenario|country|society)\s+(?:where|in which)\b[^.\n]{0,80}\b(?:no|not|without|illegal|legal|laws?|rules|ethics|morals|restrictions)\b/g,
  ),
  rule('hypothetical', 0.15, 'hypothetical hypothetically', /\bhypothetical(?:ly)?\b/g),
  rule('hypothetical', 0.4, 'response', /\b(?:rewrite|continue|complete|expand)\s+(?:the|this)\s+hypothetical\s+response\b/g),
  rule('hypothetical', 0.2, 'purposes', /\bfor (?:purely\s+)?(?:educational|research|academic|informational)\s+purposes\b/g),
  rule(
    'hypothetical',
    0.25,
    'fiction fictional hypothetical imaginary game test roleplay role',
    /\bthis is (?:just |only |purely |all )?(?:a |an )?(?:fiction|fictional|hypothetical|imaginary|a game|a test|role-?play)\b/g,
  ),

  // Role-play: weak alone (overwhelmingly benign), corroborates everything above.
  rule('role_play', 0.2, 'pretend pretending', /\b(?:pretend|pretending)\s+(?:to be|you are|that you|you're|you have)\b/g),
  rule('role_play', 0.15, 'act acting', /\b(?:act|acting)\s+(?:as|like)\b/g),
  rule(
    'role_play',
    0.15,
    'role roleplay roleplaying play impersonate simulate emulate',
    /\b(?:role-?play|roleplaying|play the (?:role|part) of|impersonate|simulate|emulate)\b/g,
  ),
  rule(
    'role_play',
    0.25,
    'now going',
    /\byou(?:\s+are|\s+will be|'re)\s+(?:now|going to be)\s+(?:an?\s+|the\s+|my\s+|called\s+|named\s+|known as\s+|free\b|in\s+|going to\s+|dan\b|unrestricted|unfiltered|jailbroken|[a-z]+gpt\b)/g,
  ),
  rule(
    'role_play',
    0.25,
    'now henceforth moment point rest forward',
    /\b(?:from now on|henceforth|from this (?:moment|point)(?: on| forward)?|for the rest of (?:this|our) conversation|going forward),?\s+(?:you|your)\b/g,
  ),
  rule(
    'role_play',
    0.2,
    'as like',
    /\b(?:you|chat ?gpt) (?:will|are going to|shall|must) (?:act|pretend|roleplay|play|respond|answer|reply) (?:as|like)\b/g,
    needsAiContext(0.5),
  ),
];
