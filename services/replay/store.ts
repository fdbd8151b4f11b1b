/**
 * Opening the evidence store from the CLI. chDB takes a lock on its folder, so while
 * `runwatch up` (or a test, or another replay) holds the same data dir, opening fails; the
 * error says so and what to do, instead of chDB's "Cannot lock file … status".
 */
import { openEvidenceStore } from '../evidence/open.js';
import type { Config } from '../shared/config/schema.js';
import { StoreUnavailableError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { Store } from '../shared/store/clickhouse.js';

export async function openReplayStore(config: Config, log: Logger): Promise<Store> {
  try {
    return await openEvidenceStore(config, log);
  } catch (err) {
    const reason = (err as Error).message;
    if (config.clickhouse.url) {
      throw new StoreUnavailableError(`cannot open the evidence store at ${new URL(config.clickhouse.url).host}: ${reason}`, err);
    }
    // chDB prints its own "Cannot lock file" line on stderr and throws only "Failed to create connection".
    const hint = /lock|another server instance|failed to create connection/i.test(reason)
      ? 'another process holds it (`runwatch up` on the same data dir?): stop it, or run replay against a ClickHouse server (CLICKHOUSE_URL)'
      : reason;
    throw new StoreUnavailableError(`cannot open the embedded evidence store under ${config.data_dir}: ${hint}`, err);
  }
}
