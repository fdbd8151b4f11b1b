/**
 * Payment card numbers: 13–19 digits, contiguous or grouped the way cards are printed
 * (4-4-4-4, 4-6-5, 4-6-4) with one kind of separator, Luhn-valid, and starting with an issuer
 * prefix a card network uses. The three checks together keep order numbers, tracking numbers
 * and timestamps out: a random 16-digit number passes Luhn one time in ten.
 */
import type { PiiMatch } from './match.js';

/** Digit runs with single spaces or dashes: candidates, split and checked in code. */
const DIGIT_RUN = /(?<![\d.,])\d(?:[ -]?\d){12,40}(?![\d])/g;

export function findCards(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m !== null; m = DIGIT_RUN.exec(text)) {
    const found = cardIn(m[0]);
    if (found) out.push({ start: m.index + found.start, end: m.index + found.end, label: 'card', score: 0.9 });
  }
  return out;
}

/** The card number in a digit run: the whole run, or consecutive groups printed like a card with one separator. */
function cardIn(run: string): { start: number; end: number } | null {
  const groups = [...run.matchAll(/\d+/g)].map((g) => ({ digits: g[0], start: g.index, end: g.index + g[0].length }));
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    const lengths: number[] = [];
    for (let j = i; j < groups.length && digits.length < 19; j++) {
      const g = groups[j]!;
      if (j > i + 1 && run[g.start - 1] !== run[groups[i + 1]!.start - 1]) break;
      digits += g.digits;
      lengths.push(g.digits.length);
      // Stop as soon as the groups so far cannot begin a printed card: digit soup costs one pass.
      if (!couldBeCard(lengths)) break;
      if (digits.length >= 13 && isCardNumber(digits)) return { start: groups[i]!.start, end: g.end };
    }
  }
  return null;
}

/** Group lengths a printed card starts with: one run of digits, 4-6-5 / 4-6-4, or fours ending in one to four. */
function couldBeCard(lengths: readonly number[]): boolean {
  if (lengths.length === 1) return true;
  if (lengths[0] !== 4) return false;
  if (lengths[1] === 6) return lengths.length === 2 || (lengths.length === 3 && (lengths[2] === 4 || lengths[2] === 5));
  for (let k = 1; k < lengths.length - 1; k++) if (lengths[k] !== 4) return false;
  return (lengths.at(-1) ?? 0) <= 4;
}

/** Luhn-valid, with a length and issuer prefix of a real card network. */
export function isCardNumber(digits: string): boolean {
  return /^\d{13,19}$/.test(digits) && cardNetwork(digits) !== null && luhnValid(digits);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The network an issuer prefix (IIN) and length belong to, or null. */
export function cardNetwork(digits: string): string | null {
  const len = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (len === 13 || len === 16 || len === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && len === 15) return 'amex';
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) && len >= 16) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && len >= 16) return 'jcb';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && len >= 14) return 'diners';
  if (p2 === 62 && len >= 16) return 'unionpay';
  if (p4 >= 2200 && p4 <= 2204 && len >= 16) return 'mir';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && len >= 13) return 'maestro';
  return null;
}
