/** `runwatch evidence`: the evidence writer (distributed mode), telemetry/detections/actions into ClickHouse, and the scheduled hunts. */
import { HuntScheduler } from '../../evidence/hunts/scheduler.js';
import { openEvidenceStore } from '../../evidence/open.js';
import { EvidenceWriter } from '../../evidence/writer.js';
import { createBus } from '../../shared/bus/index.js';
import type { Config } from '../../shared/config/schema.js';
import { createAuthenticator } from '../../shared/http/auth.js';
import { createHttpServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/log.js';
import { createRegistry } from '../../shared/metrics.js';
import { openStore } from '../../shared/store/clickhouse.js';
import type { Running } from '../lifecycle.js';

export async function startEvidence(config: Config, log: Logger): Promise<Running> {
  const bus = createBus(config, log);
  await bus.ensureTopics();
  const store = await openEvidenceStore(config, log);
  const registry = createRegistry();
  const writer = new EvidenceWriter({ bus, store, log, registry, config: config.evidence });
  await writer.start();
  // A connection of its own: chDB runs one query at a time per connection, and a long hunt must not hold back inserts.
  const huntStore = await openStore(config);
  const hunts = new HuntScheduler({ bus, store: huntStore, log: log.child({ service: 'hunts' }), registry, ruleDirs: config.rules.dirs, watchRules: config.rules.watch });
  hunts.start();
  const http = config.evidence.metrics_port > 0
    ? createHttpServer({ log, bodyLimit: 1024, registry, authenticate: createAuthenticator([]), health: () => ({ ok: true, bus: bus.kind, store: store.kind }) })
    : null;
  if (http) await http.listen({ host: config.evidence.metrics_host, port: config.evidence.metrics_port });
  return {
    async close() {
      await http?.close();
      await hunts.stop();
      await huntStore.close();
      await writer.stop();
      await bus.close();
      await store.close();
    },
  };
}
