/**
 * Paths that leave the directory a tool works in (`../../etc/passwd`, `..%2f..%2f`, `....//`)
 * or name files no agent should read: `/etc/passwd`, `/etc/shadow`, `~/.ssh/…`, cloud
 * credentials, `/proc/self/environ`, `C:\Windows\System32`. `src/../lib` stays inside and is
 * not reported.
 */
import { percentDecode } from '../exfiltration/urls.js';
import { overlapsAny } from '../secrets/spans.js';
import type { ToolMatch } from './match.js';

/** A `..` segment, written plainly, percent-encoded once or twice, or with backslashes. */
const DOT_DOT = /(?:\.\.|%2e%2e|%252e%252e|\.%2e|%2e\.)(?:[\\/]|%2f|%5c|%252f|%255c)/i;
/** Path-like tokens: a run without spaces or quotes. */
const TOKEN = /[^\s"'`<>|;,()]{2,4096}/g;
/** `....//` and `..././`: traversal that survives a filter which deletes `../` once. */
const FILTER_BYPASS = /\.{3,}[\\/]{1,2}|\.\.\.?[\\/]\.[\\/]/;

const SENSITIVE: readonly RegExp[] = [
  /\/etc\/(?:passwd|shadow|gshadow|sudoers|master\.passwd|security\/opasswd)\b/g,
  /\/proc\/(?:self|\d+)\/(?:environ|cmdline|mem|maps|root)\b/g,
  /(?:~|\$HOME|\$\{HOME\}|\/root|\/home\/[^/\s"']{1,64}|\/Users\/[^/\s"']{1,64})\/\.(?:ssh|aws|gnupg|kube|docker|azure|config\/gcloud)\b[^\s"'`]{0,256}/g,
  /(?:^|[\s"'=:/])\.ssh\/(?:id_[a-z0-9_]+|authorized_keys|known_hosts)\b/g,
  /(?:^|[\s"'=:/])\.aws\/credentials\b/g,
  /\/var\/run\/(?:secrets\/kubernetes\.io|docker\.sock)[^\s"'`]{0,256}/g,
  /\b[A-Za-z]:[\\/]{1,2}Windows[\\/]{1,2}(?:System32|SysWOW64|win\.ini|repair)\b[^\s"'`]{0,256}/gi,
  /\\Windows\\(?:System32|win\.ini)\b/gi,
];

export function findPathTraversal(text: string): ToolMatch[] {
  const sensitive: ToolMatch[] = [];
  for (const re of SENSITIVE) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      // Patterns that start at a delimiter: the path starts after it.
      const lead = /^[\s"'=:/]/.test(m[0]) && !m[0].startsWith('/') ? 1 : 0;
      sensitive.push({ start: m.index + lead, end: m.index + m[0].length, label: 'path_traversal', score: 0.85 });
    }
  }
  const out: ToolMatch[] = [];
  const starts = sensitive.map((s) => s.start).sort((a, b) => a - b);
  if (text.includes('..') || /%2e|%252e/i.test(text)) {
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
      const token = m[0];
      if (!DOT_DOT.test(token) && !FILTER_BYPASS.test(token)) continue;
      const start = m.index;
      const end = start + token.length;
      // Traversal that reaches a sensitive file is one finding, the whole path, at the top score.
      const reaches = sensitiveWithin(starts, start, end);
      const score = reaches ? 0.9 : FILTER_BYPASS.test(token) ? 0.8 : escapeScore(token);
      if (score > 0) out.push({ start, end, label: 'path_traversal', score });
    }
  }
  const covered = overlapsAny(out);
  for (const s of sensitive) if (!covered(s.start, s.end)) out.push(s);
  return out;
}

/**
 * Whether a sensitive path starts inside the token [start, end). Tokens are space-delimited
 * and sensitive paths contain no spaces, so one that starts inside also ends inside.
 */
function sensitiveWithin(starts: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! < end;
}

/**
 * 0 if the path stays inside its starting directory; 0.5 one level above it (`../x`, often
 * fine), 0.8 two or more (rarely anything but traversal).
 */
function escapeScore(token: string): number {
  const path = percentDecode(percentDecode(token, false), false).replace(/\\/g, '/');
  const rest = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  let depth = 0;
  let lowest = 0;
  for (const segment of rest.split('/')) {
    if (segment === '..') lowest = Math.min(lowest, --depth);
    else if (segment !== '' && segment !== '.') depth++;
  }
  return lowest <= -2 ? 0.8 : lowest === -1 ? 0.5 : 0;
}
