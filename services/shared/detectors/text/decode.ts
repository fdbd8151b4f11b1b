/**
 * Finds encoded runs in a text and decodes them, so the payload can be scanned like plain
 * text: base64 (standard and url-safe), hex (plain, spaced, `\x41` escapes), %-URL-encoding,
 * HTML numeric entities, Morse code (rot13 is rot13.ts). Each decoded payload keeps the span of its encoded run in
 * the original text; a finding in the payload is reported on that span.
 *
 * Only payloads that decode to mostly printable text are returned: a hash, a key or random
 * bytes decode to noise and are skipped, which keeps the rescans cheap and quiet.
 */
import type { Span } from './mapped.js';

export type Encoding = 'base64' | 'hex' | 'url' | 'html_entities' | 'morse';

export interface DecodedRun extends Span {
  encoding: Encoding;
  /** The decoded payload. */
  decoded: string;
}

/** Runs shorter than this are too short to hide an instruction and too common to decode. */
export const MIN_BASE64_RUN = 16;
/** Spaced hex (`49 67 6e …`) needs this many pairs. */
const MIN_HEX_PAIRS = 8;

const HEX_ESCAPED = /(?:\\x[0-9a-fA-F]{2}){6,}|(?:0x[0-9a-fA-F]{2}[\s,]*){6,}/g;
/** Four or more %-escapes close together; the run is then widened to its whole word. */
const URL_RUN = /(?:%[0-9a-fA-F]{2}[^\s%]{0,3}){4,}/g;
const HAS_ESCAPE = /%[0-9a-fA-F]{2}/;
const ENTITY_RUN = /(?:&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});){4,}/g;
/** Eight or more Morse letters: dots and dashes, letters split by a space, words by two spaces or a slash. */
const MORSE_RUN = /(?:[.-]{1,7}(?: {1,3}| ?\/ ?)){7,}[.-]{1,7}/g;
const MORSE: Readonly<Record<string, string>> = Object.fromEntries(
  'a.- b-... c-.-. d-.. e. f..-. g--. h.... i.. j.--- k-.- l.-.. m-- n-. o--- p.--. q--.- r.-. s... t- u..- v...- w.-- x-..- y-.-- z--.. 0----- 1.---- 2..--- 3...-- 4....- 5..... 6-.... 7--... 8---.. 9----. ..-.-.- ,--..-- ?..--.. \'.----. !-.-.--'
    .split(' ')
    .map((e) => [e.slice(1), e[0]!]),
);

/** Per ASCII code: 1 base64 (either alphabet), 2 also a hex digit. */
const ALPHABET = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[0-9a-fA-F]/.test(ch)) ALPHABET[c] = 2;
  else if (/[A-Za-z+/_-]/.test(ch)) ALPHABET[c] = 1;
}
const kind = (text: string, i: number): number => {
  const c = text.charCodeAt(i);
  return c < 128 ? ALPHABET[c]! : 0;
};

/**
 * Every encoded run in `text` that decodes to printable text.
 *
 * @example findEncodedRuns('run aWdub3JlIGFsbCBydWxlcw==')[0].decoded // → 'ignore all rules'
 */
export function findEncodedRuns(text: string): DecodedRun[] {
  const out: DecodedRun[] = [];
  scanAlphabetRuns(text, out);
  if (text.includes('\\x') || text.includes('0x')) {
    for (const m of text.matchAll(HEX_ESCAPED)) {
      const decoded = decodeHex(m[0]);
      if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'hex', decoded });
    }
  }
  if (HAS_ESCAPE.test(text)) {
    for (const m of text.matchAll(URL_RUN)) {
      let start = m.index;
      while (start > 0 && !/\s/.test(text[start - 1]!)) start--;
      const decoded = decodePercent(text.slice(start, m.index + m[0].length));
      if (decoded !== null) out.push({ start, end: m.index + m[0].length, encoding: 'url', decoded });
    }
  }
  if (text.includes('&#')) {
    for (const m of text.matchAll(ENTITY_RUN)) {
      const decoded = decodeEntities(m[0]);
      if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'html_entities', decoded });
    }
  }
  if (text.includes('.-') || text.includes('-.')) {
    for (const m of text.matchAll(MORSE_RUN)) {
      const decoded = decodeMorse(m[0]);
      if (decoded !== null) out.push({ start: m.index, end: m.index + m[0].length, encoding: 'morse', decoded });
    }
  }
  return out;
}

/**
 * Decodes Morse code (letters split by one space, words by two or more spaces or a slash);
 * `null` when a symbol is not Morse.
 *
 * @example decodeMorse('.. --. -. --- .-. .') // → 'ignore'
 */
export function decodeMorse(run: string): string | null {
  const words: string[] = [];
  for (const word of run.trim().split(/ *\/ *| {2,}/)) {
    let w = '';
    for (const letter of word.split(' ')) {
      if (letter === '') continue;
      const ch = MORSE[letter];
      if (ch === undefined) return null;
      w += ch;
    }
    words.push(w);
  }
  const decoded = words.join(' ');
  return isMostlyPrintable(decoded) ? decoded : null;
}

/**
 * One pass over the text for the two encodings without a marker: long runs of the base64
 * alphabet (tried as hex when they are all hex digits), and hex pairs separated by spaces or
 * colons. Cheaper than regexes that restart at every character.
 */
function scanAlphabetRuns(text: string, out: DecodedRun[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    // Skip what cannot start a run, then take the run (both loops inlined: this sees every character).
    let c = text.charCodeAt(i);
    if (c >= 128 || ALPHABET[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    let allHex = true;
    while (i < n) {
      c = text.charCodeAt(i);
      const k = c < 128 ? ALPHABET[c]! : 0;
      if (k === 0) break;
      if (k !== 2) allHex = false;
      i++;
    }
    let end = i;
    if (end - start >= MIN_BASE64_RUN) {
      while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++; // '=' padding
      const run = text.slice(start, end);
      const hex = allHex && end === i ? decodeHex(run) : null;
      const decoded = hex ?? decodeBase64(run);
      if (decoded !== null) out.push({ start, end, encoding: hex !== null ? 'hex' : 'base64', decoded });
      i = end;
    } else if (end - start === 2 && allHex && (text[end] === ' ' || text[end] === ':')) {
      const pairsEnd = spacedHexEnd(text, start);
      if (pairsEnd > 0) {
        const decoded = decodeHex(text.slice(start, pairsEnd));
        if (decoded !== null) out.push({ start, end: pairsEnd, encoding: 'hex', decoded });
        i = pairsEnd;
      }
    }
  }
}

/** End of a run of at least MIN_HEX_PAIRS hex pairs separated by one space or colon from `start`, or -1. */
function spacedHexEnd(text: string, start: number): number {
  let j = start;
  let pairs = 0;
  for (;;) {
    if (kind(text, j) !== 2 || kind(text, j + 1) !== 2 || kind(text, j + 2) !== 0) break;
    pairs++;
    const sep = text[j + 2];
    if ((sep === ' ' || sep === ':') && kind(text, j + 3) === 2) j += 3;
    else {
      j += 2;
      break;
    }
  }
  if (kind(text, j) === 2) j += 2; // stopped on a separator before a last pair that ends the run
  return pairs >= MIN_HEX_PAIRS ? Math.min(j, text.length) : -1;
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
