/** `runwatch responder`: runs the playbooks, follows containment, and hosts the operator API. */
import { AuditLog } from '../../evidence/audit.js';
import { openEvidenceStore } from '../../evidence/open.js';
import { createOperatorApi } from '../../responder/api.js';
import { startResponse } from '../../responder/start.js';
import { createBus } from '../../shared/bus/index.js';
import type { Config } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/log.js';
import { createRegistry } from '../../shared/metrics.js';
import type { Running } from '../lifecycle.js';

export async function startResponder(config: Config, log: Logger): Promise<Running> {
  const bus = createBus(config, log);
  await bus.ensureTopics();
  const store = await openEvidenceStore(config, log);
  const audit = new AuditLog(store, log);
  const response = await startResponse(config, bus, store, log);
  const api = createOperatorApi({
    config,
    log,
    registry: createRegistry(),
    store,
    audit,
    responder: response.responder,
    containment: response.containment,
    health: () => ({ ok: true, bus: bus.kind, store: store.kind, playbooks: response.responder.playbooks }),
  });
  const url = await api.listen({ host: config.api.host, port: config.api.port });
  log.info({ url, store: store.location }, 'operator API listening');
  return {
    async close() {
      await api.close();
      await response.stop();
      await audit.close();
      await bus.close();
      await store.close();
    },
  };
}
