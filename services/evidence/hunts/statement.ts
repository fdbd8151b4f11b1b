/**
 * The SQL a hunt run sends. The hunt's query runs wrapped as
 *
 *   SELECT * FROM (<query>) LIMIT <max_rows + 1> SETTINGS readonly = 1, max_execution_time = <s>
 *
 * with every value bound as a query parameter, never pasted into the text.
 *
 * Why not the client's `clickhouse_settings: { readonly: 1 }`: chDB applies client settings
 * as a session-wide `SET`, so one hunt run would leave the evidence writer's connection (the
 * same client) read-only for good. A statement's own SETTINGS hold for that statement only.
 * Two gaps remain, closed by asking ClickHouse's own parser first (`formatQuery`, with the
 * query bound as a string): chDB runs `;`-separated statements one after another, so
 * `SELECT 1); INSERT ...` would escape the wrapper; and a subquery's own SETTINGS clause can
 * lift `readonly`. So the query must parse as one statement with no SETTINGS clause.
 */
import type { Store } from '../../shared/store/clickhouse.js';
import type { HuntDoc } from '../../shared/rules/schema.js';
import { HuntQueryError } from './errors.js';

/** The time range a run reads, epoch ms: bound as `{since}` and `{until}`. */
export interface HuntRange {
  since: number;
  until: number;
}

export interface HuntStatement {
  query: string;
  params: Record<string, unknown>;
}

export function huntStatement(doc: HuntDoc, range: HuntRange, database: string): HuntStatement {
  // Numbers from the validated document, not user text: safe to write into the SQL.
  const limit = doc.max_rows + 1;
  const seconds = Math.ceil(doc.timeout / 1000);
  return {
    // Newlines around the query: a trailing `-- comment` must not swallow the closing parenthesis.
    query: `SELECT * FROM (\n${bareQuery(doc.query)}\n) LIMIT ${limit} SETTINGS readonly = 1, max_execution_time = ${seconds}`,
    params: {
      ...doc.params,
      // Whole Unix seconds: ClickHouse reads them time-zone-free, as DateTime and DateTime64 alike.
      since: String(Math.floor(range.since / 1000)),
      until: String(Math.floor(range.until / 1000)),
      database,
    },
  };
}

/** Throws HuntQueryError unless ClickHouse parses the query as one statement without SETTINGS. */
export async function checkHuntQuery(store: Store, huntId: string, doc: HuntDoc, signal?: AbortSignal): Promise<void> {
  let formatted: string;
  try {
    const result = await store.client.query({
      query: 'SELECT formatQuery({sql:String}) AS sql',
      query_params: { sql: bareQuery(doc.query) },
      format: 'JSONEachRow',
      abort_signal: signal,
    });
    formatted = (await result.json<{ sql: string }>())[0]?.sql ?? '';
  } catch (err) {
    throw new HuntQueryError(huntId, `query does not parse as one statement: ${firstLine(err)}`, err);
  }
  // formatQuery puts each clause on its own line and escapes newlines inside literals.
  if (/^\s*SETTINGS\s/m.test(formatted)) {
    throw new HuntQueryError(huntId, 'query has a SETTINGS clause: hunts run with the settings runwatch sets (readonly, max_execution_time)');
  }
}

/** The query without the trailing `;` people type out of habit (it would break the wrapper). */
function bareQuery(query: string): string {
  return query.trim().replace(/;\s*$/, '');
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}
