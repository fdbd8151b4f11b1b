// docker-compose.yml and deploy/Dockerfile, checked statically (no Docker engine needed): the
// services run subcommands the CLI has, with variables runwatch reads and values its config
// accepts, wired to the Kafka and ClickHouse services of the same file. The checkers return a
// list of problems, and each check is shown to fail on a broken copy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { buildCli } from '../services/cli/program.js';
import { CONFIG_FILE_VAR, ENV_VARS } from '../services/shared/config/env.js';
import { loadConfig } from '../services/shared/config/load.js';
import type { Config } from '../services/shared/config/schema.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target?: number; published?: string | number })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
}
interface Compose {
  services?: Record<string, Service>;
}

/** Services that are not runwatch; every other service runs the runwatch image. */
const INFRA = ['kafka', 'clickhouse'];
const REQUIRED = [...INFRA, 'collector', 'detector-1', 'detector-2', 'evidence', 'responder'];
/** Subcommands that serve HTTP, and the part of the config that says where. */
const HTTP = new Map<string, (c: Config) => { host: string; port: number }>([
  ['collector', (c) => c.collector],
  ['responder', (c) => c.api],
]);
/** Workers with no HTTP port yet, so nothing for a healthcheck to ask. */
const WORKERS = new Set(['detector', 'evidence']);
const KNOWN_VARS = new Set([...ENV_VARS.map((v) => v.name), CONFIG_FILE_VAR]);

/** A value as compose sees it with no .env and nothing exported: `${X:-d}` and `${X-d}` give d. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (match, fallback: string | undefined) =>
    match === '$$' ? '$' : (fallback ?? ''),
  );
}

/** `environment` as a map, in either of compose's two spellings (map, or list of NAME=value). */
function envOf(service: Service): Record<string, string | undefined> {
  const raw = service.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((line) => (line.includes('=') ? [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] : [line, null]))
    : Object.entries(raw);
  // A name without a value is passed through from the host's environment: nothing to check.
  return Object.fromEntries(entries.map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)]));
}

/** Published ports as host/container pairs, from `[ip:]host:container[/proto]` or the long form. */
function portsOf(service: Service): { host: number; container: number }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: Number(p.published), container: Number(p.target) };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    const container = Number(parts.at(-1));
    return { host: parts.length > 1 ? Number(parts.at(-2)) : NaN, container };
  });
}

function hasHealthcheck(service: Service): boolean {
  const t = service.healthcheck?.test;
  return !service.healthcheck?.disable && t !== undefined && !(Array.isArray(t) && t[0] === 'NONE');
}

