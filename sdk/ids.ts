/**
 * Event ids: ULIDs (26 Crockford base32 characters, 48-bit ms time + 80 random bits), the
 * same form the collector assigns. They sort by creation time, which keeps evidence queries
 * and replays in order, and they fit the contract's printable-ASCII, ≤128-character rule.
 * Written here rather than imported so the SDK has no dependencies.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

let lastTime = -1;
const lastRandom = new Uint8Array(RANDOM_CHARS);

/**
 * A new ULID. Ids made in the same millisecond (or after the clock stepped back) increment
 * the previous one, so ids from one process are strictly increasing.
 *
 * @example
 * const id = newEventId(); // '01J9ZK3V6B8Q4M2X7T5R1N0CDE'
 */
export function newEventId(now: number = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    fillRandom(lastRandom);
  } else if (!increment(lastRandom)) {
    // 2^80 ids in one millisecond cannot happen; if it did, stay unique rather than ordered.
    fillRandom(lastRandom);
  }
  return encodeTime(lastTime) + Array.from(lastRandom, (d) => ALPHABET[d]).join('');
}

function encodeTime(ms: number): string {
  let rest = Math.floor(ms);
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    // Division, not bit operations: the 48-bit time does not fit a 32-bit integer.
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function fillRandom(digits: Uint8Array): void {
  globalThis.crypto.getRandomValues(digits);
  for (let i = 0; i < digits.length; i++) digits[i] = (digits[i] ?? 0) & 31;
}

/** Adds one to the base32 digits; false when they wrapped around. */
function increment(digits: Uint8Array): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = digits[i] ?? 0;
    if (d < 31) {
      digits[i] = d + 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}
