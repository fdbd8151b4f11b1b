/**
 * Collector ingest throughput: events/s accepted over HTTP (POST /v1/events), with the
 * collector in its own process (`runwatch up` on the embedded bus, or `runwatch collector` on
 * Kafka) and the load from this one, a realistic mix of the four kinds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../services/shared/paths.js';

export interface IngestFigures {
  mode: string;
  batch_size: number;
  concurrency: number;
  seconds: number;
  requests: number;
  events: number;
  events_per_s: number;
  p50_request_ms: number;
  p99_request_ms: number;
}

const TEXT = 'The quarterly report shows revenue up 12% while support tickets dropped; see the attached summary for details. ';

/** One event of each kind in turn, sized like real traffic (a few hundred bytes to a few KB). */
export function mixedEvent(i: number): Record<string, unknown> {
  const common = { agent_id: `agent-${i % 50}`, session_id: `s-${i % 500}`, app: 'bench', model: 'gpt-4o', key_id: `key-${i % 20}` };
  switch (i % 4) {
    case 0:
      return { ...common, kind: 'prompt', prompt: { messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: TEXT.repeat(2) }] } };
    case 1:
      return { ...common, kind: 'output', output: { text: TEXT.repeat(3), finish_reason: 'stop', usage: { input_tokens: 900, output_tokens: 120 } } };
    case 2:
      return { ...common, kind: 'retrieval', retrieval: { query: 'quarterly revenue', documents: [0, 1, 2].map((d) => ({ id: `doc-${d}`, score: 0.8, content: TEXT.repeat(4) })) } };
    default:
      return { ...common, kind: 'tool_call', tool_call: { name: 'search_crm', arguments: { query: 'revenue', limit: 10 }, result: TEXT, status: 'ok', target: 'crm.internal' } };
  }
}

export async function startService(args: string[], env: Record<string, string>): Promise<{ url: string; apiUrl?: string; child: ChildProcess }> {
  // BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service under the load.
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(PROJECT_ROOT, 'bin', 'runwatch.js'), ...args], {
    env: {
      ...process.env,
      RUNWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'rw-bench-')),
      RUNWATCH_COLLECTOR_PORT: '0',
      RUNWATCH_API_PORT: '0',
      RUNWATCH_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let apiUrl: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"(?:collector|url)":"(http:\/\/[^"]+)"/.exec(out);
      apiUrl ??= /"api":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`runwatch ${args.join(' ')} exited with ${code}: ${out}`)));
  });
  return { url, apiUrl, child };
}

export async function measureIngest(mode: string, url: string, batchSize: number, concurrency: number, seconds: number): Promise<IngestFigures> {
  const bodies = Array.from({ length: 16 }, (_, b) => JSON.stringify(Array.from({ length: batchSize }, (_, i) => mixedEvent(b * batchSize + i))));
  const latencies: number[] = [];
  let events = 0;
  let requests = 0;
  const end = performance.now() + seconds * 1000;
  // Warm-up: JIT and connection pool.
  for (let i = 0; i < 20; i++) await post(url, bodies[i % bodies.length]!);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; performance.now() < end; i += concurrency) {
        const t = performance.now();
        const accepted = await post(url, bodies[i % bodies.length]!);
        latencies.push(performance.now() - t);
        events += accepted;
        requests++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2));
  return {
    mode,
    batch_size: batchSize,
    concurrency,
    seconds: Number(elapsed.toFixed(2)),
    requests,
    events,
    events_per_s: Math.round(events / elapsed),
    p50_request_ms: pct(0.5),
    p99_request_ms: pct(0.99),
  };
}

async function post(url: string, body: string): Promise<number> {
  const res = await fetch(`${url}/v1/events`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const answer = (await res.json()) as { accepted?: number };
  if (res.status !== 202) throw new Error(`collector answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer.accepted ?? 0;
}
