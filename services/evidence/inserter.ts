/**
 * One idempotent insert of rows into an evidence table. Two guards keep every id once:
 * - rows whose id is already stored are dropped first (a batch re-delivered after a crash
 *   with other boundaries, events re-published by `runwatch replay publish`);
 * - the insert carries a deduplication token derived from the ids it holds, so a retry of
 *   an insert whose acknowledgement was lost is discarded by ClickHouse itself. The token
 *   hashes the rows' ids rather than offsets: after a partial failure the retry holds fewer
 *   rows, and a token naming the same offsets would make ClickHouse drop them as seen.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../shared/store/clickhouse.js';
import { ID_COLUMN, type Row, type TableName } from './rows.js';

export type IdTable = Exclude<TableName, 'audit'>;

export interface InsertResult {
  inserted: number;
  /** Rows dropped because their id was stored already (or repeated within the batch). */
  duplicates: number;
}

/** Stored rows per table a duplicate check looks at, at most: bounds the IN list per query. */
const CHECK_CHUNK = 10_000;

export async function insertOnce(store: Store, table: IdTable, rows: Row[]): Promise<InsertResult> {
  const idColumn = ID_COLUMN[table];
  // Ids are unique within a tenant only (event ids are the client's to choose): one tenant's
  // row never counts as a duplicate of another's, in the batch, in the table or in the token.
  const keyOf = (r: Row) => `${String(r.tenant)}\u0000${String(r[idColumn])}`;
  const unique = new Map<string, Row>();
  for (const row of rows) unique.set(keyOf(row), row);
  const stored = await storedIds(store, table, [...unique.values()]);
  const fresh = [...unique.values()].filter((r) => !stored.has(keyOf(r)));
  if (fresh.length > 0) {
    const ids = fresh.map(keyOf).sort();
    await store.client.insert({
      table: `${store.database}.${table}`,
      values: fresh,
      format: 'JSONEachRow',
      clickhouse_settings: {
        insert_deduplication_token: `${table}:${createHash('sha256').update(ids.join('\n')).digest('hex')}`,
        insert_deduplicate: 1,
        // Events can span many months (back-filled history); each month is a partition.
        max_partitions_per_insert_block: '10000',
        date_time_input_format: 'best_effort',
      },
    });
  }
  return { inserted: fresh.length, duplicates: rows.length - fresh.length };
}

/** Which of these rows' tenant-and-id keys the table holds, looking only at their tenants and time range. */
async function storedIds(store: Store, table: IdTable, rows: Row[]): Promise<Set<string>> {
  const idColumn = ID_COLUMN[table];
  const found = new Set<string>();
  for (let i = 0; i < rows.length; i += CHECK_CHUNK) {
    const chunk = rows.slice(i, i + CHECK_CHUNK);
    const ts = chunk.map((r) => Number(r.ts));
    const result = await store.client.query({
      query: `SELECT tenant, {id:Identifier} AS id FROM {database:Identifier}.{table:Identifier}
        WHERE tenant IN {tenants:Array(String)}
          AND ts BETWEEN fromUnixTimestamp64Milli({from:Int64}) AND fromUnixTimestamp64Milli({to:Int64})
          AND {id:Identifier} IN {ids:Array(String)}`,
      query_params: {
        id: idColumn,
        database: store.database,
        table,
        tenants: [...new Set(chunk.map((r) => String(r.tenant)))],
        from: Math.min(...ts),
        to: Math.max(...ts),
        ids: chunk.map((r) => String(r[idColumn])),
      },
      format: 'JSONEachRow',
    });
    for (const { tenant, id } of await result.json<{ tenant: string; id: string }>()) found.add(`${tenant}\u0000${id}`);
  }
  return found;
}
