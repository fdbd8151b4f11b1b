/** `runwatch evidence`: the evidence writer (distributed mode), telemetry/detections/actions into ClickHouse, and the scheduled hunts. */
import { startHunts } from '../../evidence/hunts/start.js';
import { openEvidenceStore } from '../../evidence/open.js';
import { EvidenceWriter } from '../../evidence/writer.js';
import { createBus } from '../../shared/bus/index.js';
import type { Config } from '../../shared/config/schema.js';
import { startProbeServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/log.js';
import { createRegistry } from '../../shared/metrics.js';
import type { Running } from '../lifecycle.js';

export async function startEvidence(config: Config, log: Logger): Promise<Running> {
  const bus = createBus(config, log);
  await bus.ensureTopics();
  const store = await openEvidenceStore(config, log);
  const registry = createRegistry();
  const writer = new EvidenceWriter({ bus, store, log, registry, config: config.evidence });
  await writer.start();
  const hunts = await startHunts(config, bus, log.child({ service: 'hunts' }), registry);
  const http = await startProbeServer({
    log,
    registry,
    host: config.evidence.metrics_host,
    port: config.evidence.metrics_port,
    health: () => ({ ok: true, bus: bus.kind, store: store.kind }),
  });
  return {
    async close() {
      await http?.close();
      await hunts.stop();
      await writer.stop();
      await bus.close();
      await store.close();
    },
  };
}
