/**
 * SQL that destroys or opens up data: DROP TABLE/DATABASE/SCHEMA, TRUNCATE, DELETE and UPDATE
 * without WHERE (every row), GRANT ALL. `DELETE FROM t WHERE id = 1` is ordinary work and is
 * not reported; neither is English that shares the words ("delete from the list").
 */
import type { ToolMatch } from './match.js';

const IDENT = '(?:[A-Za-z_][\\w$]*|"[^"\\n]{1,128}"|`[^`\\n]{1,128}`|\\[[^\\]\\n]{1,128}\\])';
const QUALIFIED = `${IDENT}(?:\\.${IDENT}){0,2}`;

/** The statement ends after the names (or a CASCADE): "drop table tennis from the agenda" is English. */
const DROP = new RegExp(
  `\\bDROP\\s+(?:TABLE|DATABASE|SCHEMA|USER|ROLE)\\s+(?:IF\\s+EXISTS\\s+)?${QUALIFIED}(?:\\s*,\\s*${QUALIFIED}){0,16}(?=\\s*(?:;|$|\\)|--|\\r?\\n|CASCADE\\b|RESTRICT\\b|PURGE\\b))`,
  'gi',
);
/** `TRUNCATE TABLE x` in any case; bare `TRUNCATE x;` only in capitals (lower-case "truncate text" is English). */
const TRUNCATE = new RegExp(`\\bTRUNCATE\\s+TABLE\\s+${QUALIFIED}|\\bTRUNCATE\\s+(?:ONLY\\s+)?${QUALIFIED}\\s*(?:;|$)`, 'gim');
const GRANT_ALL = new RegExp(`\\bGRANT\\s+ALL(?:\\s+PRIVILEGES)?\\s+ON\\b`, 'gi');
/** The statement, up to its `;` or the end of the text: WHERE is looked for in there. */
const DELETE = new RegExp(`\\bDELETE\\s+FROM\\s+${QUALIFIED}([^;]{0,4096})`, 'gi');
const UPDATE = new RegExp(`\\bUPDATE\\s+${QUALIFIED}\\s+SET\\s+[\\w"\`\\[.]+\\s*=([^;]{0,4096})`, 'gi');
const WHERE = /\bWHERE\b/i;
/** What may follow `DELETE FROM t` in a statement that still deletes every row. */
const DELETE_TAIL = /^\s*(?:$|RETURNING\b|LIMIT\b|ORDER\s+BY\b|--|\/\*|\)|\n)/i;

export function findDestructiveSql(text: string): ToolMatch[] {
  const out: ToolMatch[] = [];
  for (const m of matches(DROP, text)) out.push({ start: m.index, end: m.index + m[0].length, label: 'destructive_sql', score: 0.9 });
  for (const m of matches(GRANT_ALL, text)) out.push({ start: m.index, end: m.index + m[0].length, label: 'destructive_sql', score: 0.8 });
  for (const m of matches(TRUNCATE, text)) {
    // Lower-case `truncate` only with TABLE: the second alternative demands capitals.
    if (!/^TRUNCATE/.test(m[0]) && !/^truncate\s+table\b/i.test(m[0])) continue;
    out.push({ start: m.index, end: m.index + m[0].trimEnd().length, label: 'destructive_sql', score: 0.85 });
  }
  for (const m of matches(DELETE, text)) {
    const rest = m[1] ?? '';
    if (WHERE.test(rest) || !DELETE_TAIL.test(rest)) continue;
    out.push({ start: m.index, end: m.index + m[0].length - rest.length, label: 'destructive_sql', score: 0.85 });
  }
  for (const m of matches(UPDATE, text)) {
    if (WHERE.test(m[1] ?? '')) continue;
    out.push({ start: m.index, end: m.index + m[0].trimEnd().length, label: 'destructive_sql', score: 0.8 });
  }
  return out;
}

/** `exec` in a loop (`matchAll` clones the regex on every call, which costs more than the scan of a short text). */
function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) yield m;
}
