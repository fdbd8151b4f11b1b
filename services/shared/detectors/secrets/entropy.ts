/**
 * How random a string looks: what separates generated credentials from words, ids and
 * placeholders. Shared by the secrets scanner, the exfiltration payload check and the
 * `key_id` fingerprinting at the edge.
 */

/** Shannon entropy in bits per character (0 for ''; at most log2 of the alphabet size). */
export function shannonBits(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of lower-case, upper-case, digit and other characters `value` uses (0..4). */
export function charClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/**
 * Documentation stand-ins for a secret: `sk-proj-XXXXXXXX…`, `<your-key>`, `${API_KEY}`,
 * `****`, AWS's `…EXAMPLE` keys. Matching one of these is a doc page, not a leak.
 */
const PLACEHOLDER = /x{6,}|X{6,}|\*{3,}|\.{3}|…|<[^>]*>|\$\{|\{\{|%\(|^\$[A-Z_]|your[_-]?|example|placeholder|redacted|dummy|changeme|replace[_-]?me|insert[_-]?|^(?:null|none|undefined|true|false|string|required|optional)$/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || distinctChars(value) < Math.min(6, value.length);
}

/**
 * Looks machine-generated: long enough, letters mixed with digits or case, entropy of a random
 * string rather than of a word (`sk-learn-compatible-estimator` is lower-case only).
 */
export function looksGenerated(value: string, minLength = 16, minBits = 3.0): boolean {
  if (value.length < minLength || isPlaceholder(value)) return false;
  // Two of lower-case, upper-case and digits (symbols do not count: `-_` join words too).
  return charClasses(value.replace(/[^A-Za-z0-9]/g, '')) >= 2 && shannonBits(value) >= minBits;
}

function distinctChars(value: string): number {
  return new Set(value).size;
}
