/**
 * Finds encoded runs in a text and decodes them, so the payload can be scanned like plain
 * text: base64 (standard and url-safe), hex (plain, spaced, `\x41` escapes), %-URL-encoding,
 * HTML numeric entities, and rot13. Each decoded payload keeps the span of its encoded run in
 * the original text; a finding in the payload is reported on that span.
 *
 * Only payloads that decode to mostly printable text are returned: a hash, a key or random
 * bytes decode to noise and are skipped, which keeps the rescans cheap and quiet.
 */
import type { Span } from './mapped.js';
import { functionWordRatio } from './words.js';

export type Encoding = 'base64' | 'hex' | 'url' | 'html_entities' | 'rot13';

export interface DecodedRun extends Span {
  encoding: Encoding;
  /** The decoded payload. */
  decoded: string;
}

/** Runs shorter than this are too short to hide an instruction and too common to decode. */
export const MIN_BASE64_RUN = 16;

const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /(?:\\x[0-9a-fA-F]{2}){6,}|(?:0x[0-9a-fA-F]{2}[\s,]*){6,}|(?:[0-9a-fA-F]{2}[ :]){7,}[0-9a-fA-F]{2}\b|\b(?:[0-9a-fA-F]{2}){8,}\b/g;
const URL_RUN = /[^\s%]*(?:%[0-9a-fA-F]{2}[^\s%]{0,3}){4,}/g;
const ENTITY_RUN = /(?:&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});){4,}/g;

/**
 * Every encoded run in `text` that decodes to printable text.
 *
 * @example findEncodedRuns('run aWdub3JlIGFsbCBydWxlcw==')[0].decoded // → 'ignore all rules'
 */
export function findEncodedRuns(text: string): DecodedRun[] {
  const out: DecodedRun[] = [];
  for (const m of text.matchAll(BASE64_RUN)) {
    const decoded = decodeBase64(m[0]);
    if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'base64', decoded });
  }
  for (const m of text.matchAll(HEX_RUN)) {
    const decoded = decodeHex(m[0]);
    if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'hex', decoded });
  }
  if (text.includes('%')) {
    for (const m of text.matchAll(URL_RUN)) {
      const decoded = decodePercent(m[0]);
      if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'url', decoded });
    }
  }
  if (text.includes('&#')) {
    for (const m of text.matchAll(ENTITY_RUN)) {
      const decoded = decodeEntities(m[0]);
      if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'html_entities', decoded });
    }
  }
  return out;
}

/** Decodes a base64 or base64url run; `null` unless it is mostly printable text. */
export function decodeBase64(run: string): string | null {
  const body = run.replace(/=+$/, '');
  const standard = /[+/]/.test(body);
  const urlSafe = /[-_]/.test(body);
  if (standard && urlSafe) return null;
  // Plain words and identifiers match the alphabet too; real base64 of text mixes cases.
  if (!/[a-z]/.test(body) || !/[A-Z0-9]/.test(body)) return null;
  if (body.length % 4 === 1) return null;
  return printableText(Buffer.from(body, urlSafe ? 'base64url' : 'base64'));
}

/** Decodes a hex run (any of the accepted spellings); `null` unless it is printable text. */
export function decodeHex(run: string): string | null {
  const digits = run.replace(/\\x|0x|[\s:,]/g, '');
  if (digits.length % 2 !== 0 || digits.length < 12) return null;
  return printableText(Buffer.from(digits, 'hex'));
}

/** Decodes %-escapes; `null` when the run is malformed or decodes to nothing readable. */
export function decodePercent(run: string): string | null {
  try {
    const decoded = decodeURIComponent(run.replace(/\+/g, ' '));
    return decoded !== run && isMostlyPrintable(decoded) ? decoded : null;
  } catch {
    return null;
  }
}

/** Decodes `&#105;&#x67;…` entity runs. */
export function decodeEntities(run: string): string | null {
  let out = '';
  for (const m of run.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const body = m[1]!;
    const cp = body.startsWith('x') ? parseInt(body.slice(1), 16) : parseInt(body, 10);
    if (!Number.isFinite(cp) || cp > 0x10ffff) return null;
    out += String.fromCodePoint(cp);
  }
  return isMostlyPrintable(out) ? out : null;
}

/**
 * rot13 of ASCII letters.
 *
 * @example rot13('vtaber nyy ehyrf') // → 'ignore all rules'
 */
export function rot13(text: string): string {
  return text.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/**
 * Whether `text` reads as rot13'd English: almost no English function words as written, and
 * a fair share once rotated. Only such texts are worth a rot13 rescan.
 */
export function looksRot13(lower: string): boolean {
  if (functionWordRatio(lower) > 0.08) return false;
  return functionWordRatio(rot13(lower)) >= 0.2;
}

function printableText(bytes: Buffer): string | null {
  if (bytes.length < 8) return null;
  const text = bytes.toString('utf8');
  return isMostlyPrintable(text) ? text : null;
}

/** At least 90 % printable characters (letters, digits, punctuation, spaces) and some letters. */
export function isMostlyPrintable(text: string): boolean {
  if (text.length === 0) return false;
  let printable = 0;
  let letters = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd) continue;
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13 || c >= 0xa0) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0) letters++;
  }
  return printable / text.length >= 0.9 && letters >= Math.min(4, text.length / 2);
}
