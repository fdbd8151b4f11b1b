/**
 * Host allowlists (`allowed_hosts`, `egress_allowlist`): exact names, or `*.example.com` for
 * every subdomain of example.com — not example.com itself, which is listed on its own.
 * `*` alone allows every host. Case and a trailing dot do not matter; a port or scheme written
 * in an entry is ignored.
 */

interface CompiledAllowlist {
  exact: Set<string>;
  /** `.example.com` for `*.example.com`. */
  suffixes: string[];
  any: boolean;
}

/** Lists come from the rule pack and live as long as it: compile each once. */
const compiled = new WeakMap<readonly string[], CompiledAllowlist>();

export function hostAllowed(host: string, allowlist: readonly string[]): boolean {
  const list = compile(allowlist);
  if (list.any) return true;
  const h = normalizeHost(host);
  if (list.exact.has(h)) return true;
  for (const suffix of list.suffixes) if (h.endsWith(suffix) && h.length > suffix.length) return true;
  return false;
}

/** `Example.COM.` → `example.com`; `[::1]` → `::1`. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

function compile(allowlist: readonly string[]): CompiledAllowlist {
  const hit = compiled.get(allowlist);
  if (hit) return hit;
  const list: CompiledAllowlist = { exact: new Set(), suffixes: [], any: false };
  for (const entry of allowlist) {
    const host = normalizeHost(entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?#].*$/, '').replace(/:\d+$/, ''));
    if (host === '*') list.any = true;
    else if (host.startsWith('*.')) list.suffixes.push(host.slice(1));
    else if (host.startsWith('.')) list.suffixes.push(host);
    else if (host !== '') list.exact.add(host);
  }
  compiled.set(allowlist, list);
  return list;
}
