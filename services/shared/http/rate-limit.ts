/**
 * Request rate limits of the collector and the operator API: at most `max` requests per
 * `window_ms` for each caller and route, where the caller is its token (or, on a server
 * without tokens, its address). Over the limit: 429, `Retry-After` (seconds until the window
 * ends) and `{"error", "code": "RW_ERR_RATE_LIMITED", "limit": {...}}`; counted on /metrics as
 * `runwatch_http_rate_limited_total{server, route}`.
 *
 * Counting is @fastify/rate-limit's (a fixed window per key in an LRU map; its Redis store would
 * share the windows between collectors). We call its limiter from our own `onRequest` hook,
 * placed right after authentication, instead of letting the plugin attach itself to routes:
 * the plugin only sees routes declared after it has loaded, so a route added the ordinary way
 * would silently go unlimited. Here every route is limited except the open ones (probes,
 * scrapers). Requests refused for want of a token never reach the limiter: they cost a hash.
 *
 * @example
 *   installRateLimit(app, { server: 'api', limit: { max: 100, window_ms: 1000 }, registry, exempt });
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { RateLimitConfig } from '../config/schema.js';

export const RATE_LIMITED_METRIC = 'runwatch_http_rate_limited_total';

export interface RateLimitOptions {
  /** Label of the server on /metrics: `collector` or `api`. */
  server: string;
  limit: RateLimitConfig;
  registry: Registry;
  /** Routes (as declared, e.g. `/healthz`) that are never limited. */
  exempt: ReadonlySet<string>;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** Adds the limit to `app`; with `max: 0` adds nothing at all (no cost on the hot path). */
export function installRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const { max, window_ms: windowMs } = options.limit;
  if (max === 0) return;
  const limited = rateLimitedCounter(options.registry);
  // `global: false`: the plugin attaches to no route; the hook below asks its limiter.
  void app.register(rateLimit, { global: false });
  let limiter: Limiter | undefined;
  app.addHook('onReady', async () => {
    limiter = app.createRateLimit({ max, timeWindow: windowMs, keyGenerator: keyOf });
  });
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    if (limiter === undefined || options.exempt.has(route ?? '')) return;
    const result = await limiter(req);
    if (result.isAllowed || !result.isExceeded) return;
    limited.inc({ server: options.server, route: route ?? 'unknown' });
    await reply
      .code(429)
      .header('retry-after', String(result.ttlInSeconds))
      .header('x-ratelimit-limit', String(max))
      .header('x-ratelimit-remaining', '0')
      .header('x-ratelimit-reset', String(result.ttlInSeconds))
      .send({
        error: `rate limit: at most ${max} requests per ${windowMs} ms to ${route ?? 'unknown routes'} for this ${req.actor ? 'token' : 'client address'}; retry in ${result.ttlInSeconds} s`,
        code: 'RW_ERR_RATE_LIMITED',
        limit: { max, window_ms: windowMs, scope: req.actor ? 'token' : 'address', route: route ?? null },
      });
    return reply;
  });
}

/**
 * One window per caller and route: a token flooding /v1/events does not starve its own
 * /v1/check verdicts. The caller is its token's actor (`token:<digest prefix>`, never the
 * token), or its address, IPv6 folded to its /64 so one host cannot rotate through addresses.
 */
function keyOf(req: FastifyRequest): string {
  return `${req.actor ?? normalizeIP(req.ip)} ${req.routeOptions.url ?? '*'}`;
}

/** The collector and the API share one registry in `runwatch up`: one counter, labelled by server. */
function rateLimitedCounter(registry: Registry): Counter<'server' | 'route'> {
  const existing = registry.getSingleMetric(RATE_LIMITED_METRIC);
  if (existing) return existing as Counter<'server' | 'route'>;
  return new Counter({
    name: RATE_LIMITED_METRIC,
    help: 'Requests refused with 429 because their token (or address) was over its rate limit, by server and route',
    labelNames: ['server', 'route'],
    registers: [registry],
  });
}
