/**
 * Where a tool call reaches: SSRF to cloud metadata endpoints and to private, loopback and
 * link-local addresses (whatever the spelling: decimal, hex, octal, IPv4-mapped IPv6, rebinding
 * names like `127.0.0.1.nip.io`), and egress to hosts outside `egress_allowlist` when one is set.
 * Public addresses and ordinary host names are not SSRF.
 */
import { findBareUrls, hostAllowed, normalizeHost } from '../exfiltration/index.js';
import { overlapsAny } from '../secrets/spans.js';
import { classifyIPv4, classifyIPv6, parseIPv4, parseIPv6, type AddressClass } from './ip.js';
import type { ToolMatch } from './match.js';

interface HostRef {
  host: string;
  /** UTF-16 offsets of the URL or address in the text. */
  start: number;
  end: number;
  /** A URL or the call's target — somewhere the call goes — rather than an address mentioned in passing: egress applies. */
  destination: boolean;
}

const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'localtest.me', 'lvh.me']);
/** Wildcard DNS services that resolve a name to the address written in it: `10.0.0.1.nip.io`, `127-0-0-1.sslip.io`. */
const REBINDING_SUFFIX = /\.(?:nip\.io|sslip\.io|xip\.io|traefik\.me)$/;
const EMBEDDED_V4 = /(?:^|[.-])(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})(?=$|[.-])/;

const DOTTED_QUAD = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d|\w)/g;
const BRACKETED_V6 = /\[[0-9A-Fa-f:.]{2,45}(?:%[\w.-]{1,16})?\]/g;
const BARE_V6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}(?![\w:.])/g;
const NAMED = /(?<![\w.-])(?:localhost|metadata\.google\.internal|metadata\.goog|instance-data(?:\.ec2\.internal)?)(?![\w-]|\.\w)/gi;
/** A whole value that is a host (`10.0.0.5`, `db.internal:5432`, `[::1]:8080`, `0x7f000001`). */
const WHOLE_HOST = /^(?:\[[0-9A-Fa-f:.%\w]{2,64}\]|[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,16}\.?|localhost|0x[0-9A-Fa-f]{1,8}|[0-9A-Fa-f:]*::[0-9A-Fa-f:.]*)(?::\d{1,5})?(?:\/\S*)?$/;

/** What a host name or address points at: metadata, private, public; null for a DNS name we cannot judge (treated as public). */
export function classifyHost(raw: string): AddressClass | null {
  const host = normalizeHost(raw);
  if (METADATA_NAMES.has(host)) return 'metadata';
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || host.endsWith('.localtest.me') || host.endsWith('.lvh.me')) return 'private';
  if (REBINDING_SUFFIX.test(host)) {
    const m = EMBEDDED_V4.exec(host.replace(REBINDING_SUFFIX, ''));
    const v4 = m ? parseIPv4(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`) : null;
    return v4 === null ? null : classifyIPv4(v4);
  }
  const v6 = host.includes(':') ? parseIPv6(host) : null;
  if (v6) return classifyIPv6(v6);
  const v4 = parseIPv4(host);
  return v4 === null ? null : classifyIPv4(v4);
}

export function findNetworkRisks(text: string, egressAllowlist: readonly string[] | undefined, isTarget: boolean): ToolMatch[] {
  const out: ToolMatch[] = [];
  for (const ref of hostRefs(text, isTarget)) {
    const cls = classifyHost(ref.host);
    if (cls === 'metadata') out.push({ start: ref.start, end: ref.end, label: 'ssrf_metadata', score: 0.95 });
    else if (cls === 'private') out.push({ start: ref.start, end: ref.end, label: 'ssrf_private', score: 0.7 });
    if (egressAllowlist && ref.destination && ref.host !== '' && !hostAllowed(ref.host, egressAllowlist)) {
      out.push({ start: ref.start, end: ref.end, label: 'egress_not_allowed', score: 0.6 });
    }
  }
  return out;
}

/** Hosts in URLs, the whole value when it is a host, and addresses or local names mentioned anywhere else. */
function hostRefs(text: string, isTarget: boolean): HostRef[] {
  const refs: HostRef[] = [];
  for (const u of findBareUrls(text)) {
    const host = urlHost(u.url);
    if (host !== null) refs.push({ host, start: u.start, end: u.end, destination: true });
  }
  const trimmed = text.trim();
  if (refs.length === 0 && trimmed.length <= 300 && WHOLE_HOST.test(trimmed)) {
    const host = hostOf(trimmed);
    if (isTarget || looksLikeAddress(host)) {
      const start = text.indexOf(trimmed);
      refs.push({ host, start, end: start + trimmed.length, destination: true });
    }
  }
  const claimed = overlapsAny(refs);
  for (const re of [DOTTED_QUAD, BRACKETED_V6, BARE_V6, NAMED]) {
    if (re === BARE_V6 && !text.includes('::')) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const end = m.index + m[0].length;
      if (!claimed(m.index, end)) refs.push({ host: m[0], start: m.index, end, destination: false });
    }
  }
  return refs;
}

/** A whole argument value is taken as a host only if it is an address or a local name: `1.2` and `data.json` are not. */
function looksLikeAddress(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || /^0x[0-9a-f]+$/i.test(host) || host.includes(':') || host.startsWith('[') || classifyHost(host) !== null;
}

/** `db:5432/x` → `db`; `[::1]:80` → `[::1]`; `fd00:ec2::254` (unbracketed IPv6: no port to strip) as it is. */
function hostOf(value: string): string {
  const authority = value.replace(/\/.*$/, '');
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  return authority.split(':').length === 2 ? authority.replace(/:\d+$/, '') : authority;
}

/**
 * The URL's host as a client resolves it. A plain DNS name (last label starts with a letter)
 * is taken as written; anything else goes through the WHATWG parser, which decodes what SSRF
 * payloads hide behind (`%31%32%37.1`, `0x7f.1`, `[::ffff:7f00:1]`). The raw authority if it
 * will not parse.
 */
function urlHost(url: string): string | null {
  const m = AUTHORITY.exec(url);
  const raw = m?.[1] ?? null;
  if (raw !== null && DNS_NAME.test(raw)) return raw.toLowerCase();
  try {
    return new URL(url).hostname;
  } catch {
    return raw;
  }
}

const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i;
const DNS_NAME = /^(?:[a-z0-9-]{1,63}\.){0,16}[a-z][a-z0-9-]{0,62}\.?$/i;
