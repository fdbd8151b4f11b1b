/**
 * IBANs: country code, two check digits and the country's fixed-length account number,
 * written compact or in groups of four; valid only if the ISO 7064 mod-97 check gives 1, which a
 * mistyped or made-up number fails 99 times in 100.
 */
import type { PiiMatch } from './match.js';

/** IBAN length by country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, QA: 29, RO: 24, RS: 22, RU: 33,
  SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

/** A country code and check digits; the rest (single spaces allowed) is measured in code. */
const IBAN_START = /(?<![A-Za-z0-9])([A-Z]{2})\d{2}(?=[ ]?[A-Z0-9])/g;

export function findIbans(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  IBAN_START.lastIndex = 0;
  for (let m = IBAN_START.exec(text); m !== null; m = IBAN_START.exec(text)) {
    const length = IBAN_LENGTHS[m[1]!];
    if (length === undefined) continue;
    const end = takeAlnum(text, m.index, length);
    if (end === -1) continue;
    const compact = text.slice(m.index, end).replace(/ /g, '');
    if (!ibanValid(compact)) continue;
    out.push({ start: m.index, end, label: 'iban', score: 0.9 });
    IBAN_START.lastIndex = end;
  }
  return out;
}

/**
 * The end of `count` upper-case letters and digits from `start`, single spaces between them
 * allowed; -1 if the text has fewer, or if the number runs on (a longer token is not an IBAN).
 */
function takeAlnum(text: string, start: number, count: number): number {
  let i = start;
  let n = 0;
  while (n < count && i < text.length) {
    const c = text.charCodeAt(i);
    if (isUpperAlnum(c)) n++;
    else if (c !== 32 || !isUpperAlnum(text.charCodeAt(i + 1)) || n < 4) return -1;
    i++;
  }
  if (n < count) return -1;
  return isUpperAlnum(text.charCodeAt(i)) || /[a-z]/.test(text[i] ?? '') ? -1 : i;
}

function isUpperAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

/** The length for its country, and the mod-97 check (ISO 13616): the rearranged number mod 97 is 1. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban) || IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    // Letters count as two digits (A = 10 … Z = 35); the remainder is carried digit by digit.
    rest = c >= 65 ? (rest * 100 + (c - 55)) % 97 : (rest * 10 + (c - 48)) % 97;
  }
  return rest === 1;
}