function checkCompose(compose: Compose, subcommands: readonly string[]): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  for (const name of REQUIRED) if (!services[name]) problems.push(`${name}: service missing`);

  const kafka = services.kafka;
  if (kafka && !/^apache\/kafka:3\.9\.\d+$/.test(kafka.image ?? '')) problems.push(`kafka: image ${kafka.image} is not apache/kafka:3.9.x`);
  const clickhouse = services.clickhouse;
  const chMajor = Number(/^clickhouse\/clickhouse-server:(\d+)(\.|$)/.exec(clickhouse?.image ?? '')?.[1]);
  if (clickhouse && !(chMajor >= 24)) problems.push(`clickhouse: image ${clickhouse.image} is not clickhouse/clickhouse-server 24 or later`);

  // The addresses kafka advertises under its own service name: what other containers reach.
  const internal = (kafka ? interpolate(envOf(kafka).KAFKA_ADVERTISED_LISTENERS ?? '').split(',') : [])
    .map((l) => /^\w+:\/\/([^:]+:\d+)$/.exec(l.trim())?.[1])
    .filter((a): a is string => a?.startsWith('kafka:') === true);
  const chEnv = clickhouse ? envOf(clickhouse) : {};
  const chUser = interpolate(chEnv.CLICKHOUSE_USER ?? 'default');
  const chPassword = interpolate(chEnv.CLICKHOUSE_PASSWORD ?? '');
  const defaults = loadConfig({ env: {} });

  for (const [name, service] of Object.entries(services)) {
    if (INFRA.includes(name)) {
      if (!hasHealthcheck(service)) problems.push(`${name}: no healthcheck`);
      continue;
    }
    const problem = (what: string) => problems.push(`${name}: ${what}`);

    const command = [service.command ?? []].flat()[0] ?? '';
    if (!subcommands.includes(command)) problem(`command "${command}" is not a runwatch subcommand (${subcommands.join(', ')})`);
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    if (build?.context !== '.' || build.dockerfile !== 'deploy/Dockerfile') problem('not built from deploy/Dockerfile with the repository as context');

    const env = envOf(service);
    for (const key of Object.keys(env)) if (!KNOWN_VARS.has(key)) problem(`env ${key} is not a variable runwatch reads`);
    const given = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === undefined ? undefined : interpolate(v)]));
    delete given[CONFIG_FILE_VAR]; // names a file inside the container, not here
    let config: Config;
    try {
      config = loadConfig({ env: given });
    } catch (err) {
      problem(`its environment is not a valid config: ${(err as Error).message}`);
      continue;
    }

    if (config.kafka.brokers.length === 0 || !config.kafka.brokers.every((b) => internal.includes(b))) {
      problem(`KAFKA_BROKERS ${config.kafka.brokers.join(',') || '(unset)'} is not kafka's internal listener (${internal.join(',') || 'none advertised'})`);
    }
    const url = config.clickhouse.url ? new URL(config.clickhouse.url) : null;
    if (url?.hostname !== 'clickhouse' || (url.port || '80') !== '8123') problem(`CLICKHOUSE_URL ${config.clickhouse.url} is not http://clickhouse:8123`);
    if (config.clickhouse.username !== chUser || config.clickhouse.password !== chPassword) {
      problem("ClickHouse username/password differ from the clickhouse service's CLICKHOUSE_USER/CLICKHOUSE_PASSWORD");
    }

    const deps = service.depends_on ?? {};
    for (const dep of INFRA) {
      if (Array.isArray(deps) || deps[dep]?.condition !== 'service_healthy') problem(`does not wait for ${dep} to be healthy`);
    }

    const served = HTTP.get(command);
    const published = portsOf(service);
    if (served) {
      const { host, port } = served(config);
      const wanted = served(defaults).port;
      if (port !== wanted) problem(`listens on ${port}, not the default ${wanted}`);
      if (host !== '0.0.0.0') problem(`listens on ${host}: only 0.0.0.0 is reachable through a published port`);
      if (published.length !== 1 || published[0]!.host !== port || published[0]!.container !== port) {
        problem(`publishes ${JSON.stringify(service.ports ?? [])}, expected ${port}:${port}`);
      }
      if (!hasHealthcheck(service)) problem('no healthcheck');
      else if (![service.healthcheck?.test].flat().join(' ').includes(`:${port}/healthz`)) problem(`healthcheck does not ask :${port}/healthz`);
    } else {
      if (published.length > 0) problem(`publishes ports, but ${command} serves no HTTP`);
      if (!WORKERS.has(command) && !hasHealthcheck(service)) problem('no healthcheck');
    }
  }
  return problems;
}

/** An exec-form argument, normalized; shell form gives null (sh -c would not pass SIGTERM on). */
function execForm(args: string | undefined): string | null {
  try {
    return args === undefined ? null : JSON.stringify(JSON.parse(args) as unknown);
  } catch {
    return null;
  }
}

function checkDockerfile(text: string): string[] {
  const problems: string[] = [];
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.filter((a) => !a.startsWith('--')) };
    });

  const stages: string[] = [];
  let finalStage: typeof lines = [];
  for (const line of lines) {
    if (line.op === 'FROM') {
      const [image = '', as, stage] = line.args;
      if (!stages.includes(image) && !/^(docker\.io\/)?(library\/)?node:20([.-]|$)/.test(image)) problems.push(`FROM ${image} is not a Node 20 image`);
      if (as?.toUpperCase() === 'AS' && stage) stages.push(stage);
      finalStage = [];
    } else finalStage.push(line);
  }

  const entrypoint = finalStage.filter((l) => l.op === 'ENTRYPOINT').at(-1)?.args.join(' ');
  if (execForm(entrypoint) !== '["node","bin/runwatch.js"]') {
    problems.push(`ENTRYPOINT ${entrypoint ?? '(none)'} does not run ["node", "bin/runwatch.js"]`);
  }
  const user = finalStage.filter((l) => l.op === 'USER').at(-1)?.args[0];
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`the image runs as ${user ?? 'root (no USER)'}`);
  // What the CLI reads at run time: bin/runwatch.js loads dist/, and finds its root by schemas/.
  const copied = finalStage.filter((l) => l.op === 'COPY').flatMap((l) => l.args.slice(0, -1).map((s) => s.replace(/\/$/, '').split('/').at(-1)));
  for (const needed of ['package.json', 'schemas', 'bin', 'dist', 'node_modules']) {
    if (!copied.includes(needed)) problems.push(`the final stage does not copy ${needed}`);
  }
  return problems;
}

const composeText = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
const dockerfileText = readFileSync(join(PROJECT_ROOT, 'deploy', 'Dockerfile'), 'utf8');
const subcommands = buildCli().commands.map((c) => c.name());

/** A fresh copy of docker-compose.yml. Through JSON, because YAML aliases share objects. */
function compose(): Compose {
  return JSON.parse(JSON.stringify(parse(composeText, { merge: true }))) as Compose;
}

function brokenCompose(mutate: (services: Record<string, Service>) => void): string[] {
  const copy = compose();
  mutate(copy.services!);
  return checkCompose(copy, subcommands);
}

