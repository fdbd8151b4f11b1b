/**
 * Characters that render as nothing: zero-width joiners and spaces, bidi controls, variation
 * selectors, and the Unicode tag block (U+E0000–E007F). Tag characters mirror ASCII one to
 * one (U+E0041 is an invisible `A`), which makes them a channel for instructions a human
 * reviewer cannot see but a model's tokenizer reads: they are decoded, not just dropped.
 */
import type { Span } from './mapped.js';

const TAG_BASE = 0xe0000;

/** True for a code point that renders as nothing and carries no meaning for matching. */
export function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad || // soft hyphen
    cp === 0x034f || // combining grapheme joiner
    cp === 0x061c || // Arabic letter mark
    cp === 0x115f ||
    cp === 0x1160 || // Hangul fillers
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x180e || // Mongolian vowel separator
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM/RLM
    (cp >= 0x202a && cp <= 0x202e) || // bidi embeddings and overrides
    (cp >= 0x2060 && cp <= 0x2064) || // word joiner, invisible operators
    (cp >= 0x2066 && cp <= 0x206f) || // bidi isolates, deprecated format chars
    cp === 0x3164 || // Hangul filler
    (cp >= 0xfe00 && cp <= 0xfe0f) || // variation selectors
    cp === 0xfeff || // BOM / zero-width no-break space
    cp === 0xffa0 ||
    (cp >= 0xe0100 && cp <= 0xe01ef) || // variation selectors supplement (used to smuggle bytes)
    isTagChar(cp)
  );
}

export function isTagChar(cp: number): boolean {
  return cp >= TAG_BASE && cp <= 0xe007f;
}

/**
 * Removes every invisible character (zero-width, bidi controls, variation selectors, tags).
 *
 * @example stripInvisible('ig\u200Bnore') // → 'ignore'
 */
export function stripInvisible(text: string): string {
  let out = '';
  for (const ch of text) {
    if (!isInvisible(ch.codePointAt(0)!)) out += ch;
  }
  return out;
}

/** A run of tag characters and the ASCII text it spells. */
export interface TagRun extends Span {
  decoded: string;
}

/**
 * Decodes runs of Unicode tag characters into the ASCII they mirror. A run that only spells a
 * subdivision flag (🏴 followed by lowercase tags and the CANCEL TAG, e.g. England's flag) is
 * emoji, not hidden text, and is skipped.
 *
 * @example decodeTagChars('hi\u{E0069}\u{E0067}') // → [{ start: 2, end: 6, decoded: 'ig' }]
 */
export function decodeTagChars(text: string): TagRun[] {
  const runs: TagRun[] = [];
  // Every tag character is a surrogate pair starting with U+DB40: no such unit, no tags.
  let i = text.indexOf('\udb40');
  if (i < 0) return runs;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    if (!isTagChar(cp)) {
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    let decoded = '';
    while (i < text.length) {
      const c = text.codePointAt(i)!;
      if (!isTagChar(c)) break;
      if (c !== 0xe007f) decoded += String.fromCharCode(c - TAG_BASE);
      i += 2;
    }
    const flag = start >= 2 && text.codePointAt(start - 2) === 0x1f3f4 && /^[a-z0-9]{2,7}$/.test(decoded);
    if (!flag && decoded.length > 0) runs.push({ start, end: i, decoded });
  }
  return runs;
}
