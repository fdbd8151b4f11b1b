/**
 * Phone numbers: E.164 (`+14155552671`, `+44 20 7946 0958`) and national formats written with
 * separators (`(415) 555-2671`, `415.555.2671`, `020 7946 0958`, `01 23 45 67 89`).
 * What looks alike and is not: dates (`2024-01-15`), versions and IPs (`10.0.19045.3803`),
 * ISBNs (`978-3-16-148410-0`), ranges, and bare digit strings (order numbers) — a number
 * without `+` must have separators, 10 or 11 digits, and groups of at least two digits.
 */
import type { PiiMatch } from './match.js';

/**
 * A run of digits and phone separators, starting with `+`, `(` or a digit; split and judged
 * in code. One bounded quantifier over one class: no backtracking beyond the run.
 */
const RUN = /(?<![\w+.\-/:#=])(?:\+|\(?)\d[\d ().-]{5,24}\d(?![\w/:]|[.-]\d)/g;
const PHONE_WORDS = /\b(?:phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|text me|contact)\b/i;
const CONTEXT_CHARS = 32;
const DATE_START = /^(?:(?:19|20)\d{2}[-./ ](?:0?[1-9]|1[0-2])[-./ ]\d{1,2}|\d{1,2}[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)\d{2})/;

export function findPhones(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m !== null; m = RUN.exec(text)) {
    if (digitCount(m[0]) < 8) continue;
    const run = trimRun(m[0]);
    if (run === null) continue;
    const named = PHONE_WORDS.test(text.slice(Math.max(0, m.index - CONTEXT_CHARS), m.index));
    const score = (run.startsWith('+') ? 0.6 : 0.5) + (named ? 0.2 : 0);
    out.push({ start: m.index, end: m.index + run.length, label: 'phone', score });
  }
  return out;
}

/** Trailing groups dropped at most: enough for `+1 415 555 2671 2 times`, bounded on digit soup. */
const MAX_TRIMS = 3;

/** The longest prefix of the run (whole groups) that is a phone number, or null. */
function trimRun(run: string): string | null {
  let candidate = run.trim();
  for (let trims = 0; trims <= MAX_TRIMS && candidate.length > 0; trims++) {
    if (isPhone(candidate)) return candidate;
    const cut = candidate.search(/[ ().-]+\d+\)?$/);
    if (cut <= 0) return null;
    candidate = candidate.slice(0, cut);
  }
  return null;
}

export function isPhone(value: string): boolean {
  if (/[ ().-]{2,}/.test(value.replace(/\) /g, ')').replace(/ \(/g, '('))) return false;
  if (!balancedParens(value) || DATE_START.test(value)) return false;
  const groups = value.match(/\d+/g) ?? [];
  const digits = groups.join('');
  // International: a country code never starts with 0, and no number ends in a one-digit group.
  if (value.startsWith('+')) return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0' && (groups.at(-1)?.length ?? 0) >= 2;
  if (groups.length < 2 || digits.length < 10 || digits.length > 11) return false;
  const seps = new Set(value.replace(/\) ?/g, ')').replace(/[\d()]/g, ''));
  // One kind of separator (a space after `(415)` counts as none): `2024-01-15 1234` mixes.
  if (seps.size > 1) return false;
  // A dotted quad of short groups is an address or a version, not a number to call.
  if (seps.has('.') && groups.length === 4 && groups.every((g) => g.length <= 3)) return false;
  // Groups of two or more digits; a lone leading `1` is the US trunk prefix (1-800-555-0199).
  return groups.every((g, i) => g.length >= 2 || (i === 0 && g === '1'));
}

function digitCount(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function balancedParens(value: string): boolean {
  const open = value.indexOf('(');
  const close = value.indexOf(')');
  if (open === -1 && close === -1) return true;
  return open !== -1 && close > open + 1 && value.indexOf('(', open + 1) === -1 && value.indexOf(')', close + 1) === -1;
}
