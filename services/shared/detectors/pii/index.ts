/**
 * `pii`: personal data in any text of an event, each kind checked by its validator rather
 * than its shape alone — payment cards (Luhn + issuer prefix), IBANs (country length +
 * mod-97), US SSNs (issuable ranges; unseparated only after "SSN"), e-mail addresses, phone
 * numbers. IPv4 addresses are not reported: in AI telemetry they are infrastructure, not people.
 *
 * @example
 *   piiDetector.run(event, ctx).findings
 *   // [{ detector: 'pii', field: 'prompt.messages[1].content', start: 12, end: 31, score: 0.9, label: 'card' }]
 */
import { textFields } from '../fields.js';
import { findPiiMarkers } from '../redaction-markers.js';
import { keepStrongest } from '../secrets/spans.js';
import { resultOf, type Detector, type Finding } from '../types.js';
import { findCards } from './card.js';
import { findEmails } from './email.js';
import { findIbans } from './iban.js';
import type { PiiMatch } from './match.js';
import { findPhones } from './phone.js';
import { findSsns } from './ssn.js';

export type { PiiMatch } from './match.js';
export { cardNetwork, isCardNumber, luhnValid } from './card.js';
export { ibanValid, IBAN_LENGTHS } from './iban.js';
export { isPhone } from './phone.js';

export const PII = 'pii';
export const PII_LABELS = ['card', 'iban', 'ssn', 'email', 'phone'] as const;

/** Each field is scanned up to this many UTF-16 units: PII past 256 K characters goes unseen. */
export const MAX_SCAN_CHARS = 256 * 1024;

/**
 * Every piece of PII in `text`, by position. Where two overlap the stronger wins: a card
 * number is not also reported as a phone number.
 */
export function findPii(text: string): PiiMatch[] {
  const t = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  return keepStrongest([...findPiiMarkers(t), ...findCards(t), ...findIbans(t), ...findSsns(t), ...findEmails(t), ...findPhones(t)]);
}

export const piiDetector: Detector = {
  name: PII,
  description: 'Personal data in any text: payment cards, IBANs, US SSNs, e-mail addresses, phone numbers (validated, not just shaped).',
  run(event) {
    const findings: Finding[] = [];
    for (const field of textFields(event)) {
      for (const m of findPii(field.text)) findings.push({ detector: PII, field: field.path, ...m });
    }
    return resultOf(findings);
  },
};
