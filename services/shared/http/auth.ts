/**
 * Bearer tokens bound to tenants. Tokens are kept only as SHA-256 digests and looked up by
 * digest, so comparison time does not depend on how much of a guess matched.
 */
import { createHash } from 'node:crypto';
import type { TokenConfig } from '../config/schema.js';

export type AuthResult =
  /** No tokens configured: the service is open (embedded default, on loopback). */
  | { ok: true; tenant: null; actor: null }
  /**
   * `tenant` is `*` for an operator token that may see every tenant. `actor` names the token
   * in audit rows without revealing it: `token:` and the first 12 hex of its SHA-256.
   */
  | { ok: true; tenant: string; actor: string }
  | { ok: false; reason: string };

export type Authenticator = (authorization: string | undefined) => AuthResult;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function createAuthenticator(tokens: readonly TokenConfig[]): Authenticator {
  const byDigest = new Map<string, string>();
  for (const t of tokens) byDigest.set(t.sha256 ?? sha256Hex(t.token!), t.tenant);
  if (byDigest.size === 0) return () => ({ ok: true, tenant: null, actor: null });
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'missing bearer token (Authorization: Bearer <token>)' };
    const digest = sha256Hex(match[1]!);
    const tenant = byDigest.get(digest);
    return tenant === undefined ? { ok: false, reason: 'invalid token' } : { ok: true, tenant, actor: `token:${digest.slice(0, 12)}` };
  };
}
