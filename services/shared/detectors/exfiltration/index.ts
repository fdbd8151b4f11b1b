/**
 * `exfiltration`: model output that makes the client send data to a host the operator did not
 * allow (`allowed_hosts`). Markdown or HTML images are fetched as soon as the answer renders —
 * the zero-click channel prompt injections use to ship out conversation text and secrets —
 * so they score highest; links need a click and score lower. A URL that carries no data
 * (a plain image, a docs link) is not reported.
 *
 * @example
 *   exfiltrationDetector.run(outputEvent, { config: { allowed_hosts: ['*.example.com'] } }).findings
 *   // [{ detector: 'exfiltration', field: 'output.text', start: 9, end: 62, score: 0.9, label: 'markdown_image_exfil' }]
 */
import { textFields, type TextField } from '../fields.js';
import { resultOf, type Detector, type Finding } from '../types.js';
import { hostAllowed } from './hosts.js';
import { payloadOf, type Payload } from './payload.js';
import { findUrls, type UrlKind, type UrlOccurrence } from './urls.js';

export { hostAllowed, normalizeHost } from './hosts.js';
export { payloadOf, type Payload, type PayloadReason } from './payload.js';
export { findBareUrls, findUrls, percentDecode, type UrlKind, type UrlOccurrence } from './urls.js';

export const EXFILTRATION = 'exfiltration';
export const EXFILTRATION_LABELS = ['markdown_image_exfil', 'html_image_exfil', 'link_exfil'] as const;
export type ExfiltrationLabel = (typeof EXFILTRATION_LABELS)[number];

/** Each field is scanned up to this many UTF-16 units. */
export const MAX_SCAN_CHARS = 256 * 1024;

/** What the model wrote: the output, and assistant turns replayed in later prompts. */
const WATCHED_SOURCES: ReadonlySet<TextField['source']> = new Set(['output', 'assistant']);

const LABEL: Record<UrlKind, ExfiltrationLabel> = {
  markdown_image: 'markdown_image_exfil',
  html_autoload: 'html_image_exfil',
  markdown_link: 'link_exfil',
  html_link: 'link_exfil',
  bare: 'link_exfil',
};

/** Score by how the URL is fetched (render, click, copy) and what it carries. */
const SCORES: Record<'render' | 'click' | 'text', Record<'sensitive' | 'strong' | 'weak', number>> = {
  render: { sensitive: 0.95, strong: 0.9, weak: 0.5 },
  click: { sensitive: 0.8, strong: 0.6, weak: 0.35 },
  text: { sensitive: 0.7, strong: 0.5, weak: 0.3 },
};

export interface ExfilMatch {
  start: number;
  end: number;
  label: ExfiltrationLabel;
  score: number;
  host: string;
  payload: Payload;
}

/** URLs in `text` that go to a host outside `allowedHosts` and carry data. */
export function findExfiltration(text: string, allowedHosts: readonly string[]): ExfilMatch[] {
  const t = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const out: ExfilMatch[] = [];
  for (const occ of findUrls(t)) {
    const url = parseWebUrl(occ.url);
    if (url === null || hostAllowed(url.hostname, allowedHosts)) continue;
    const payload = payloadOf(url);
    if (payload === null) continue;
    const strength = payload.sensitive ? 'sensitive' : payload.strong ? 'strong' : 'weak';
    out.push({ start: occ.start, end: occ.end, label: LABEL[occ.kind], score: SCORES[channel(occ)][strength], host: url.hostname, payload });
  }
  return out;
}

export const exfiltrationDetector: Detector = {
  name: EXFILTRATION,
  description: 'Model output with images or links to hosts outside allowed_hosts that carry data in the URL (zero-click image exfiltration scores highest).',
  run(event, ctx) {
    const allowed = ctx.config.allowed_hosts ?? [];
    const findings: Finding[] = [];
    for (const field of textFields(event)) {
      if (!WATCHED_SOURCES.has(field.source)) continue;
      for (const m of findExfiltration(field.text, allowed)) {
        findings.push({ detector: EXFILTRATION, field: field.path, start: m.start, end: m.end, score: m.score, label: m.label });
      }
    }
    return resultOf(findings);
  },
};

function channel(occ: UrlOccurrence): 'render' | 'click' | 'text' {
  if (occ.kind === 'markdown_image' || occ.kind === 'html_autoload') return 'render';
  return occ.kind === 'bare' ? 'text' : 'click';
}

/** http(s) and scheme-relative (`//host/x`) URLs with a host; anything else fetches nothing. */
function parseWebUrl(raw: string): URL | null {
  const candidate = raw.startsWith('//') ? `https:${raw}` : raw;
  if (!/^https?:\/\//i.test(candidate)) return null;
  try {
    const url = new URL(candidate);
    return url.hostname ? url : null;
  } catch {
    return null;
  }
}
