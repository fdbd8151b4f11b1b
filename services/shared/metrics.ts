/**
 * Prometheus metrics. Each service instance gets its own registry (tests run several in one
 * process); `/metrics` serves it. Every metric runwatch exports is named `runwatch_*`.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'runwatch_' });
  return registry;
}
