/** Provider-prefixed credentials (`sk-`, `AKIA`, `ghp_`, …) anywhere in a text. */
import { isPlaceholder, looksGenerated } from './entropy.js';
import type { SecretMatch } from './match.js';
import { PROVIDER_KEYS, tokenMatches, tokenRegexes, type ProviderKeyShape } from './patterns.js';

interface CompiledShape {
  shape: ProviderKeyShape;
  /** The literal the credential starts with: a cheap `includes` before the regex runs. */
  hint: string;
  regexes: { plain: RegExp; escaped: RegExp };
}

/**
 * Token characters on either side would make the match part of a longer identifier
 * (`xsk-…`, a key inside a base64 blob): tokenRegexes keeps those out.
 */
const COMPILED: readonly CompiledShape[] = PROVIDER_KEYS.map((shape) => ({
  shape,
  hint: literalPrefix(shape.source),
  regexes: tokenRegexes(shape.source),
}));

export function findProviderKeys(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  for (const { shape, hint, regexes } of COMPILED) {
    if (!text.includes(hint)) continue;
    for (const m of tokenMatches(text, regexes)) {
      const value = m[0];
      const body = value.slice(hint.length);
      if (shape.generated ? !looksGenerated(body, Math.min(16, body.length)) : isPlaceholder(body)) continue;
      out.push({ start: m.index, end: m.index + value.length, label: shape.label, score: shape.score });
    }
  }
  return out;
}

/** The fixed characters a source starts with (`sk-`, `xox`, `SG.`; '' for an alternation): a cheap pre-check. */
function literalPrefix(source: string): string {
  const m = /^(?:[A-Za-z0-9_:/-]|\\\.)+/.exec(source);
  return (m?.[0] ?? '').replace(/\\/g, '');
}
