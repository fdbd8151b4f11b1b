/**
 * What the evidence writer leaves where it removed a secret or personal data:
 * `[REDACTED:openai_key:95]`, `[PII:email:90]` or, hashed, `[PII:email:90:3fa1c2d4e5f6]`
 * (label, the finding's score in hundredths, and the HMAC). The secrets and PII detectors
 * read these markers back as findings with the same label and score, so rules replayed over
 * stored, redacted events (backtests, hunts) decide as they did on the live stream.
 */
import type { PiiMatch } from './pii/match.js';
import type { SecretMatch } from './secrets/match.js';

export function secretMarker(label: string, score: number): string {
  return `[REDACTED:${label}:${Math.round(score * 100)}]`;
}

export function piiMarker(label: string, score: number, hash?: string): string {
  return `[PII:${label}:${Math.round(score * 100)}${hash === undefined ? '' : `:${hash}`}]`;
}

const SECRET_MARKER = /\[REDACTED:([a-z0-9_]{1,40}):(\d{1,3})\]/g;
const PII_MARKER = /\[PII:(card|iban|ssn|email|phone):(\d{1,3})(?::[0-9a-f]{8,64})?\]/g;

export function findSecretMarkers(text: string): SecretMatch[] {
  if (!text.includes('[REDACTED:')) return [];
  return [...text.matchAll(SECRET_MARKER)].map((m) => ({ start: m.index, end: m.index + m[0].length, label: m[1]!, score: Number(m[2]) / 100 }));
}

export function findPiiMarkers(text: string): PiiMatch[] {
  if (!text.includes('[PII:')) return [];
  return [...text.matchAll(PII_MARKER)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    label: m[1] as PiiMatch['label'],
    score: Number(m[2]) / 100,
  }));
}
