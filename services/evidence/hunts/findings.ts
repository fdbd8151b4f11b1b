/**
 * A hunt's result rows as detections. One row is one finding; its group key is the tenant and
 * the `by` columns. The id hashes (hunt id, version, group key, start of the dedup window the
 * run falls in), so every run within one window — later ticks, a restarted service, a second
 * evidence writer running the same schedule — finds the same id, and the writer stores it once.
 * For the same reason `ts` is the start of that window: the writer looks for stored ids by time.
 */
import { detectionId } from '../../shared/rules/index.js';
import type { CompiledHunt } from '../../shared/rules/index.js';
import type { Detection } from '../../shared/records.js';
import { HuntResultError } from './errors.js';
import type { HuntRange } from './statement.js';

/** One row of a hunt's result, as JSONEachRow gives it. */
export type HuntRow = Record<string, unknown>;

/** Columns copied onto the detection when the query returns them; '' means absent, as in the events table. */
type SubjectColumn = 'agent_id' | 'session_id' | 'key_id' | 'user_id';

/** At most this many `event_ids` per detection, whatever the query returns. */
const MAX_EVENT_IDS = 100;

const SUMMARY_FIELD = /\{\{\s*(\w+)\s*\}\}/g;

/** The start of the epoch-aligned window of `windowMs` holding `at` (UTC midnight for 1d). */
export function windowStart(at: number, windowMs: number): number {
  return Math.floor(at / windowMs) * windowMs;
}

export function huntDetectionId(hunt: CompiledHunt, groupKey: string, window: number): string {
  return detectionId(hunt.doc.id, hunt.doc.version, groupKey, `window:${new Date(window).toISOString()}`);
}

/** Throws HuntResultError naming the columns the hunt needs that the rows lack. */
export function checkColumns(hunt: CompiledHunt, row: HuntRow): void {
  const summaryFields = [...(hunt.doc.summary ?? '').matchAll(SUMMARY_FIELD)].map((m) => m[1]!);
  const needed = new Set(['tenant', ...hunt.doc.by, ...summaryFields]);
  const missing = [...needed].filter((c) => !(c in row));
  if (missing.length > 0) {
    throw new HuntResultError(hunt.doc.id, `the query returns no ${missing.join(', ')} column(s) (returned: ${Object.keys(row).join(', ')})`);
  }
}

/** The detection one row stands for, found by a run over `range` at `detectedAt`. */
export function huntDetection(hunt: CompiledHunt, row: HuntRow, range: HuntRange, detectedAt: number): Detection {
  const { doc } = hunt;
  const tenant = text(row.tenant) || 'default';
  const groupKey = [tenant, ...doc.by.filter((c) => c !== 'tenant').map((c) => text(row[c]))].join('\u0001');
  const window = windowStart(range.until, hunt.dedupWindowMs);
  const subject = (c: SubjectColumn) => text(row[c]) || null;
  return {
    detection_id: huntDetectionId(hunt, groupKey, window),
    rule_id: doc.id,
    rule_version: doc.version,
    severity: doc.severity,
    ts: window,
    detected_at: detectedAt,
    tenant,
    agent_id: subject('agent_id'),
    session_id: subject('session_id'),
    key_id: subject('key_id'),
    user_id: subject('user_id'),
    group_key: groupKey,
    event_ids: Array.isArray(row.event_ids) ? row.event_ids.slice(0, MAX_EVENT_IDS).map(text).filter((id) => id !== '') : [],
    window_start: range.since,
    window_end: range.until,
    summary: (doc.summary ?? doc.name).replace(SUMMARY_FIELD, (_, column: string) => text(row[column]).slice(0, 200)),
    tags: doc.tags,
    playbooks: doc.playbooks,
    evidence: [],
    suppressed_count: 0,
  };
}

/** A column value as text: ClickHouse sends 64-bit integers as strings, NULL as null. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
