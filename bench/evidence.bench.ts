/**
 * The evidence writer's insert throughput next to its ceiling: a raw insert of the same rows
 * into chDB through the same client, in the same batch size. Run as its own process (chDB binds
 * one data directory per process): `node --import tsx bench/evidence.bench.ts <rows>` prints
 * one JSON line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEvidenceStore } from '../services/evidence/open.js';
import { Redactor } from '../services/evidence/redact.js';
import { eventRow } from '../services/evidence/rows.js';
import { EvidenceWriter } from '../services/evidence/writer.js';
import { encodeEvent } from '../services/shared/avro/telemetry.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { loadConfig } from '../services/shared/config/load.js';
import { eventKey, parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import { mixedEvent } from './collector.bench.js';

export interface EvidenceFigures {
  rows: number;
  batch_rows: number;
  raw_insert_rows_per_s: number;
  writer_rows_per_s: number;
  ratio_writer_to_raw: number;
  /** CPU cost of the parts the raw insert does not do, per row. */
  redaction_us_per_row: number;
  avro_decode_us_per_row: number;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 200_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'rw-bench-evidence-'));
  const log = createLogger({ level: 'silent' });
  const config = (database: string) => loadConfig({ env: { RUNWATCH_DATA_DIR: dataDir, RUNWATCH_CLICKHOUSE_DATABASE: database, CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? '' } });
  const start = Date.now() - rows;
  const events: TelemetryEvent[] = [];
  for (let i = 0; i < rows; i++) {
    const parsed = parseEvent({ ...mixedEvent(i), ts: start + i }, { receivedAt: start + i, tenant: null });
    if (parsed.ok) events.push(parsed.event);
  }
  const batch = config('x').evidence.batch_rows;

  // Ceiling: the same rows, already built, inserted with nothing else in the way.
  const rawConfig = config('bench_raw');
  const raw = await openEvidenceStore(rawConfig, log);
  const built = events.map((e) => eventRow(e, 0));
  let t = performance.now();
  for (let i = 0; i < built.length; i += batch) {
    await raw.client.insert({ table: `${raw.database}.events`, values: built.slice(i, i + batch), format: 'JSONEachRow', clickhouse_settings: { date_time_input_format: 'best_effort' } });
  }
  const rawSeconds = (performance.now() - t) / 1000;

  // The writer: Avro off the bus, redaction, duplicate check, insert, commit.
  const writerConfig = config('bench_writer');
  const store = await openEvidenceStore(writerConfig, log);
  const bus = new MemoryBus({ partitions: 6, retainUnconsumed: rows });
  await bus.ensureTopics();
  for (let i = 0; i < events.length; i += 10_000) {
    await bus.produce(events.slice(i, i + 10_000).map((e) => ({ topic: TOPICS.telemetry, key: eventKey(e), value: encodeEvent(e) })));
  }
  const writer = new EvidenceWriter({ bus, store, log, registry: createRegistry({ processMetrics: false }), config: writerConfig.evidence });
  t = performance.now();
  await writer.start();
  while (writer.stored.events < events.length) await new Promise((r) => setTimeout(r, 5));
  const writerSeconds = (performance.now() - t) / 1000;
  await writer.stop();

  const redactor = new Redactor(writerConfig.evidence.redaction);
  const sample = events.slice(0, 20_000);
  t = performance.now();
  for (const e of sample) redactor.event(e);
  const redactUs = ((performance.now() - t) * 1000) / sample.length;
  const encoded = sample.map(encodeEvent);
  const { decodeEvent } = await import('../services/shared/avro/telemetry.js');
  t = performance.now();
  for (const b of encoded) decodeEvent(b);
  const decodeUs = ((performance.now() - t) * 1000) / sample.length;

  const figures: EvidenceFigures = {
    rows: events.length,
    batch_rows: batch,
    raw_insert_rows_per_s: Math.round(events.length / rawSeconds),
    writer_rows_per_s: Math.round(events.length / writerSeconds),
    ratio_writer_to_raw: Number((rawSeconds / writerSeconds).toFixed(3)),
    redaction_us_per_row: Number(redactUs.toFixed(1)),
    avro_decode_us_per_row: Number(decodeUs.toFixed(1)),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  await bus.close();
  await store.close();
  await raw.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
