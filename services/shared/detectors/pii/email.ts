/**
 * E-mail addresses. Retina asset names (`logo@2x.png`), git remotes (`git@github.com:org/repo`)
 * and npm-style `name@1.2.3` look like addresses and are not.
 */
import type { PiiMatch } from './match.js';

/**
 * Local part, `@`, dot-separated labels, an alphabetic TLD. Each label class excludes `.`, so
 * the split between labels is fixed and a failed match cannot backtrack across them.
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

/** File extensions that follow `@2x`-style asset names. */
const FILE_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'ico', 'bmp', 'css', 'js', 'mjs', 'ts', 'json', 'map', 'pdf']);

export function findEmails(text: string): PiiMatch[] {
  if (!text.includes('@')) return [];
  const out: PiiMatch[] = [];
  EMAIL.lastIndex = 0;
  for (let m = EMAIL.exec(text); m !== null; m = EMAIL.exec(text)) {
    const value = m[0];
    const end = m.index + value.length;
    const tld = value.slice(value.lastIndexOf('.') + 1).toLowerCase();
    if (FILE_TLDS.has(tld)) continue;
    if (value.startsWith('git@') && text[end] === ':') continue;
    out.push({ start: m.index, end, label: 'email', score: 0.5 });
  }
  return out;
}
