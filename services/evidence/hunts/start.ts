/** Starts the scheduled hunts of a service (`runwatch evidence`, `runwatch up`) unless turned off. */
import type { Bus } from '../../shared/bus/types.js';
import type { Config } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/log.js';
import type { Registry } from '../../shared/metrics.js';
import { openStore } from '../../shared/store/clickhouse.js';
import { HuntScheduler } from './scheduler.js';

export interface RunningHunts {
  stop(): Promise<void>;
}

export async function startHunts(config: Config, bus: Bus, log: Logger, registry: Registry): Promise<RunningHunts> {
  if (!config.evidence.hunts) return { stop: async () => {} };
  // A connection of its own: chDB runs one query at a time per connection, and a long hunt must not hold back inserts.
  const store = await openStore(config);
  const hunts = new HuntScheduler({ bus, store, log, registry, ruleDirs: config.rules.dirs, watchRules: config.rules.watch });
  hunts.start();
  return {
    async stop() {
      await hunts.stop();
      await store.close();
    },
  };
}
