/**
 * A raw secret sent as `key_id` is replaced by a stable fingerprint before anything stores it.
 * The fingerprint is the same on every collector (plain SHA-256, no per-host salt), so an
 * operator can revoke `fp_openai_…` everywhere and compute it from the key they hold
 * (`runwatch key fingerprint`).
 */
import { createHash } from 'node:crypto';

/** Provider credential shapes, most specific first; the label goes into the fingerprint. */
const KNOWN_SECRETS: ReadonlyArray<readonly [label: string, pattern: RegExp]> = [
  ['anthropic', /^sk-ant-[A-Za-z0-9_-]{20,}$/],
  ['openai', /^sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}$/],
  ['stripe', /^(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}$/],
  ['aws', /^(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}$/],
  ['github', /^(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})$/],
  ['gitlab', /^glpat-[A-Za-z0-9_-]{20,}$/],
  ['slack', /^xox[abposr]-[A-Za-z0-9-]{10,}$/],
  ['google', /^AIza[A-Za-z0-9_-]{35}$/],
  ['huggingface', /^hf_[A-Za-z0-9]{30,}$/],
  ['jwt', /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/],
];

const FINGERPRINT = /^fp_[a-z0-9]+_[0-9a-f]{24}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `fp_<provider>_<24 hex of sha256>`: 96 bits, enough to never collide among a tenant's keys. */
export function fingerprintSecret(secret: string, label = 'secret'): string {
  return `fp_${label}_${createHash('sha256').update(secret).digest('hex').slice(0, 24)}`;
}

/** The provider label when `value` looks like a raw credential rather than a key id, else null. */
export function secretKind(value: string): string | null {
  if (FINGERPRINT.test(value) || UUID.test(value)) return null;
  for (const [label, pattern] of KNOWN_SECRETS) if (pattern.test(value)) return label;
  return looksRandom(value) ? 'secret' : null;
}

/** `key_id` as it may be stored: ids pass through, raw secrets become their fingerprint. */
export function scrubKeyId(keyId: string): string {
  const kind = secretKind(keyId);
  return kind === null ? keyId : fingerprintSecret(keyId, kind);
}

/**
 * High-entropy strings of three or more character classes: what generated secrets look like
 * and readable ids (`key-prod-7`, UUIDs, ULIDs: one or two classes, or low entropy) do not.
 */
function looksRandom(value: string): boolean {
  if (value.length < 24 || /\s/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 3 && shannonBits(value) >= 4.0;
}

function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
