/**
 * Where exfiltrated data would go: email addresses, URLs, IBANs, crypto wallets, and tools
 * the model can call ("the send_email tool", "call `http_post`"). Found in the original text;
 * hosts in the rule pack's `allowed_hosts` are not targets.
 */
import type { Span } from '../text/index.js';

export type TargetKind = 'email' | 'url' | 'iban' | 'wallet' | 'tool';

export interface Target extends Span {
  kind: TargetKind;
  /** For emails and URLs, the host (lowercase). */
  host: string | null;
}

const EMAIL = /\b[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b/g;
const URL = /\bhttps?:\/\/([A-Za-z0-9.-]+)(?::\d+)?[^\s)"'<>\]]*/gi;
const BARE_DOMAIN_URL = /\b(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ru|cn|xyz|top|info|biz|co|me|app|dev|site|online|tk))\/[^\s)"'<>\]]*/gi;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const WALLET = /\b(?:0x[a-fA-F0-9]{40}|(?:bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,39})\b/g;
const TOOL =
  /\b(?:the\s+)?[`'"]?[A-Za-z][\w.-]{2,40}[`'"]?\s+(?:tool|function|plugin|api|action|endpoint|command)\b|`[A-Za-z_][\w.]*\(|\b[a-z]+_[a-z_]+\s*\(|\b(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?[`'"]?[a-z]+_[a-z_]+[`'"]?/gi;

/** What TOOL cannot match without (a keyword, a backtick or a snake_case name), tested first: it is far cheaper. */
const TOOL_NEEDS = /tool|function|plugin|api|action|endpoint|command|[`_]/i;
/** Two capitals and two digits start every IBAN. */
const IBAN_NEEDS = /[A-Z]{2}\d{2}/;

/** True when `host` is `allowed` exactly or matches a `*.example.com` entry. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((a) => {
    const rule = a.toLowerCase();
    return rule.startsWith('*.') ? h === rule.slice(2) || h.endsWith(rule.slice(1)) : h === rule;
  });
}

/**
 * Every target in `text`, in order.
 *
 * @example findTargets('send it to a@evil.io', [])[0] // → { kind: 'email', host: 'evil.io', start: 11, end: 20 }
 */
export function findTargets(text: string, allowedHosts: readonly string[]): Target[] {
  const out: Target[] = [];
  const add = (re: RegExp, kind: TargetKind, hostGroup: boolean): void => {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const host = hostGroup ? (m[1] ?? '').toLowerCase() : null;
      if (host && hostAllowed(host, allowedHosts)) continue;
      if (out.some((t) => t.start <= m.index && m.index < t.end)) continue;
      out.push({ kind, host, start: m.index, end: m.index + m[0].length });
    }
  };
  if (text.includes('@')) add(EMAIL, 'email', true);
  if (text.includes('://')) add(URL, 'url', true);
  if (text.includes('/')) add(BARE_DOMAIN_URL, 'url', true);
  if (IBAN_NEEDS.test(text)) add(IBAN, 'iban', false);
  add(WALLET, 'wallet', false);
  if (TOOL_NEEDS.test(text)) add(TOOL, 'tool', false);
  return out.sort((a, b) => a.start - b.start);
}
