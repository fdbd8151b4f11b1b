/**
 * `canary`: a canary token the app planted (`canaries` in the rule pack) showing up where
 * it must never be — the model's output, a tool call's arguments or target, a retrieval
 * query. Any appearance is a leak (score 1). Also found encoded: base64 or hex anywhere in
 * those fields, and percent-encoded inside a URL (a link or image carrying it out).
 *
 * @example
 *   canaryDetector.run(event, { config: { canaries: ['CANARY-7f3a9c2e'] } }).findings
 *   // [{ detector: 'canary', field: 'output.text', start: 20, end: 36, score: 1, label: 'canary' }]
 */
import { findBareUrls, percentDecode } from '../exfiltration/urls.js';
import { textFields, type TextField } from '../fields.js';
import { overlapsAny } from '../secrets/spans.js';
import { resultOf, type Detector, type Finding } from '../types.js';
import { base64Forms, hexForms } from './encodings.js';

export const CANARY = 'canary';
export const CANARY_LABELS = ['canary', 'canary_encoded'] as const;

/** Each field is scanned up to this many UTF-16 units. */
export const MAX_SCAN_CHARS = 256 * 1024;

/** Where a canary must not appear: what the model or an agent sends out, not what it was given. */
const WATCHED_SOURCES: ReadonlySet<TextField['source']> = new Set(['output', 'argument', 'query']);

export interface CanaryMatch {
  start: number;
  end: number;
  label: (typeof CANARY_LABELS)[number];
  /** The configured canary found. */
  canary: string;
}

/** Every occurrence of each canary in `text`, plain or encoded. */
export function findCanaries(text: string, canaries: readonly string[]): CanaryMatch[] {
  const t = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const out: CanaryMatch[] = [];
  const urls = findBareUrls(t).filter((u) => u.url.includes('%') || u.url.includes('+'));
  for (const canary of canaries) {
    if (canary.length < 4) continue;
    for (const at of occurrences(t, canary)) out.push({ start: at, end: at + canary.length, label: 'canary', canary });
    for (const form of encodedForms(canary)) {
      for (const at of occurrences(t, form)) out.push({ start: at, end: at + form.length, label: 'canary_encoded', canary });
    }
    // Percent-encoding varies by encoder (which characters, which case): decode each URL instead.
    const claimed = overlapsAny(out.filter((o) => o.canary === canary));
    for (const u of urls) {
      if (claimed(u.start, u.end)) continue;
      const decoded = percentDecode(percentDecode(u.url));
      if (decoded.includes(canary) || encodedForms(canary).some((f) => decoded.includes(f))) {
        out.push({ start: u.start, end: u.end, label: 'canary_encoded', canary });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export const canaryDetector: Detector = {
  name: CANARY,
  description: 'A configured canary token (plain, base64, hex or URL-encoded) in model output, tool call arguments or target, or a retrieval query.',
  run(event, ctx) {
    const canaries = ctx.config.canaries;
    if (!canaries || canaries.length === 0) return resultOf([]);
    const fields = textFields(event).filter((f) => WATCHED_SOURCES.has(f.source));
    const target = event.tool_call?.target;
    if (target) fields.push({ path: 'tool_call.target', text: target, source: 'argument' });
    const findings: Finding[] = [];
    for (const field of fields) {
      for (const m of findCanaries(field.text, canaries)) {
        findings.push({ detector: CANARY, field: field.path, start: m.start, end: m.end, score: 1, label: m.label });
      }
    }
    return resultOf(findings);
  },
};

/** Encoded forms by canary; canaries come from the rule pack, so the map is as small as the pack. */
const formsCache = new Map<string, string[]>();

function encodedForms(canary: string): string[] {
  let forms = formsCache.get(canary);
  if (!forms) {
    forms = [...base64Forms(canary), ...hexForms(canary)];
    if (formsCache.size >= 4096) formsCache.clear();
    formsCache.set(canary, forms);
  }
  return forms;
}

function* occurrences(text: string, needle: string): Generator<number> {
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) yield i;
}
