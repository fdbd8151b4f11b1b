/**
 * A raw secret sent as `key_id` (or a provider key or JWT sent as `session_id` or `user_id`) is
 * replaced by a stable fingerprint before anything stores it.
 * The fingerprint is the same on every collector (plain SHA-256, no per-host salt), so an
 * operator can revoke `fp_openai_…` everywhere and compute it from the key they hold
 * (`runwatch key fingerprint`).
 */
import { createHash } from 'node:crypto';
import { charClasses, shannonBits } from '../detectors/secrets/entropy.js';
import { JWT_SOURCE } from '../detectors/secrets/jwt.js';
import { PROVIDER_KEYS } from '../detectors/secrets/patterns.js';

/**
 * Provider credential shapes, most specific first, from the secrets detector's list (one place
 * to add a provider); the label goes into the fingerprint.
 */
const KNOWN_SECRETS: ReadonlyArray<readonly [label: string, pattern: RegExp]> = [
  ...PROVIDER_KEYS.flatMap((k) => (k.provider === null ? [] : [[k.provider, new RegExp(`^(?:${k.source})$`)] as const])),
  ['jwt', new RegExp(`^${JWT_SOURCE}$`)],
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

/** Every known credential shape in one anchored test: the hot path asks it of every identifier. */
const ANY_KNOWN_SECRET = new RegExp(`^(?:${KNOWN_SECRETS.map(([, p]) => `(?:${p.source.slice(1, -1)})`).join('|')})$`);

/**
 * `session_id` and `user_id` as they may be stored: a provider key or a JWT (apps do use a
 * bearer token as the session or the user) becomes its fingerprint, so correlation by it still
 * works and `runwatch key fingerprint` finds it. Unlike `key_id`, a merely random-looking value
 * stays: random session ids are ordinary (and OpenAI thread ids look just like that).
 */
export function scrubIdentifier(value: string): string {
  if (!ANY_KNOWN_SECRET.test(value)) return value;
  const kind = KNOWN_SECRETS.find(([, pattern]) => pattern.test(value))![0];
  return fingerprintSecret(value, kind);
}

/**
 * High-entropy strings of three or more character classes: what generated secrets look like
 * and readable ids (`key-prod-7`, UUIDs, ULIDs: one or two classes, or low entropy) do not.
 */
function looksRandom(value: string): boolean {
  if (value.length < 24 || /\s/.test(value)) return false;
  return charClasses(value) >= 3 && shannonBits(value) >= 4.0;
}
