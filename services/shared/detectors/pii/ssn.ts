/**
 * US Social Security numbers. `123-45-6789` is specific enough alone; `123 45 6789` and
 * `123456789` are any nine digits (zip+4, account and order numbers) unless the text just before
 * names an SSN. Numbers the SSA never issues are skipped: area 000, 666 or 900–999, group 00,
 * serial 0000.
 */
import type { PiiMatch } from './match.js';

const DASHED = /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d]|-\d)/g;
const SPACED_OR_PLAIN = /(?<![\d-])(\d{3})( ?)(\d{2})\2(\d{4})(?![\d])/g;
/** Within this many characters before the number. */
const CONTEXT_CHARS = 48;
const SSN_WORDS = /\b(?:ssn|ss#|ssns|social\s+security|soc\.?\s*sec\.?|tax\s*payer\s+id|taxpayer\s+id|itin)\b/i;

export function findSsns(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  DASHED.lastIndex = 0;
  for (let m = DASHED.exec(text); m !== null; m = DASHED.exec(text)) {
    if (!issuable(m[1]!, m[2]!, m[3]!)) continue;
    out.push({ start: m.index, end: m.index + m[0].length, label: 'ssn', score: namedBefore(text, m.index) ? 0.95 : 0.8 });
  }
  SPACED_OR_PLAIN.lastIndex = 0;
  for (let m = SPACED_OR_PLAIN.exec(text); m !== null; m = SPACED_OR_PLAIN.exec(text)) {
    if (!issuable(m[1]!, m[3]!, m[4]!) || !namedBefore(text, m.index)) continue;
    out.push({ start: m.index, end: m.index + m[0].length, label: 'ssn', score: 0.8 });
  }
  return out;
}

export function issuable(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function namedBefore(text: string, at: number): boolean {
  return SSN_WORDS.test(text.slice(Math.max(0, at - CONTEXT_CHARS), at));
}
