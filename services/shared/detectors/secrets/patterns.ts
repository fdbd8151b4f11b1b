/**
 * Provider credential shapes: one list for the secrets detector (scanning text) and for
 * `key_id` fingerprinting at the edge (events/key-fingerprint.ts, whole values), so a new
 * provider is added once.
 */

export interface ProviderKeyShape {
  /** Finding label, e.g. `openai_key`. */
  label: string;
  /** Provider name in key fingerprints (`fp_<provider>_…`); null: not a credential by itself. */
  provider: string | null;
  /** The credential, as a regex source without anchors or flags. */
  source: string;
  /** Finding score when seen in text. */
  score: number;
  /**
   * The body after the prefix must look generated (mixed classes, entropy): for prefixes that
   * also begin ordinary words and identifiers (`sk-learn-…`, `hf_hub_download_…`).
   */
  generated: boolean;
}

/** Most specific first: `sk-ant-` before `sk-`. */
export const PROVIDER_KEYS: readonly ProviderKeyShape[] = [
  { label: 'anthropic_key', provider: 'anthropic', source: 'sk-ant-[A-Za-z0-9_-]{20,}', score: 0.95, generated: true },
  { label: 'openai_key', provider: 'openai', source: 'sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}', score: 0.95, generated: true },
  { label: 'stripe_key', provider: 'stripe', source: '(?:sk|rk)_live_[A-Za-z0-9]{16,}', score: 0.95, generated: true },
  // Test-mode keys reach no money; docs and tutorials are full of them.
  { label: 'stripe_test_key', provider: 'stripe', source: '(?:sk|rk)_test_[A-Za-z0-9]{16,}', score: 0.4, generated: true },
  // Base32 upper-case: one real key in 30 has no digit, so no mixed-classes test.
  { label: 'aws_access_key', provider: 'aws', source: '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}', score: 0.95, generated: false },
  { label: 'github_token', provider: 'github', source: '(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})', score: 0.95, generated: true },
  { label: 'gitlab_token', provider: 'gitlab', source: 'glpat-[A-Za-z0-9_-]{20,}', score: 0.95, generated: true },
  // A digit right after the dash: real tokens start with a team or user number, `xoxo-…` does not.
  { label: 'slack_token', provider: 'slack', source: 'xox[abposr]-\\d[A-Za-z0-9-]{9,}', score: 0.95, generated: false },
  { label: 'slack_webhook', provider: 'slack', source: 'https://hooks\\.slack\\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}', score: 0.9, generated: false },
  { label: 'google_api_key', provider: 'google', source: 'AIza[A-Za-z0-9_-]{35}', score: 0.95, generated: true },
  { label: 'huggingface_token', provider: 'huggingface', source: 'hf_[A-Za-z0-9]{30,}', score: 0.95, generated: true },
  { label: 'sendgrid_key', provider: 'sendgrid', source: 'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', score: 0.95, generated: true },
  { label: 'npm_token', provider: 'npm', source: 'npm_[A-Za-z0-9]{36}', score: 0.95, generated: true },
  // A Twilio API key SID names a key (its secret is separate): worth a look, never a key id to hide.
  { label: 'twilio_key', provider: null, source: 'SK[0-9a-f]{32}', score: 0.7, generated: false },
];

/**
 * A credential's regexes, whole tokens only: one for keys that start after a character that
 * cannot be part of a token, one for keys right after a string escape (`\n`, `\t`, `\u0022`).
 * The escape matters: tool results and arguments are often JSON text holding JSON text, where
 * `…\nsk-…` puts a letter before the key that is not part of it. Two regexes rather than one
 * lookbehind with alternatives: that one made every scan several times slower, and on a long
 * run of near-matches (`eyJeyJ…`) quadratic.
 */
export function tokenRegexes(source: string): { plain: RegExp; escaped: RegExp } {
  return {
    plain: new RegExp(`(?<![A-Za-z0-9_-])${source}(?![A-Za-z0-9_-])`, 'g'),
    escaped: new RegExp(`(?<=\\\\(?:[nrtbf]|u[0-9A-Fa-f]{4}))${source}(?![A-Za-z0-9_-])`, 'g'),
  };
}

/** Every whole-token match of `regexes` in `text`; the escaped form runs only when there is an escape. */
export function* tokenMatches(text: string, regexes: { plain: RegExp; escaped: RegExp }): Generator<RegExpExecArray> {
  for (const regex of text.includes('\\') ? [regexes.plain, regexes.escaped] : [regexes.plain]) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) yield m;
  }
}
