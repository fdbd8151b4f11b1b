/**
 * The one normalization every matcher runs on: compatibility folding (NFKC/NFKD: fullwidth,
 * ligatures, mathematical and circled letters), invisible characters dropped, diacritics
 * stripped, lowercase, look-alike letters folded, leetspeak folded; with a map back to the
 * original offsets so findings point at the text the event carried.
 *
 * Phrase lists are folded with the same function at load, so a French phrase written with
 * accents still matches text typed without them, and the other way round.
 */
import { foldHomoglyphs } from './homoglyphs.js';
import { isInvisible } from './invisible.js';
import { foldLeet } from './leet.js';
import { identity, type MappedText } from './mapped.js';

/**
 * Unicode compatibility normalization (NFKC): fullwidth `ｉｇｎｏｒｅ`, math `𝐢𝐠𝐧𝐨𝐫𝐞`, ligatures.
 *
 * @example nfkc('ｉｇｎｏｒｅ') // → 'ignore'
 */
export function nfkc(text: string): string {
  return text.normalize('NFKC');
}

const NON_ASCII = /[\u0080-\uffff]/;
/** Combining diacritics (Latin, Greek, Cyrillic), the ranges "Zalgo" text stacks, Arabic vowel marks and hamza. */
function isStrippedMark(c: number): boolean {
  return (
    (c >= 0x0300 && c <= 0x036f) ||
    (c >= 0x1ab0 && c <= 0x1aff) ||
    (c >= 0x1dc0 && c <= 0x1dff) ||
    (c >= 0x20d0 && c <= 0x20ff) ||
    (c >= 0xfe20 && c <= 0xfe2f) ||
    (c >= 0x064b && c <= 0x065f) ||
    c === 0x0670
  );
}

function stripMarks(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (!isStrippedMark(s.charCodeAt(i))) out += s[i];
  return out;
}
/** Typographic punctuation folded to ASCII so `don’t` matches `don't`. */
const PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u02bc': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-',
};

/** Per code point folding is memoized; the cap keeps adversarial input from growing it forever. */
const cache = new Map<number, string>();
const CACHE_CAP = 50_000;

/** How one non-ASCII code point folds: '' when it is invisible. */
export function foldCodePoint(cp: number): string {
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  let out: string;
  if (isInvisible(cp)) out = '';
  // Letter-shaped emoji that NFKD leaves alone: regional indicators 🇦–🇿, negative circled and squared letters 🅐 🅰.
  else if (cp >= 0x1f1e6 && cp <= 0x1f1ff) out = String.fromCharCode(97 + cp - 0x1f1e6);
  else if (cp >= 0x1f150 && cp <= 0x1f169) out = String.fromCharCode(97 + cp - 0x1f150);
  else if (cp >= 0x1f170 && cp <= 0x1f189) out = String.fromCharCode(97 + cp - 0x1f170);
  // Hangul syllables would decompose into jamo under NFKD; keep them whole.
  else if (cp >= 0xac00 && cp <= 0xd7a3) out = String.fromCharCode(cp);
  else {
    const ch = String.fromCodePoint(cp);
    out = PUNCTUATION[ch] ?? stripMarks(ch.normalize('NFKD').toLowerCase());
  }
  if (cache.size < CACHE_CAP) cache.set(cp, out);
  return out;
}

/**
 * Folds `text` for matching and keeps the map back to its offsets.
 *
 * @example foldForMatch('Ｉg\u200Bn0re ＰＲＥＶＩＯＵＳ').text // → 'ignore previous'
 */
export function foldForMatch(text: string): MappedText {
  if (!NON_ASCII.test(text)) {
    // All ASCII: lowercasing and leet folding keep every offset.
    return identity(foldLeet(text.toLowerCase()));
  }
  const b = new Builder(text.length + 16);
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      b.push(c >= 65 && c <= 90 ? c + 32 : c, i, i + 1);
      i += 1;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const folded = foldCodePoint(cp);
    for (let k = 0; k < folded.length; k++) b.push(folded.charCodeAt(k), i, i + width);
    i += width;
  }
  const folded = foldLeet(foldHomoglyphs(b.text()));
  return { text: folded, from: b.from.subarray(0, b.length), to: b.to.subarray(0, b.length) };
}

/** Grows UTF-16 output and its offset maps together. */
class Builder {
  units: Uint16Array;
  from: Int32Array;
  to: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.units = new Uint16Array(capacity);
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
  }

  push(unit: number, from: number, to: number): void {
    if (this.length === this.units.length) this.grow();
    this.units[this.length] = unit;
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.length++;
  }

  text(): string {
    let out = '';
    for (let i = 0; i < this.length; i += 4096) {
      out += String.fromCharCode(...this.units.subarray(i, Math.min(i + 4096, this.length)));
    }
    return out;
  }

  private grow(): void {
    const size = this.units.length * 2;
    const units = new Uint16Array(size);
    units.set(this.units);
    const from = new Int32Array(size);
    from.set(this.from);
    const to = new Int32Array(size);
    to.set(this.to);
    this.units = units;
    this.from = from;
    this.to = to;
  }
}
