/**
 * `npm run bench`: runs the benchmarks and prints their figures as JSON (BENCHMARKS.md says
 * how to read them). Ratios compare figures measured in the same run: these machines are
 * shared and noisy, so absolute numbers move between runs and ratios much less.
 *
 *   BENCH_SECONDS=10 npm run bench
 *
 * Profile a service under its load: BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { TestBroker } from '../test/support/broker.js';
import { measureIngest, startService, type IngestFigures } from './collector.bench.js';
import { measureDataDetectors } from './detectors-data.bench.js';
import { measureDetectors } from './detectors-injection.bench.js';
import type { ContainFigures } from './contain.bench.js';
import { detectionLatency, detectorWorkers, encodedTelemetry, noopConsumer, resetTopics } from './kafka.bench.js';
import type { MemoryFigures } from './memory.bench.js';
import { measurePipeline } from './pipeline.bench.js';
import type { EvidenceFigures } from './evidence.bench.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const concurrency = 8;

async function withService<T>(args: string[], env: Record<string, string>, fn: (url: string) => Promise<T>): Promise<T> {
  const { url, child } = await startService(args, env);
  try {
    return await fn(url);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function noopCeiling(batch: number): Promise<IngestFigures> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'noop-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { url: string }).url)));
  try {
    return await measureIngest('noop-http', url, batch, concurrency, seconds);
  } finally {
    child.kill('SIGTERM');
  }
}

/** Runs bench/<file> in its own process (chDB binds one folder per process) and reads its JSON line. */
async function childFigures<T>(file: string, args: string[], options: { nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<T> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(PROJECT_ROOT, 'bench', file), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/${file} exited with ${code}`);
  return JSON.parse(out) as T;
}

const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
};

// Each built-in detector's cost per event, short (200 chars) and long (20 KB) texts.
figures.detectors_us_per_event = { attacks: measureDetectors(), data_and_tools: measureDataDetectors() };

// The evidence writer against a raw insert of the same rows (its own process: chDB binds one folder per process).
figures.evidence_writer = await childFigures<EvidenceFigures>('evidence.bench.ts', [String(Number(process.env.BENCH_EVIDENCE_ROWS ?? 200_000))]);

// Time to contain, embedded: the attack posted, /v1/check polled until it denies (own process, chDB inside).
const containRuns = String(Number(process.env.BENCH_CONTAIN_RUNS ?? 40));
figures.time_to_contain_embedded = await childFigures<ContainFigures>('contain.bench.ts', [containRuns], { env: { KAFKA_BROKERS: '' } });

// Memory held per live correlation group: 100,000 sessions through the full pack, heap after a full GC.
figures.correlation_memory = await childFigures<MemoryFigures>('memory.bench.ts', [String(Number(process.env.BENCH_MEMORY_SESSIONS ?? 100_000))], { nodeArgs: ['--expose-gc'] });

const ceiling = await noopCeiling(100);
const embedded = await withService(['up'], { KAFKA_BROKERS: '', CLICKHOUSE_URL: '' }, (url) => measureIngest('embedded', url, 100, concurrency, seconds));
const embeddedSingle = await withService(['up'], { KAFKA_BROKERS: '', CLICKHOUSE_URL: '' }, (url) => measureIngest('embedded', url, 1, concurrency, seconds));
// HTTP in → every rule → chDB → the API: accepted events over the time until the last is stored and served.
const pipeline = await measurePipeline(seconds);
figures.pipeline_embedded = { ...pipeline, ratio_to_noop_http: Number((pipeline.end_to_end_events_per_s / ceiling.events_per_s).toFixed(3)) };

let broker: TestBroker | undefined;
let brokers = process.env.KAFKA_BROKERS ?? '';
if (!brokers) {
  broker = await TestBroker.launch();
  brokers = broker.brokers;
}
const kafka = await withService(['collector'], { KAFKA_BROKERS: brokers }, (url) => measureIngest('kafka', url, 100, concurrency, seconds));
const kafkaGzip = await withService(['collector'], { KAFKA_BROKERS: brokers, RUNWATCH_KAFKA_COMPRESSION: 'gzip' }, (url) =>
  measureIngest('kafka-gzip', url, 100, concurrency, seconds),
);

// Detector workers (each its own `runwatch detector` process) against a no-op consumer of the same events.
const workerEvents = Number(process.env.BENCH_WORKER_EVENTS ?? 200_000);
const records = encodedTelemetry(workerEvents);
const one = await detectorWorkers(brokers, records, 1);
// The same events, now on the topic, through a consumer that does nothing with them.
const noop = await noopConsumer(brokers, workerEvents);
const two = await detectorWorkers(brokers, records, 2);
figures.detector_workers_kafka = {
  events: workerEvents,
  ceiling_noop_consumer_events_per_s: noop,
  one_worker: one,
  two_workers: two,
  ratio_one_worker_to_noop: Number((one.events_per_s / noop).toFixed(3)),
  ratio_two_workers_to_one: Number((two.events_per_s / one.events_per_s).toFixed(3)),
};
await resetTopics(brokers);
figures.detection_latency_kafka = await detectionLatency(brokers, seconds, Number(process.env.BENCH_LATENCY_BACKGROUND ?? 1000));
await resetTopics(brokers);
figures.time_to_contain_kafka = await childFigures<ContainFigures>('contain.bench.ts', [String(Number(process.env.BENCH_CONTAIN_KAFKA_RUNS ?? 20))], { env: { KAFKA_BROKERS: brokers } });
await broker?.destroy();

figures.collector_ingest = {
  ceiling_noop_http_batch100: ceiling,
  embedded_batch100: embedded,
  embedded_single_event_requests: embeddedSingle,
  kafka_batch100: kafka,
  kafka_gzip_batch100: kafkaGzip,
  ratios_to_noop_http: {
    embedded_batch100: Number((embedded.events_per_s / ceiling.events_per_s).toFixed(3)),
    kafka_batch100: Number((kafka.events_per_s / ceiling.events_per_s).toFixed(3)),
    kafka_gzip_batch100: Number((kafkaGzip.events_per_s / ceiling.events_per_s).toFixed(3)),
  },
};

process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
