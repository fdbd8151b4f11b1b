/** Opens the evidence store ready for use: connected, migrated, retention applied. */
import type { Config } from '../shared/config/schema.js';
import type { Logger } from '../shared/log.js';
import { openStore, type Store } from '../shared/store/clickhouse.js';
import { applyRetention, migrate } from './migrations.js';

export async function openEvidenceStore(config: Config, log: Logger): Promise<Store> {
  const store = await openStore(config);
  try {
    const report = await migrate(store);
    if (report.applied.length > 0) log.info({ applied: report.applied, store: store.location }, 'evidence schema migrated');
    if (report.changed.length > 0) {
      log.warn({ changed: report.changed }, 'applied migrations were edited since; they are not re-run (add a new numbered file instead)');
    }
    await applyRetention(store, config.evidence.retention_days);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
