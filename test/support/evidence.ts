/**
 * Evidence stores for tests. chDB binds one data directory per process, so every store a test
 * file opens lives in the same per-process folder, each in its own database. With
 * CLICKHOUSE_URL set, the same tests run against that ClickHouse server instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEvidenceStore } from '../../services/evidence/open.js';
import { loadConfig } from '../../services/shared/config/load.js';
import type { Config } from '../../services/shared/config/schema.js';
import { createLogger } from '../../services/shared/log.js';
import type { Store } from '../../services/shared/store/clickhouse.js';

let dataDir: string | undefined;

/** The data dir every store of this test process shares. */
export function processDataDir(): string {
  dataDir ??= mkdtempSync(join(tmpdir(), 'rw-evidence-'));
  return dataDir;
}

let counter = 0;

/** A config whose store is a fresh database (`rw_test_<name>_<n>`) in this process's store. */
export function evidenceConfig(name: string, env: Record<string, string> = {}): Config {
  const database = `rw_test_${name.replace(/\W/g, '_')}_${process.pid}_${++counter}`;
  return loadConfig({
    env: {
      RUNWATCH_DATA_DIR: processDataDir(),
      RUNWATCH_CLICKHOUSE_DATABASE: database,
      RUNWATCH_LOG_LEVEL: 'silent',
      RUNWATCH_RULES_WATCH: 'false',
      ...(process.env.CLICKHOUSE_URL ? { CLICKHOUSE_URL: process.env.CLICKHOUSE_URL } : {}),
      ...env,
    },
  });
}

/** An evidence store, migrated, in a database of its own. */
export async function openTestStore(name: string, env: Record<string, string> = {}): Promise<{ store: Store; config: Config }> {
  const config = evidenceConfig(name, env);
  const store = await openEvidenceStore(config, createLogger({ level: 'silent' }));
  return { store, config };
}

/**
 * A store that can be taken down and brought back like a ClickHouse server restarting: down()
 * closes the client (every call fails as on a dead server), up() opens a new one on the same data.
 */
export class RestartableStore implements Store {
  readonly kind: Store['kind'];
  readonly database: string;
  readonly location: string;
  private current: Store;

  private constructor(private readonly config: Config, first: Store) {
    this.current = first;
    this.kind = first.kind;
    this.database = first.database;
    this.location = first.location;
  }

  static async open(config: Config): Promise<RestartableStore> {
    return new RestartableStore(config, await openEvidenceStore(config, createLogger({ level: 'silent' })));
  }

  get client(): Store['client'] {
    return this.current.client;
  }

  async down(): Promise<void> {
    await this.current.close();
  }

  async up(): Promise<void> {
    this.current = await openEvidenceStore(this.config, createLogger({ level: 'silent' }));
  }

  ping(): Promise<boolean> {
    return this.current.ping();
  }

  close(): Promise<void> {
    return this.current.close().catch(() => {});
  }
}
