/**
 * The evidence store: ClickHouse through @clickhouse/client, either a server
 * (clickhouse.url) or chDB, ClickHouse's engine in-process, under <data_dir>/chdb. One client
 * API for both, so every query is written once. chDB binds one data directory per process.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Config } from '../config/schema.js';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;
import { StoreUnavailableError } from '../errors.js';

export interface Store {
  readonly kind: 'chdb' | 'server';
  readonly client: ClickHouseClient;
  readonly database: string;
  /** Where it lives, for logs: a URL without credentials, or the chDB folder. */
  readonly location: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openStore(config: Config): Promise<Store> {
  const { url, database, username, password } = config.clickhouse;
  let client: ClickHouseClient;
  let kind: Store['kind'];
  let location: string;
  if (url) {
    kind = 'server';
    const shown = new URL(url);
    shown.username = '';
    shown.password = '';
    location = shown.toString();
    client = createClient({ url, username, password, request_timeout: 30_000, clickhouse_settings: { date_time_input_format: 'best_effort' } });
  } else {
    kind = 'chdb';
    location = join(config.data_dir, 'chdb');
    mkdirSync(location, { recursive: true });
    // chdb types its connection against @clickhouse/client-common, @clickhouse/client bundles
    // its own copy of the same types: identical at run time, distinct to the compiler.
    const connection = createChdbConnection({ path: location }) as unknown as ClientConnection;
    client = createClient({ connection });
  }
  try {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } catch (err) {
    await client.close().catch(() => {});
    throw new StoreUnavailableError(`cannot open the evidence store at ${location}: ${(err as Error).message}`, err);
  }
  return {
    kind,
    client,
    database,
    location,
    async ping() {
      try {
        await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}
