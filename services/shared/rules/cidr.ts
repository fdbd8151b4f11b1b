/** CIDR ranges for `cidr:` conditions, IPv4 and IPv6, on plain numbers (no dependency needed). */
import { isIP } from 'node:net';

export interface Cidr {
  version: 4 | 6;
  network: bigint;
  mask: bigint;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, bitsText] = text.trim().split('/');
  const version = isIP(addr ?? '');
  if (version !== 4 && version !== 6) return null;
  const width = version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return null;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return { version, network: ipToBigInt(addr!, version) & mask, mask };
}

export function ipInCidr(ip: string, cidr: Cidr): boolean {
  let version = isIP(ip);
  let value = ip;
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address for a v4 range.
  if (version === 6 && cidr.version === 4) {
    const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (m) {
      value = m[1]!;
      version = 4;
    }
  }
  if (version !== cidr.version) return false;
  return (ipToBigInt(value, version) & cidr.mask) === cidr.network;
}

function ipToBigInt(ip: string, version: 4 | 6): bigint {
  if (version === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A trailing dotted IPv4 part counts as two groups.
  const expand = (groups: string[]) =>
    groups.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const n = Number(ipToBigInt(g, 4));
      return [((n >>> 16) & 0xffff).toString(16), (n & 0xffff).toString(16)];
    });
  const l = expand(left);
  const r = expand(right);
  const groups = tail === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}
