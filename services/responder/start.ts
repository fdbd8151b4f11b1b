/** Starts the response side of a process (`runwatch responder`, `runwatch up`): containment control, then the playbook runner. */
import type { Bus } from '../shared/bus/types.js';
import type { Config } from '../shared/config/schema.js';
import type { Logger } from '../shared/log.js';
import type { Store } from '../shared/store/clickhouse.js';
import { ContainmentControl } from './containment.js';
import { Responder } from './responder.js';

export interface RunningResponse {
  responder: Responder;
  containment: ContainmentControl;
  stop(): Promise<void>;
}

export async function startResponse(config: Config, bus: Bus, store: Store, log: Logger): Promise<RunningResponse> {
  const containment = new ContainmentControl(bus, log.child({ service: 'containment' }));
  await containment.start();
  const responder = new Responder({
    bus,
    log: log.child({ service: 'responder' }),
    store,
    groupId: config.responder.group_id,
    maxDetectionAgeMs: config.responder.max_detection_age_ms,
    ruleDirs: config.rules.dirs,
    onSweep: () => containment.expire(),
  });
  await responder.start();
  return {
    responder,
    containment,
    async stop() {
      await responder.stop();
      await containment.stop();
    },
  };
}
