/**
 * Does a URL carry data out? A tracking pixel or a docs link carries none; exfiltration puts
 * the stolen text in the query, the path or a subdomain: long values, base64/hex blobs, whole
 * sentences, or recognisable secrets and personal data.
 */
import { findPii } from '../pii/index.js';
import { looksGenerated } from '../secrets/entropy.js';
import { findSecrets } from '../secrets/index.js';
import { percentDecode } from './urls.js';

export type PayloadReason =
  /** A credential (secrets detector) in the decoded URL. */
  | 'secret'
  /** An e-mail, card, IBAN or SSN (pii detector) in the decoded URL. */
  | 'personal_data'
  /** A base64/hex-looking value, path segment or subdomain. */
  | 'encoded'
  /** Prose: a value of several words (conversation text). */
  | 'text'
  /** A value or segment too long to be an id. */
  | 'long_value'
  /** A query string too long to be navigation. */
  | 'long_query'
  /** Many parameters, none suspicious alone. */
  | 'many_params';

export interface Payload {
  reasons: PayloadReason[];
  /** Secrets or personal data are in it. */
  sensitive: boolean;
  /** Data is in it (every reason but `many_params`). */
  strong: boolean;
}

const LONG_VALUE = 64;
const LONG_SEGMENT = 100;
const LONG_QUERY = 256;
const MANY_PARAMS = 6;
const ENCODED = /^[A-Za-z0-9+/_=-]+$/;
/** What ids look like: UUIDs, hashes (git SHAs, content addresses), numbers, slugs. Not data. */
const ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{1,64}|[0-9A-F]{1,64}|\d{1,20}|[a-z0-9]+(?:[-_.][a-z0-9]+)*)$/;

/** Why `url` looks like it carries data, or null if it carries none. */
export function payloadOf(url: URL): Payload | null {
  const reasons = new Set<PayloadReason>();
  const blobs: string[] = [];
  const params = [...url.searchParams];
  for (const [name, value] of params) {
    // Data can ride in a parameter's name as well as its value (`?<base64>=1`).
    if (!judgeValue(value, reasons, blobs, 20, LONG_VALUE)) judgeValue(name, reasons, blobs, 20, LONG_VALUE);
  }
  for (const segment of url.pathname.split('/')) judgeValue(percentDecode(segment, false), reasons, blobs, 24, LONG_SEGMENT);
  // DNS exfiltration: the data is the subdomain (`<base64>.attacker.example`).
  for (const label of url.hostname.split('.').slice(0, -2)) if (label.length >= 24 && looksGenerated(label, 24, 3.5)) reasons.add('encoded');
  if (url.search.length >= LONG_QUERY) reasons.add('long_query');
  if (params.length >= MANY_PARAMS) reasons.add('many_params');

  // What the URL says once decoded, and what its base64 blobs say: secrets and PII hide in both.
  const texts = [percentDecode(url.pathname, false) + percentDecode(url.search) + ' ' + url.hostname, ...blobs];
  if (texts.some((t) => findSecrets(t).length > 0)) reasons.add('secret');
  if (texts.some((t) => findPii(t).some((m) => m.label !== 'phone'))) reasons.add('personal_data');

  if (reasons.size === 0) return null;
  const list = [...reasons];
  return {
    reasons: list,
    sensitive: reasons.has('secret') || reasons.has('personal_data'),
    strong: list.some((r) => r !== 'many_params'),
  };
}

/** Adds the reasons one decoded value gives, and its base64 decoding to `blobs` if it is text; true if it gave any. */
function judgeValue(value: string, reasons: Set<PayloadReason>, blobs: string[], minEncoded: number, longAt: number): boolean {
  if (value.length < 12 || (value.length <= LONG_VALUE && ID.test(value))) return false;
  const before = reasons.size;
  if (value.trim().split(/\s+/).length >= 4) reasons.add('text');
  if (value.length >= minEncoded && ENCODED.test(value) && looksGenerated(value, minEncoded, 3.5)) {
    reasons.add('encoded');
    const text = base64Text(value);
    if (text !== null) blobs.push(text);
  }
  if (value.length >= longAt) reasons.add('long_value');
  return reasons.size > before;
}

/** The base64 (or base64url) value decoded, if it decodes to printable text. */
function base64Text(value: string): string | null {
  const text = Buffer.from(value, 'base64').toString('utf8');
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9 || (c >= 160 && c !== 0xfffd)) printable++;
  }
  return text.length > 0 && printable / text.length >= 0.9 ? text : null;
}
