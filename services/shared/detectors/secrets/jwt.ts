/**
 * JSON Web Tokens: three base64url parts whose header decodes to a JSON object naming its
 * `alg`. The decode is what tells a bearer token from any dotted base64 string.
 */
import type { SecretMatch } from './match.js';
import { tokenMatches, tokenRegexes } from './patterns.js';

/** The token's shape: `eyJ` is `{"` in base64url, how every JSON header starts. The signature is empty for `alg: none`. */
export const JWT_SOURCE = 'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*';

const JWT = tokenRegexes(JWT_SOURCE);

export const JWT_SCORE = 0.9;

export function findJwts(text: string): SecretMatch[] {
  if (!text.includes('eyJ')) return [];
  const out: SecretMatch[] = [];
  for (const m of tokenMatches(text, JWT)) {
    if (isJwt(m[0])) out.push({ start: m.index, end: m.index + m[0].length, label: 'jwt', score: JWT_SCORE });
  }
  return out;
}

/** True when the header decodes to a JSON object with a string `alg`, and the payload to a JSON object. */
export function isJwt(token: string): boolean {
  const [header, payload] = token.split('.');
  if (header === undefined || payload === undefined) return false;
  const h = decodeJsonObject(header);
  return h !== null && typeof h.alg === 'string' && decodeJsonObject(payload) !== null;
}

function decodeJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
