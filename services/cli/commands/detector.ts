/** `runwatch detector`: one detector worker of the consumer group (distributed mode). */
import { DetectorWorker } from '../../detector/worker.js';
import { createBus } from '../../shared/bus/index.js';
import type { Config } from '../../shared/config/schema.js';
import { startProbeServer } from '../../shared/http/server.js';
import type { Logger } from '../../shared/log.js';
import { createRegistry } from '../../shared/metrics.js';
import type { Running } from '../lifecycle.js';

export async function startDetector(config: Config, log: Logger): Promise<Running> {
  const bus = createBus(config, log);
  await bus.ensureTopics();
  const registry = createRegistry();
  const worker = new DetectorWorker({
    bus,
    log,
    registry,
    groupId: config.detector.group_id,
    ruleDirs: config.rules.dirs,
    watchRules: config.rules.watch,
  });
  await worker.start();
  const http = await startProbeServer({
    log,
    registry,
    host: config.detector.metrics_host,
    port: config.detector.metrics_port,
    health: () => ({ ok: true, rules: worker.rules, bus: bus.kind }),
  });
  return {
    async close() {
      await http?.close();
      await worker.stop();
      await bus.close();
    },
  };
}
