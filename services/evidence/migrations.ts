/**
 * The evidence schema: numbered SQL files in schemas/clickhouse (`0001_events.sql`, ...),
 * applied in order on start. `schema_migrations` records what ran, so a second start is a
 * no-op, and a new release only adds files. The database name is bound as an identifier
 * parameter, like every other value in runwatch's queries.
 *
 * Retention is not a migration: it is configuration, applied as each table's TTL on start.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../shared/config/schema.js';
import { StoreUnavailableError } from '../shared/errors.js';
import { SCHEMAS_DIR } from '../shared/paths.js';
import type { Store } from '../shared/store/clickhouse.js';

export const MIGRATIONS_DIR = join(SCHEMAS_DIR, 'clickhouse');

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  /** Migrations already recorded whose file changed since: applied files must not be edited. */
  changed: string[];
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    out.push({
      version: Number(m[1]),
      name: file,
      // One statement per `;` at the end of a line; comments stay with their statement.
      statements: text.split(/;\s*$/m).map((s) => s.trim()).filter((s) => s.replace(/--.*$/gm, '').trim() !== ''),
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  return out;
}

export async function migrate(store: Store, migrations = readMigrations()): Promise<MigrationReport> {
  const { client, database } = store;
  const params = { database };
  try {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS {database:Identifier}.schema_migrations
        (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
        ENGINE = MergeTree ORDER BY version`,
      query_params: params,
    });
    const done = await client
      .query({ query: 'SELECT version, any(checksum) AS checksum FROM {database:Identifier}.schema_migrations GROUP BY version', query_params: params, format: 'JSONEachRow' })
      .then((r) => r.json<{ version: number; checksum: string }>());
    const recorded = new Map(done.map((d) => [Number(d.version), d.checksum]));
    const report: MigrationReport = { applied: [], changed: [] };
    for (const m of migrations) {
      const checksum = recorded.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) report.changed.push(m.name);
        continue;
      }
      // Statements are written IF NOT EXISTS: two services starting together both succeed.
      for (const statement of m.statements) await client.command({ query: statement, query_params: params });
      await client.insert({
        table: `${database}.schema_migrations`,
        values: [{ version: m.version, name: m.name, checksum: m.checksum, applied_at: Date.now() }],
        format: 'JSONEachRow',
      });
      report.applied.push(m.name);
    }
    return report;
  } catch (err) {
    throw new StoreUnavailableError(`cannot migrate the evidence store (${store.location}): ${(err as Error).message}`, err);
  }
}

export type RetentionTable = keyof Config['evidence']['retention_days'];

/**
 * Sets each table's TTL to its configured retention (0: no TTL). Only tables whose TTL
 * differs are altered, and without rewriting existing parts: old rows go at the next merge.
 */
export async function applyRetention(store: Store, retention: Config['evidence']['retention_days']): Promise<void> {
  const { client, database } = store;
  const rows = await client
    .query({
      query: 'SELECT name, create_table_query FROM system.tables WHERE database = {database:String} AND name IN {names:Array(String)}',
      query_params: { database, names: Object.keys(retention) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ name: RetentionTable; create_table_query: string }>());
  for (const { name, create_table_query } of rows) {
    const days = retention[name];
    if (currentTtlDays(create_table_query) === days) continue;
    const query =
      days === 0
        ? 'ALTER TABLE {database:Identifier}.{table:Identifier} REMOVE TTL'
        : 'ALTER TABLE {database:Identifier}.{table:Identifier} MODIFY TTL toDateTime(ts) + toIntervalDay({days:UInt32})';
    await client.command({ query, query_params: { database, table: name, days }, clickhouse_settings: { materialize_ttl_after_modify: 0 } });
  }
}

/** The retention in days a table's DDL carries, 0 for none. */
export function currentTtlDays(createTableQuery: string): number {
  if (!/\bTTL\b/.test(createTableQuery)) return 0;
  const m = /toIntervalDay\((?:_CAST\()?(\d+)/.exec(createTableQuery);
  return m ? Number(m[1]) : -1;
}
