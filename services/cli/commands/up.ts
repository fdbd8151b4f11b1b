/**
 * `runwatch up`: every service in one process, the embedded default. In-process bus unless
 * KAFKA_BROKERS is set, chDB under the data dir unless CLICKHOUSE_URL is set: the same code
 * the distributed services run, only wired together here.
 */
import type { FastifyInstance } from 'fastify';
import { Collector } from '../../collector/server.js';
import { DetectorWorker } from '../../detector/worker.js';
import { AuditLog } from '../../evidence/audit.js';
import { startHunts } from '../../evidence/hunts/start.js';
import { openEvidenceStore } from '../../evidence/open.js';
import { EvidenceWriter } from '../../evidence/writer.js';
import { createOperatorApi } from '../../responder/api.js';
import { startResponse } from '../../responder/start.js';
import { playDemo } from './demo.js';
import { createBus } from '../../shared/bus/index.js';
import type { Config } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/log.js';
import { createRegistry } from '../../shared/metrics.js';

import type { Running } from '../lifecycle.js';

export interface Embedded extends Running {
  collectorUrl: string;
  apiUrl: string;
  /** The two HTTP servers, for whoever needs their routes (`servers.api.printRoutes()`), such as the security tests. */
  servers: { collector: FastifyInstance; api: FastifyInstance };
}

export async function startEmbedded(config: Config, log: Logger, options: { demo?: boolean } = {}): Promise<Embedded> {
  const registry = createRegistry();
  const bus = createBus(config, log);
  await bus.ensureTopics();
  const store = await openEvidenceStore(config, log);
  const writer = new EvidenceWriter({ bus, store, log: log.child({ service: 'evidence' }), registry, config: config.evidence });
  await writer.start();
  const hunts = await startHunts(config, bus, log.child({ service: 'hunts' }), registry);
  const audit = new AuditLog(store, log.child({ service: 'audit' }));
  const detector = new DetectorWorker({
    bus,
    log: log.child({ service: 'detector' }),
    registry,
    groupId: config.detector.group_id,
    ruleDirs: config.rules.dirs,
    watchRules: config.rules.watch,
    // A line per detection, so the demo (and anyone tailing the log) sees it happen.
    onDetections: (detections) => {
      for (const d of detections) {
        log.warn({ detection_id: d.detection_id, rule: d.rule_id, severity: d.severity, tenant: d.tenant, agent_id: d.agent_id, session_id: d.session_id, events: d.event_ids.length }, `detection: ${d.summary}`);
      }
    },
  });
  await detector.start();
  const response = await startResponse(config, bus, store, log);
  const collector = await Collector.create({ config, bus, log: log.child({ service: 'collector' }), registry });
  const api = createOperatorApi({
    config,
    log: log.child({ service: 'api' }),
    registry,
    store,
    audit,
    responder: response.responder,
    containment: response.containment,
    health: () => ({ ok: true, bus: bus.kind, store: store.kind }),
  });
  const collectorUrl = await collector.listen();
  const apiUrl = await api.listen({ host: config.api.host, port: config.api.port });
  log.info({ collector: collectorUrl, api: apiUrl, bus: bus.kind, store: store.location, rules: detector.rules, playbooks: response.responder.playbooks }, 'runwatch is up');
  if (options.demo) void playDemo(collectorUrl, log.child({ service: 'demo' })).catch((err: unknown) => log.error({ err }, 'demo failed'));
  return {
    collectorUrl,
    apiUrl,
    servers: { collector: collector.app, api },
    async close() {
      await collector.close();
      await detector.stop();
      await api.close();
      await response.stop();
      await hunts.stop();
      await writer.stop();
      await audit.close();
      await bus.close();
      await store.close();
    },
  };
}
