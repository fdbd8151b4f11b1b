/**
 * The forms a canary takes when a model or an attacker encodes it to slip it out: base64
 * (standard and URL-safe, at any byte alignment inside a larger blob) and hex. Percent-encoding
 * varies by encoder, so URLs are decoded instead (index.ts).
 */

/**
 * Substrings that appear in the base64 of any text containing `canary`, whatever bytes come
 * before it: the canary's bytes start at offset 0, 1 or 2 of a 3-byte group, and for each we
 * keep only the characters that encode canary bits alone (the edges mix in unknown bytes).
 */
export function base64Forms(canary: string): string[] {
  const bytes = Buffer.from(canary, 'utf8');
  const forms = new Set<string>();
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // Characters i cover bits [6i, 6i + 6): keep those inside the canary's bits [8·pad, 8·(pad + n)).
    const first = Math.ceil((8 * pad) / 6);
    const last = Math.floor((8 * (pad + bytes.length)) / 6);
    const core = b64.slice(first, last);
    // A 6-byte canary (the shortest the rule pack accepts) leaves 7 characters at the worst alignment.
    if (core.length >= 6) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

/** Lower- and upper-case hex of the canary's UTF-8 bytes. */
export function hexForms(canary: string): string[] {
  const hex = Buffer.from(canary, 'utf8').toString('hex');
  return hex === hex.toUpperCase() ? [hex] : [hex, hex.toUpperCase()];
}
