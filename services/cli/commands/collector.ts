/** `runwatch collector`: the collector alone, on Kafka (distributed mode). */
import { Collector } from '../../collector/server.js';
import { createBus } from '../../shared/bus/index.js';
import type { Config } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/log.js';
import type { Running } from '../lifecycle.js';

export async function startCollector(config: Config, log: Logger): Promise<Running> {
  const bus = createBus(config, log);
  await bus.ensureTopics();
  const collector = await Collector.create({ config, bus, log });
  const url = await collector.listen();
  log.info({ url, bus: bus.kind }, 'collector listening');
  return {
    async close() {
      await collector.close();
      await bus.close();
    },
  };
}
