/**
 * The collector: validates telemetry at the edge, enriches it and puts it on the bus, spooling
 * to disk while Kafka is unreachable; answers /v1/check from the containment state it follows
 * and the inline rules. Listens on 8700 by default.
 */
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../shared/bus/types.js';
import type { Config } from '../shared/config/schema.js';
import { createDetectorRegistry } from '../shared/detectors/registry.js';
import { createAuthenticator } from '../shared/http/auth.js';
import { createHttpServer } from '../shared/http/server.js';
import type { Logger } from '../shared/log.js';
import { createRegistry, type Registry } from '../shared/metrics.js';
import { Enforcer } from './containment/enforcer.js';
import { ContainmentFollower } from './containment/follower.js';
import { InlineRules } from './containment/inline.js';
import { ContainmentMetrics } from './containment/metrics.js';
import { ContainmentState } from './containment/state.js';
import { CollectorMetrics } from './metrics.js';
import { Publisher } from './publisher.js';
import { registerCheckRoute } from './routes/check.js';
import { registerEventsRoute } from './routes/events.js';
import { registerTracesRoute } from './routes/traces.js';
import { Spool } from './spool.js';

export interface CollectorOptions {
  config: Config;
  bus: Bus;
  log: Logger;
  registry?: Registry;
  /** Longest wait for the containment topic's initial read once the bus answered (ContainmentFollower). */
  containmentCatchUpTimeoutMs?: number;
}

/** What the collector enforces with, and how far it has loaded it. */
export interface CollectorContainment {
  state: ContainmentState;
  follower: ContainmentFollower;
  inline: InlineRules;
  enforcer: Enforcer;
}

export class Collector {
  private constructor(
    readonly app: FastifyInstance,
    readonly publisher: Publisher,
    readonly spool: Spool,
    readonly containment: CollectorContainment,
    private readonly config: Config,
  ) {}

  static async create({ config, bus, log, registry = createRegistry(), containmentCatchUpTimeoutMs }: CollectorOptions): Promise<Collector> {
    const spool = await Spool.open(config.collector.spool.dir!, config.collector.spool.max_bytes);
    const metrics = new CollectorMetrics(registry, () => spool.usedBytes);
    const publisher = new Publisher(bus, spool, log, {
      produceTimeoutMs: config.collector.produce_timeout_ms,
      hooks: {
        onProduced: (_n, seconds) => metrics.produceSeconds.observe(seconds),
        onSpooled: (n) => metrics.spooled.inc(n),
        onDrained: (n) => metrics.drained.inc(n),
        onRefused: (n) => metrics.refused.inc(n),
        onDropped: (n) => metrics.dropped.inc(n),
      },
    });
    // A rule pack with errors stops the start here, as it stops a detector worker.
    const inline = InlineRules.load({ dirs: config.rules.dirs, detectors: createDetectorRegistry(), log, watch: config.rules.watch });
    const state = new ContainmentState();
    const enforcer = new Enforcer(state, inline);
    const containmentMetrics = new ContainmentMetrics(registry, () => state.counts(), () => follower.isReady);
    const follower = ContainmentFollower.start({
      bus,
      state,
      stage: 'collector',
      log: log.child({ component: 'containment' }),
      catchUpTimeoutMs: containmentCatchUpTimeoutMs,
      hooks: { onApplied: (n) => containmentMetrics.applied.inc(n), onUndecodable: () => containmentMetrics.undecodable.inc() },
    });
    const containment: CollectorContainment = { state, follower, inline, enforcer };
    const app = createHttpServer({
      log,
      bodyLimit: config.collector.body_limit_bytes,
      registry,
      authenticate: createAuthenticator(config.collector.tokens),
      rateLimit: { server: 'collector', limit: config.collector.rate_limit },
      health: () => ({
        ok: true,
        bus: bus.kind,
        publishing: publisher.mode,
        spool: { segments: spool.segments, bytes: spool.usedBytes, max_bytes: spool.maxBytes },
        containment: { ready: follower.isReady, active: state.counts(), inline_rules: inline.size },
      }),
    });
    const routeDeps = { publisher, metrics, bodyLimit: config.collector.body_limit_bytes, maxEventBytes: config.collector.max_event_bytes };
    registerEventsRoute(app, { ...routeDeps, mark: (event) => enforcer.mark(event) });
    registerTracesRoute(app, routeDeps);
    registerCheckRoute(app, { enforcer, metrics: containmentMetrics, isReady: () => follower.isReady, bodyLimit: config.collector.body_limit_bytes });
    return new Collector(app, publisher, spool, containment, config);
  }

  /** Starts draining any spool left from before, then listens; resolves to the bound address. */
  async listen(): Promise<string> {
    this.publisher.start();
    return this.app.listen({ host: this.config.collector.host, port: this.config.collector.port });
  }

  /** Stops accepting, lets requests in flight finish, stops draining (the spool stays on disk) and following containment. */
  async close(): Promise<void> {
    await this.app.close();
    this.containment.inline.close();
    await this.containment.follower.stop();
    await this.publisher.stop();
  }
}
