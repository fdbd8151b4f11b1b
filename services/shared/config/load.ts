/**
 * Builds the validated Config from defaults, an optional YAML file and the environment.
 * Every error names the key and where its value came from:
 *   config: collector.port (env RUNWATCH_COLLECTOR_PORT): expected a number, got "80a"
 *   config: kafka.partitons (runwatch.yaml:4:3): unknown field
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import { formatPath } from '../validation.js';
import { CONFIG_FILE_VAR, ENV_VARS, type EnvVar } from './env.js';
import { ConfigSchema, type Config, type TokenConfig } from './schema.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** A YAML file; defaults to $RUNWATCH_CONFIG when set. */
  file?: string;
}

type Tree = Record<string, unknown>;

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? nonEmpty(env[CONFIG_FILE_VAR]);
  const sources = new Map<string, string>();
  const tree: Tree = file ? readYaml(file, sources) : {};

  for (const v of ENV_VARS) {
    const raw = nonEmpty(env[v.name]);
    if (raw === undefined) continue;
    setPath(tree, v.path, fromEnv(v, raw));
    sources.set(v.path, `env ${v.name}`);
  }

  const parsed = ConfigSchema.safeParse(tree, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      return keys
        .map((path) => {
          const key = formatPath(path);
          const source = sourceOf(sources, key);
          const reason = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
          return `config: ${key || '(top level)'}${source ? ` (${source})` : ''}: ${reason}`;
        })
        .join('\n');
    });
    throw new ConfigError(lines.join('\n'));
  }
  const config = parsed.data;
  config.data_dir = resolve(config.data_dir);
  config.collector.spool.dir = resolve(config.collector.spool.dir ?? `${config.data_dir}/spool`);
  config.rules.dirs = config.rules.dirs.length > 0 ? config.rules.dirs.map((d) => resolve(d)) : [join(PROJECT_ROOT, 'rules')];
  return config;
}

function readYaml(file: string, sources: Map<string, string>): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${file}: ${(err as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw new ConfigError(`config: ${file}: ${first.message}`);
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`config: ${file}: expected a mapping at the top level`);
  recordPositions(doc.contents, '', (path, offset) => {
    const { line, col } = lineCounter.linePos(offset);
    sources.set(path, `${file}:${line}:${col}`);
  });
  return value as Tree;
}

/** Remembers where each key of the YAML file stands, so errors can point at its line. */
function recordPositions(node: Node | null, prefix: string, record: (path: string, offset: number) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      const path = prefix ? `${prefix}.${key}` : key;
      const range = (pair.key as Node | null)?.range;
      if (range) record(path, range[0]);
      recordPositions(pair.value as Node | null, path, record);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const path = `${prefix}[${i}]`;
      const range = (item as Node | null)?.range;
      if (range) record(path, range[0]);
      recordPositions(item as Node | null, path, record);
    });
  }
}

function sourceOf(sources: Map<string, string>, key: string): string | undefined {
  // The closest key with a known source: `collector.tokens[0].token` falls back to `collector.tokens`.
  for (let k = key; k; k = k.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    const found = sources.get(k);
    if (found) return found;
    if (!/[.[]/.test(k)) break;
  }
  return undefined;
}

function fromEnv(v: EnvVar, raw: string): unknown {
  const shown = v.secret ? '(value hidden)' : JSON.stringify(raw);
  switch (v.kind) {
    case 'string':
      return raw;
    case 'number': {
      const n = Number(raw);
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(n)) {
        throw new ConfigError(`config: ${v.path} (env ${v.name}): expected a number, got ${shown}`);
      }
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`config: ${v.path} (env ${v.name}): expected true or false, got ${shown}`);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'tokens':
      return raw.split(',').map((s) => s.trim()).filter(Boolean).map((entry, i) => parseTokenEntry(v, entry, i));
  }
}

/** `tenant:token` or `tenant:sha256:<hex>`. */
function parseTokenEntry(v: EnvVar, entry: string, index: number): TokenConfig {
  const sep = entry.indexOf(':');
  if (sep <= 0) {
    throw new ConfigError(`config: ${v.path}[${index}] (env ${v.name}): expected tenant:token or tenant:sha256:<hex>`);
  }
  const tenant = entry.slice(0, sep);
  const rest = entry.slice(sep + 1);
  return rest.startsWith('sha256:') ? { tenant, sha256: rest.slice('sha256:'.length) } : { tenant, token: rest };
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object') node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]!] = value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
