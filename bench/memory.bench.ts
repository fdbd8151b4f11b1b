/**
 * Memory held by correlation state: the full default pack in one rule engine, fed events from
 * 100,000 distinct sessions (each opens groups in the rules keyed by session), heap measured
 * after a full GC before and after. Its own process, with --expose-gc:
 * `node --expose-gc --import tsx bench/memory.bench.ts 100000` prints one JSON line.
 */
import { createDetectorRegistry } from '../services/shared/detectors/registry.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { RuleEngine } from '../services/shared/rules/index.js';
import { loadPackOrThrow } from '../services/shared/rules/pack-loader.js';
import { join } from 'node:path';

export interface MemoryFigures {
  sessions: number;
  live_groups: number;
  groups_by_rule: Record<string, number>;
  heap_mib_before: number;
  heap_mib_after: number;
  bytes_per_session: number;
  bytes_per_live_group: number;
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const sessions = Number(process.argv[2] ?? 100_000);
  const detectors = createDetectorRegistry();
  const engine = new RuleEngine(loadPackOrThrow([join(PROJECT_ROOT, 'rules')], detectors), { detectors });
  // All within ten seconds of event time, so no window (the shortest is a minute) lets any go.
  const start = Date.now() - 10_000;
  // One tool call per session, spread over distinct agents and keys: the shape that opens the
  // most groups (per-session counts and distinct counts, per-key sums, sequences' first steps).
  const events = Array.from({ length: sessions }, (_, i) => {
    const parsed = parseEvent(
      {
        event_id: `m-${i}`,
        ts: start + Math.floor(i / (sessions / 10_000)),
        agent_id: `agent-${i}`,
        session_id: `session-${i}`,
        key_id: `key-${i}`,
        source_ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        kind: 'tool_call',
        tool_call: { name: 'http_get', arguments: { url: `https://api.example.com/items/${i}` }, target: 'api.example.com' },
      },
      { receivedAt: start + 10_000, tenant: null },
    );
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.event;
  });
  const before = heapAfterGc();
  for (const e of events) engine.process(e);
  const after = heapAfterGc();
  const groups = Object.fromEntries([...engine.groups()].filter(([, n]) => n > 0));
  const live = Object.values(groups).reduce((a, b) => a + b, 0);
  const figures: MemoryFigures = {
    sessions,
    live_groups: live,
    groups_by_rule: groups,
    heap_mib_before: Math.round(before / 2 ** 20),
    heap_mib_after: Math.round(after / 2 ** 20),
    bytes_per_session: Math.round((after - before) / sessions),
    bytes_per_live_group: live > 0 ? Math.round((after - before) / live) : 0,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
