/**
 * One run of one hunt over a time range: its query on the evidence store, its rows as
 * detections. No schedule and no publishing: the HuntScheduler and `runwatch rules hunt`
 * both call it.
 *
 * @example
 * const { detections } = await runHunt(store, hunt, { since: now - hunt.doc.lookback, until: now });
 */
import type { Detection } from '../../shared/records.js';
import type { CompiledHunt } from '../../shared/rules/index.js';
import type { Store } from '../../shared/store/clickhouse.js';
import { HuntQueryError } from './errors.js';
import { checkColumns, huntDetection, type HuntRow } from './findings.js';
import { checkHuntQuery, firstLine, huntStatement, type HuntRange } from './statement.js';

export interface HuntResult {
  /** One per distinct group key, in the order of the rows. */
  detections: Detection[];
  /** Rows beyond the hunt's max_rows, not turned into detections. */
  dropped: boolean;
}

export interface RunHuntOptions {
  /** The detections' `detected_at`; default: now. */
  detectedAt?: number;
  /** Cancels the query (the scheduler's stop). */
  signal?: AbortSignal;
}

/** Throws HuntQueryError or HuntResultError; a run that throws produced nothing. */
export async function runHunt(store: Store, hunt: CompiledHunt, range: HuntRange, options: RunHuntOptions = {}): Promise<HuntResult> {
  const { doc } = hunt;
  await checkHuntQuery(store, doc.id, doc, options.signal);
  const statement = huntStatement(doc, range, store.database);
  let rows: HuntRow[];
  try {
    const result = await store.client.query({ query: statement.query, query_params: statement.params, format: 'JSONEachRow', abort_signal: options.signal });
    rows = await result.json<HuntRow>();
  } catch (err) {
    throw new HuntQueryError(doc.id, firstLine(err), err);
  }
  const dropped = rows.length > doc.max_rows;
  const kept = rows.slice(0, doc.max_rows);
  if (kept.length > 0) checkColumns(hunt, kept[0]!);
  const detectedAt = options.detectedAt ?? Date.now();
  const byId = new Map<string, Detection>();
  for (const row of kept) {
    const d = huntDetection(hunt, row, range, detectedAt);
    // Two rows with one group key (a `by` narrower than the query's GROUP BY) are one finding.
    if (!byId.has(d.detection_id)) byId.set(d.detection_id, d);
  }
  return { detections: [...byId.values()], dropped };
}
