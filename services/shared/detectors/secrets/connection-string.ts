/**
 * URLs that carry a password: `postgres://app:s3cret@db:5432/x`, `mongodb+srv://u:p@cluster`,
 * `https://user:pass@host`. Placeholders (`:password@`, `:${DB_PASS}@`, `:****@`) are docs.
 */
import { isPlaceholder } from './entropy.js';
import type { SecretMatch } from './match.js';

const DATABASE_SCHEMES = 'postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|couchdb|neo4j(?:\\+s)?|bolt|ldaps?|smtps?|ftps?|sftp|https?';

/**
 * scheme://user:password@host — user and password are delimited classes (no `:`/`@` in the
 * user, no `@` in the password), so a failed match costs one pass, never backtracking.
 * Passwords are often written unescaped, so `#` and `?` are allowed in them.
 */
const URL_WITH_PASSWORD = new RegExp(
  `(?<![A-Za-z0-9+.-])(?:jdbc:)?(${DATABASE_SCHEMES})://([^\\s:@/?#"'<>]{1,256}):([^\\s@/"'<>]{1,256})@[^\\s/?#"'<>]{1,256}`,
  'gi',
);

/** Words that stand for a password in examples. */
const PASSWORD_WORD = /^(?:pass(?:word)?|passwd|pwd|secret|pw|p@ssw0rd|user|username)$/i;

export function findConnectionStrings(text: string): SecretMatch[] {
  if (!text.includes('://')) return [];
  const out: SecretMatch[] = [];
  URL_WITH_PASSWORD.lastIndex = 0;
  for (let m = URL_WITH_PASSWORD.exec(text); m !== null; m = URL_WITH_PASSWORD.exec(text)) {
    const scheme = (m[1] ?? '').toLowerCase();
    const password = m[3] ?? '';
    if (PASSWORD_WORD.test(password) || isPlaceholder(password) || /^[$%{<]/.test(password)) continue;
    const web = scheme === 'http' || scheme === 'https';
    out.push({ start: m.index, end: m.index + m[0].length, label: web ? 'url_credentials' : 'connection_string', score: web ? 0.8 : 0.9 });
  }
  return out;
}
