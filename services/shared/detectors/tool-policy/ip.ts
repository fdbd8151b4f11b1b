/**
 * IP addresses as a server-side fetcher would read them, including the spellings SSRF payloads
 * use to slip past string filters: decimal (`2852039166`), hex (`0xa9fea9fe`), octal
 * (`0251.0376.0251.0376`), short forms (`127.1`), IPv4-mapped and NAT64 IPv6
 * (`::ffff:169.254.169.254`, `64:ff9b::a9fe:a9fe`).
 */

/** Where an address points, for SSRF purposes. */
export type AddressClass = 'metadata' | 'private' | 'public';

/** Cloud instance metadata endpoints (AWS, GCP, Azure, OpenStack, Oracle; AWS ECS task metadata; Alibaba). */
const METADATA_V4 = new Set([ipv4('169.254.169.254'), ipv4('169.254.170.2'), ipv4('100.100.100.200'), ipv4('192.0.0.192')]);

/** [network, prefix length]: loopback, RFC 1918, link-local, "this network", carrier-grade NAT. */
const PRIVATE_V4: ReadonlyArray<readonly [number, number]> = [
  [ipv4('0.0.0.0'), 8],
  [ipv4('10.0.0.0'), 8],
  [ipv4('100.64.0.0'), 10],
  [ipv4('127.0.0.0'), 8],
  [ipv4('169.254.0.0'), 16],
  [ipv4('172.16.0.0'), 12],
  [ipv4('192.168.0.0'), 16],
];

/**
 * An IPv4 address the way `inet_aton` (and so curl, and most HTTP clients) reads it: one to
 * four parts, each decimal, `0x` hex or `0` octal, the last filling the remaining bytes.
 * Null if `host` is not one.
 */
export function parseIPv4(host: string): number | null {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  const parts = h.split('.');
  if (parts.length === 0 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let v: number;
    if (/^0x[0-9a-f]*$/i.test(part)) v = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) v = parseInt(part.slice(1), 8);
    else if (/^(?:0|[1-9]\d{0,9})$/.test(part)) v = Number(part);
    else return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  let addr = last;
  for (let i = 0; i < values.length; i++) addr += values[i]! * 2 ** (8 * (3 - i));
  return addr;
}

/** Eight 16-bit groups, or null. Accepts `::` compression, an embedded IPv4 tail and a `%zone`. */
export function parseIPv6(host: string): number[] | null {
  let h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  h = h.replace(/%.*$/, '');
  if (!h.includes(':') || !/^[0-9a-f:.]+$/i.test(h)) return null;
  const halves = h.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const pieces = s.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(p) ? parseIPv4(p) : null;
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

export function classifyIPv4(addr: number): AddressClass {
  if (METADATA_V4.has(addr)) return 'metadata';
  for (const [net, bits] of PRIVATE_V4) if (addr >>> (32 - bits) === net >>> (32 - bits)) return 'private';
  return 'public';
}

export function classifyIPv6(groups: readonly number[]): AddressClass {
  const g = (i: number): number => groups[i] ?? 0;
  const embedded = (): number => ((g(6) << 16) | g(7)) >>> 0;
  // AWS's IPv6 metadata endpoint fd00:ec2::254.
  if (g(0) === 0xfd00 && g(1) === 0x0ec2 && g(2) === 0 && g(3) === 0 && g(4) === 0 && g(5) === 0 && g(6) === 0 && g(7) === 0x254) return 'metadata';
  const zeroTo = (n: number): boolean => groups.slice(0, n).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
  if (zeroTo(5) && g(5) === 0xffff) return classifyIPv4(embedded());
  if (g(0) === 0x64 && g(1) === 0xff9b && groups.slice(2, 6).every((x) => x === 0)) return classifyIPv4(embedded());
  if (zeroTo(6) && (g(6) !== 0 || g(7) > 1)) return classifyIPv4(embedded());
  if (zeroTo(7) && g(7) <= 1) return 'private'; // :: and ::1
  if ((g(0) & 0xffc0) === 0xfe80) return 'private'; // link-local fe80::/10
  if ((g(0) & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  return 'public';
}

function ipv4(dotted: string): number {
  return dotted.split('.').reduce((a, p) => a * 256 + Number(p), 0);
}
