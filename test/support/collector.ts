/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field in the tests */
/** Starts a collector on a free loopback port for a test, with its own temp data dir. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../../services/collector/server.js';
import type { Bus } from '../../services/shared/bus/types.js';
import { loadConfig } from '../../services/shared/config/load.js';
import type { Config } from '../../services/shared/config/schema.js';
import { createLogger } from '../../services/shared/log.js';

export interface TestCollector {
  collector: Collector;
  config: Config;
  url: string;
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
  close(): Promise<void>;
}

export async function startTestCollector(bus: Bus, env: Record<string, string> = {}): Promise<TestCollector> {
  const dataDir = env.RUNWATCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'rw-collector-'));
  const config = loadConfig({ env: { RUNWATCH_DATA_DIR: dataDir, RUNWATCH_COLLECTOR_PORT: '0', RUNWATCH_PRODUCE_TIMEOUT_MS: '1000', ...env } });
  const collector = await Collector.create({ config, bus, log: createLogger({ level: 'silent' }) });
  const url = await collector.listen();
  return {
    collector,
    config,
    url,
    async post(path, body, headers = {}) {
      const res = await fetch(url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, headers: res.headers, json };
    },
    close: () => collector.close(),
  };
}
