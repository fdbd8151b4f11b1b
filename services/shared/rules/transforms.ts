/**
 * Normalisation modifiers of field conditions (`transform: [nfkc, strip_invisible, decode]`):
 * applied to a value before it is compared, so an attacker's zero-width characters,
 * full-width letters or base64 do not slip past a `contains`.
 */
import type { TRANSFORMS } from './schema.js';

export type TransformName = (typeof TRANSFORMS)[number];

/** Zero-width, bidi controls, BOM, soft hyphen and the Unicode tag block. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|[\u{e0000}-\u{e007f}]/gu;
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /\b(?:[0-9a-fA-F]{2}){8,}\b/g;

/** Applies the transforms in order; `decode` adds decoded variants, so one value may become several. */
export function applyTransforms(value: string, transforms: readonly TransformName[]): string[] {
  let values = [value];
  for (const t of transforms) {
    if (t === 'decode') values = values.flatMap((v) => [v, ...decodedVariants(v)]);
    else values = values.map((v) => transformOne(v, t));
  }
  return values;
}

function transformOne(value: string, t: Exclude<TransformName, 'decode'>): string {
  switch (t) {
    case 'nfkc':
      return value.normalize('NFKC');
    case 'strip_invisible':
      return value.replace(INVISIBLE, '');
    case 'lowercase':
      return value.toLowerCase();
  }
}

/** Text hidden in base64, hex or %-encoding inside the value, when it decodes to readable text. */
export function decodedVariants(value: string): string[] {
  const out: string[] = [];
  if (/%[0-9a-fA-F]{2}/.test(value)) {
    try {
      out.push(decodeURIComponent(value.replace(/\+/g, ' ')));
    } catch {
      // Malformed %-sequences: nothing to decode.
    }
  }
  for (const run of value.match(BASE64_RUN) ?? []) {
    const text = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    if (readable(text)) out.push(text);
  }
  for (const run of value.match(HEX_RUN) ?? []) {
    const text = Buffer.from(run, 'hex').toString('utf8');
    if (readable(text)) out.push(text);
  }
  return out;
}

function readable(text: string): boolean {
  if (text.length < 4) return false;
  let printable = 0;
  for (const ch of text) if (/[\p{L}\p{N}\p{P}\p{Zs}]/u.test(ch)) printable++;
  return printable / [...text].length > 0.85;
}
