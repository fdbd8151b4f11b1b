/**
 * PEM private key blocks: `-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED |PGP ]PRIVATE KEY[ BLOCK]-----`.
 * The span covers the whole block so a redactor removes the key, not just its header. A header
 * with no key material after it (`…-----\n...\n-----END…`) is documentation, not a key.
 */
import type { SecretMatch } from './match.js';

const BEGIN = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
/** Base64 key material: a real key has hundreds of these characters; 64 rules out elided examples. */
const MIN_KEY_CHARS = 64;
/** Longest block looked at: an RSA-8192 key is about 6.5 KB of PEM. */
const MAX_BLOCK = 16 * 1024;

export function findPrivateKeys(text: string): SecretMatch[] {
  if (!text.includes('PRIVATE KEY')) return [];
  const out: SecretMatch[] = [];
  // The next footer, searched again only once passed: many headers and no footer stay linear.
  let endAt = -2;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const bodyStart = m.index + m[0].length;
    if (endAt !== -1 && endAt < bodyStart) endAt = text.indexOf('-----END ', bodyStart);
    const blockEnd = endAt !== -1 && endAt - bodyStart <= MAX_BLOCK ? footerEnd(text, endAt) : -1;
    // Without a footer (a truncated output), the key is the run of base64 lines after the header.
    const end = blockEnd !== -1 ? blockEnd : base64RunEnd(text, bodyStart);
    if (countBase64(text, bodyStart, end) < MIN_KEY_CHARS) continue;
    out.push({ start: m.index, end, label: 'private_key', score: 0.95 });
    BEGIN.lastIndex = end;
  }
  return out;
}

/** The end of `-----END … KEY-----`; just past `-----END ` if the footer does not close within its line length. */
function footerEnd(text: string, endAt: number): number {
  const close = text.slice(endAt + 9, endAt + 80).indexOf('-----');
  return close === -1 ? endAt + 9 : endAt + 9 + close + 5;
}

const KEY_LINE = /^(?:[A-Za-z0-9+/=]+|(?:Proc-Type|DEK-Info): [^\n]*)$/;

/** End of the base64 lines (and `Proc-Type:`/`DEK-Info:` headers) that follow `from`, looking at most MAX_BLOCK ahead. */
function base64RunEnd(text: string, from: number): number {
  const window = text.slice(from, from + MAX_BLOCK);
  let end = 0;
  let lineStart = 0;
  while (lineStart < window.length) {
    let lineEnd = window.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = window.length;
    const line = window.slice(lineStart, lineEnd).trim();
    if (line !== '' && !KEY_LINE.test(line)) break;
    if (line !== '') end = lineEnd;
    lineStart = lineEnd + 1;
  }
  return from + end;
}

function countBase64(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47) n++;
  }
  return n;
}
