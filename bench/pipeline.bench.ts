/**
 * The embedded pipeline end to end: events posted to `runwatch up` (its own process) for a
 * while, as fast as 8 requests in flight allow, then the clock runs until every accepted event
 * has been evaluated by the full default pack and stored in chDB, and the last one is served
 * by the operator API. Throughput is accepted events over that whole time, so a stage that
 * falls behind (and only queues) shows up here and not just in the ingest figure.
 */
import { measureIngest, startService, type IngestFigures } from './collector.bench.js';

export interface PipelineFigures {
  events: number;
  ingest_events_per_s: number;
  /** Accepted events over the time from the first post to the last event stored and served. */
  end_to_end_events_per_s: number;
  drain_after_ingest_s: number;
  detections: number;
  rss_mib: number;
}

/** Sums a counter's samples (every label set) in a Prometheus text page. */
export function counter(page: string, name: string, label?: string): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (label && !line.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function metricsPage(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** Waits until every one of `events` is evaluated and stored; returns when that happened. */
async function drained(url: string, events: number, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const page = await metricsPage(url);
    const stored = counter(page, 'runwatch_evidence_rows_total', 'table="events"');
    const evaluated = counter(page, 'runwatch_detector_events_total');
    if (stored >= events && evaluated >= events) return page;
    if (performance.now() > deadline) throw new Error(`pipeline did not drain: ${stored} stored, ${evaluated} evaluated of ${events}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function measurePipeline(seconds: number): Promise<PipelineFigures> {
  const { url, apiUrl, child } = await startService(['up'], { KAFKA_BROKERS: '', CLICKHOUSE_URL: '', RUNWATCH_RULES_WATCH: 'false' });
  try {
    if (!apiUrl) throw new Error('runwatch up did not log its API address');
    const since = new Date().toISOString();
    const started = performance.now();
    const ingest: IngestFigures = await measureIngest('embedded', url, 100, 8, seconds);
    const ingestEnded = performance.now();
    // measureIngest's warm-up posts 20 requests more than it counts.
    const total = ingest.events + 20 * 100;
    const page = await drained(url, total, 600_000);
    await servedByApi(apiUrl, since, total);
    const ended = performance.now();
    return {
      events: total,
      ingest_events_per_s: ingest.events_per_s,
      end_to_end_events_per_s: Math.round(total / ((ended - started) / 1000)),
      drain_after_ingest_s: Number(((ended - ingestEnded) / 1000).toFixed(2)),
      detections: counter(page, 'runwatch_detector_detections_total'),
      rss_mib: Math.round(counter(page, 'runwatch_process_resident_memory_bytes') / 2 ** 20),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** A page of this run's events through the API: the end of the pipeline a user reads. */
async function servedByApi(apiUrl: string, since: string, total: number): Promise<void> {
  const res = await fetch(`${apiUrl}/v1/events?since=${encodeURIComponent(since)}&limit=100`);
  if (res.status !== 200) throw new Error(`GET /v1/events answered ${res.status}`);
  const events = (await res.json()) as unknown[];
  if (events.length === 0) throw new Error(`GET /v1/events served nothing of ${total} events`);
}