const env = (service: Service) => service.environment as Record<string, unknown>;

describe('docker-compose.yml', () => {
  test('passes every check', () => {
    assert.deepEqual(checkCompose(compose(), subcommands), []);
  });

  test('reads the list form of environment like the map form', () => {
    const problems = brokenCompose((s) => {
      s.collector!.environment = Object.entries(env(s.collector!)).map(([k, v]) => `${k}=${String(v)}`);
    });
    assert.deepEqual(problems, []);
  });

  const broken: [string, (s: Record<string, Service>) => void, RegExp][] = [
    ['a missing service', (s) => delete s['detector-2'], /^detector-2: service missing/],
    ['a Kafka other than 3.9', (s) => (s.kafka!.image = 'apache/kafka:3.8.0'), /^kafka: image/],
    ['a ClickHouse older than 24', (s) => (s.clickhouse!.image = 'clickhouse/clickhouse-server:23.8'), /^clickhouse: image/],
    ['an unknown variable', (s) => (env(s.collector!).RUNWATCH_COLLECTOR_PROT = '9000'), /^collector: env RUNWATCH_COLLECTOR_PROT is not/],
    ['a value the config rejects', (s) => (env(s['detector-1']!).RUNWATCH_KAFKA_PARTITIONS = 'six'), /^detector-1: .*kafka\.partitions/],
    ['a default the config rejects', (s) => (env(s.responder!).RUNWATCH_LOG_LEVEL = '${RUNWATCH_LOG_LEVEL:-loud}'), /^responder: .*log_level/],
    ['a command the CLI lacks', (s) => (s.evidence!.command = ['evidence-writer']), /^evidence: command "evidence-writer"/],
    ['another Dockerfile', (s) => (s.responder!.build = { context: '.', dockerfile: 'Dockerfile' }), /^responder: not built from deploy\/Dockerfile/],
    ['brokers on the host listener', (s) => (env(s.collector!).KAFKA_BROKERS = 'localhost:29092'), /^collector: KAFKA_BROKERS localhost:29092/],
    ['ClickHouse elsewhere', (s) => (env(s.evidence!).CLICKHOUSE_URL = 'http://localhost:8123'), /^evidence: CLICKHOUSE_URL/],
    ['a wrong ClickHouse password', (s) => (env(s.clickhouse!).CLICKHOUSE_PASSWORD = 'other'), /password/],
    ['no wait for a healthy dependency', (s) => (s['detector-2']!.depends_on = ['kafka', 'clickhouse']), /^detector-2: does not wait for kafka/],
    ['a port other than the default', (s) => (env(s.responder!).RUNWATCH_API_PORT = '9000'), /^responder: listens on 9000, not the default 8701/],
    ['a port published elsewhere', (s) => (s.collector!.ports = ['127.0.0.1:8080:8700']), /^collector: publishes .*8080/],
    ['a collector on loopback', (s) => delete env(s.collector!).RUNWATCH_COLLECTOR_HOST, /^collector: listens on 127\.0\.0\.1/],
    ['a missing healthcheck', (s) => delete s.responder!.healthcheck, /^responder: no healthcheck/],
    ['a healthcheck on the wrong port', (s) => (s.collector!.healthcheck = { test: ['CMD', 'true', ':8701/healthz'] }), /^collector: healthcheck does not ask :8700/],
  ];
  for (const [what, mutate, expected] of broken) {
    test(`catches ${what}`, () => {
      const problems = brokenCompose(mutate);
      assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got ${JSON.stringify(problems)}`);
    });
  }
});

describe('deploy/Dockerfile', () => {
  test('passes every check', () => {
    assert.deepEqual(checkDockerfile(dockerfileText), []);
  });

  const broken: [string, (text: string) => string, RegExp][] = [
    ['a base image other than Node 20', (t) => t.replaceAll('node:20-bookworm-slim', 'node:22-bookworm-slim'), /FROM node:22-bookworm-slim is not a Node 20 image/],
    ['another entrypoint', (t) => t.replace('"bin/runwatch.js"', '"dist/services/cli/main.js"'), /^ENTRYPOINT/],
    ['a shell-form entrypoint', (t) => t.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT node bin/runwatch.js'), /^ENTRYPOINT node bin\/runwatch.js does not/],
    ['running as root', (t) => t.replace(/^USER .*$/m, ''), /runs as root/],
    ['a runtime without schemas/', (t) => t.replace(/^COPY schemas .*$/m, ''), /does not copy schemas/],
  ];
  for (const [what, mutate, expected] of broken) {
    test(`catches ${what}`, () => {
      const text = mutate(dockerfileText);
      assert.notEqual(text, dockerfileText, 'the mutation applies');
      const problems = checkDockerfile(text);
      assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got ${JSON.stringify(problems)}`);
    });
  }
});
