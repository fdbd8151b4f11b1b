/**
 * The collector: validates telemetry at the edge, enriches it and puts it on the bus, spooling
 * to disk while Kafka is unreachable. Listens on 8700 by default.
 */
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../shared/bus/types.js';
import type { Config } from '../shared/config/schema.js';
import { createAuthenticator } from '../shared/http/auth.js';
import { createHttpServer } from '../shared/http/server.js';
import type { Logger } from '../shared/log.js';
import { createRegistry, type Registry } from '../shared/metrics.js';
import { CollectorMetrics } from './metrics.js';
import { Publisher } from './publisher.js';
import { registerEventsRoute } from './routes/events.js';
import { registerTracesRoute } from './routes/traces.js';
import { Spool } from './spool.js';

export interface CollectorOptions {
  config: Config;
  bus: Bus;
  log: Logger;
  registry?: Registry;
}

export class Collector {
  private constructor(
    readonly app: FastifyInstance,
    readonly publisher: Publisher,
    readonly spool: Spool,
    private readonly config: Config,
  ) {}

  static async create({ config, bus, log, registry = createRegistry() }: CollectorOptions): Promise<Collector> {
    const spool = await Spool.open(config.collector.spool.dir!, config.collector.spool.max_bytes);
    const metrics = new CollectorMetrics(registry, () => spool.usedBytes);
    const publisher = new Publisher(bus, spool, log, {
      produceTimeoutMs: config.collector.produce_timeout_ms,
      hooks: {
        onProduced: (_n, seconds) => metrics.produceSeconds.observe(seconds),
        onSpooled: (n) => metrics.spooled.inc(n),
        onDrained: (n) => metrics.drained.inc(n),
      },
    });
    const app = createHttpServer({
      log,
      bodyLimit: config.collector.body_limit_bytes,
      registry,
      authenticate: createAuthenticator(config.collector.tokens),
      health: () => ({
        ok: true,
        bus: bus.kind,
        publishing: publisher.mode,
        spool: { segments: spool.segments, bytes: spool.usedBytes, max_bytes: spool.maxBytes },
      }),
    });
    const routeDeps = { publisher, metrics, bodyLimit: config.collector.body_limit_bytes };
    registerEventsRoute(app, routeDeps);
    registerTracesRoute(app, routeDeps);
    return new Collector(app, publisher, spool, config);
  }

  /** Starts draining any spool left from before, then listens; resolves to the bound address. */
  async listen(): Promise<string> {
    this.publisher.start();
    return this.app.listen({ host: this.config.collector.host, port: this.config.collector.port });
  }

  /** Stops accepting, lets requests in flight finish, stops draining (the spool stays on disk). */
  async close(): Promise<void> {
    await this.app.close();
    await this.publisher.stop();
  }
}
