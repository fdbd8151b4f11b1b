/** `runwatch responder`: hosts the operator API (playbooks land here with the response issue). */
import { AuditLog } from '../../evidence/audit.js';
import { openEvidenceStore } from '../../evidence/open.js';
import { createOperatorApi } from '../../responder/api.js';
import type { Config } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/log.js';
import { createRegistry } from '../../shared/metrics.js';
import type { Running } from '../lifecycle.js';

export async function startResponder(config: Config, log: Logger): Promise<Running> {
  const store = await openEvidenceStore(config, log);
  const audit = new AuditLog(store, log);
  const api = createOperatorApi({
    config,
    log,
    registry: createRegistry(),
    store,
    audit,
    health: () => ({ ok: true, store: store.kind }),
  });
  const url = await api.listen({ host: config.api.host, port: config.api.port });
  log.info({ url, store: store.location }, 'operator API listening');
  return {
    async close() {
      await api.close();
      await audit.close();
      await store.close();
    },
  };
}
