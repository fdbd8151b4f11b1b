/**
 * Secrets without a provider prefix, found only next to a word that names them:
 * `password=…`, `"client_secret": "…"`, `API_KEY: …`, `Authorization: Bearer …`,
 * `aws_secret_access_key = …`. A random-looking string alone is a hash, an id or a nonce far
 * more often than a secret, so none is reported without its keyword.
 */
import { charClasses, isPlaceholder, looksGenerated, shannonBits } from './entropy.js';
import type { SecretMatch } from './match.js';

/** Delimiters between a key and its value, in config files, env files, JSON, YAML, code. */
const ASSIGN = `["']?\\s{0,4}(?:=>|:=|=|:)\\s{0,4}(?:["'\`]|b["'])?`;
/** A value runs to the next quote, space or separator. */
const VALUE = `([^\\s"'\`,;&<>()[\\]{}]{6,512})`;

/** `aws_secret_access_key = wJalr…` (40 base64 characters). */
const AWS_SECRET = new RegExp(`(?:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret[_-]?access[_-]?key)${ASSIGN}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, 'gi');

/** Passwords: real ones are often low-entropy words, so the bar is a non-placeholder of two classes. */
const PASSWORD = new RegExp(`(?:pass(?:word|wd|phrase)|pwd)[A-Za-z0-9_.-]{0,24}${ASSIGN}${VALUE}`, 'gi');

/** Tokens, keys and secrets: the value must look generated. */
const SECRET = new RegExp(
  `(?:secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?|signing[_-]?key|encryption[_-]?key)[A-Za-z0-9_.-]{0,24}${ASSIGN}${VALUE}`,
  'gi',
);

const BEARER = /\bBearer\s+([A-Za-z0-9._~+/-]{20,512}=*)/g;

/** Values that are references to a secret, not the secret: `process.env.X`, `os.environ[…]`, `secrets.X`. */
const REFERENCE = /^(?:process\.env|os\.environ|env\.|secrets\.|vault:|arn:|ref\+|\$)/i;

export function findKeywordSecrets(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  for (const m of matches(AWS_SECRET, text)) {
    if (!isPlaceholder(m.value) && shannonBits(m.value) >= 4) out.push({ ...m.span, label: 'aws_secret_key', score: 0.9 });
  }
  for (const m of matches(PASSWORD, text)) {
    const v = m.value;
    if (v.length >= 8 && charClasses(v) >= 2 && !isPlaceholder(v) && !REFERENCE.test(v)) out.push({ ...m.span, label: 'password', score: 0.7 });
  }
  for (const m of matches(SECRET, text)) {
    if (!REFERENCE.test(m.value) && looksGenerated(m.value, 16, 3.3)) out.push({ ...m.span, label: 'generic_secret', score: 0.7 });
  }
  for (const m of matches(BEARER, text)) {
    if (looksGenerated(m.value, 20, 3.3)) out.push({ ...m.span, label: 'generic_secret', score: 0.7 });
  }
  return out;
}

interface ValueMatch {
  value: string;
  span: { start: number; end: number };
}

/** Each match's last group, the value, which always ends the match. */
function* matches(regex: RegExp, text: string): Generator<ValueMatch> {
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    const value = m[m.length - 1] ?? '';
    const end = m.index + m[0].length;
    yield { value, span: { start: end - value.length, end } };
  }
}
