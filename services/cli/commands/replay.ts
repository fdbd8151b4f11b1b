/**
 * `runwatch replay incident|backtest|publish`: reading the evidence store after the fact.
 *
 *   runwatch replay incident <detection_id> [--context 10m] [--json | --html FILE] [--tenant T]
 *   runwatch replay backtest --since T [--until T] [--rules DIR ...] [--agent A] [--session S] [--tenant T] [--partitions N] [--json]
 *   runwatch replay publish --since T [--until T] [--topic runwatch.telemetry.v1] [--agent A] [--session S] [--tenant T] [--rate N/s]
 *
 * Every command checks its options before it touches the store or the bus (a bad value is
 * one line naming the option, exit 1), and leaves one audit row (via `cli`) with its exit code.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AuditLog } from '../../evidence/audit.js';
import { countEvents, type EventFilter } from '../../evidence/read.js';
import { loadPackOrThrow } from '../../shared/rules/pack-loader.js';
import { backtest } from '../../replay/backtest.js';
import { countOption, durationOption, rangeOptions, rateOption } from '../../replay/options.js';
import { progressBar, type Progress } from '../../replay/progress.js';
import { publishEvents } from '../../replay/publish.js';
import { backtestTable } from '../../replay/render-backtest.js';
import { timelineHtml } from '../../replay/render-html.js';
import { timelineTable } from '../../replay/render-table.js';
import { openReplayStore } from '../../replay/store.js';
import { buildTimeline } from '../../replay/timeline.js';
import { createBus } from '../../shared/bus/index.js';
import { TOPICS } from '../../shared/bus/topics.js';
import type { Bus } from '../../shared/bus/types.js';
import { loadConfig } from '../../shared/config/load.js';
import type { Config } from '../../shared/config/schema.js';
import { createDetectorRegistry } from '../../shared/detectors/registry.js';
import { ConfigError, QueryInvalidError, RunwatchError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/log.js';
import type { Store } from '../../shared/store/clickhouse.js';

/** Where a command writes: stdout for its result, stderr for problems and progress. */
export interface ReplayIo {
  out(text: string): void;
  err(text: string): void;
  /** Terminal width for tables. */
  columns?: number;
}

const stdio: ReplayIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  // Piped output is not cut to a terminal's width.
  columns: process.stdout.columns ?? 200,
};

export interface IncidentOptions {
  context: string;
  json?: boolean;
  html?: string;
  tenant?: string;
}

export interface FilterOptions {
  since?: string;
  until?: string;
  agent?: string;
  session?: string;
  tenant?: string;
}

export interface BacktestCliOptions extends FilterOptions {
  rules?: string[];
  partitions?: string;
  json?: boolean;
}

export interface PublishCliOptions extends FilterOptions {
  topic: string;
  rate?: string;
}

/** What one replay command does once its options are valid and the store is open. */
interface ReplayCommand {
  /** The audit row's action, e.g. `replay backtest`. */
  action: string;
  /** The record acted on (a detection id), '' otherwise. */
  target: string;
  tenant: string | undefined;
  params: Record<string, unknown>;
  run(store: Store, log: Logger): Promise<void>;
}

interface GlobalOptions {
  config?: string;
}

export function registerReplay(program: Command): void {
  const replay = program.command('replay').description('incident timelines, backtests and re-publishing, from the evidence store');

  replay
    .command('incident <detection_id>')
    .description("a detection's timeline: the events of its session (or agent) around it, evidence marked")
    .option('--context <duration>', 'events this long before and after the detection window', '10m')
    .option('--json', 'print one JSON document: {detection, events}')
    .option('--html <file>', 'write a self-contained HTML report to this file')
    .option('--tenant <tenant>', 'the tenant the detection belongs to (default: any)')
    .action(async (id: string, opts: IncidentOptions, cmd: Command) => {
      process.exitCode = await withConfig(cmd, stdio, (config) => replayIncident(config, id, opts, stdio));
    });

  filterOptions(
    replay
      .command('backtest')
      .description('run rules over stored events and compare with the stored detections: new, missing, unchanged')
      .option('--rules <dir>', 'a rule folder (repeat for several; default: the configured ones)', collect)
      .option('--partitions <n>', 'partitions of the telemetry topic: one engine each, as the detector workers (default: kafka.partitions)')
      .option('--json', 'print the full report as JSON'),
  ).action(async (opts: BacktestCliOptions, cmd: Command) => {
    process.exitCode = await withConfig(cmd, stdio, (config) => replayBacktest(config, opts, stdio));
  });

  filterOptions(
    replay
      .command('publish')
      .description('re-publish stored events to Kafka for a live re-run (needs KAFKA_BROKERS)')
      .option('--topic <topic>', 'the topic to publish to', TOPICS.telemetry)
      .option('--rate <n/s>', 'at most this many events per second'),
  ).action(async (opts: PublishCliOptions, cmd: Command) => {
    process.exitCode = await withConfig(cmd, stdio, (config) => replayPublish(config, opts, stdio));
  });
}

function filterOptions(cmd: Command): Command {
  return cmd
    .option('--since <time>', 'start of the range (ISO-8601, epoch ms, or a duration ago: 24h)')
    .option('--until <time>', 'end of the range, exclusive (default: now)')
    .option('--agent <agent_id>', 'only this agent')
    .option('--session <session_id>', 'only this session')
    .option('--tenant <tenant>', 'only this tenant (default: all)');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `runwatch replay incident`: exit 0, or 1 when the detection does not exist. */
export async function replayIncident(config: Config, detectionId: string, opts: IncidentOptions, io: ReplayIo): Promise<number> {
  const contextMs = durationOption('--context', opts.context);
  if (opts.json && opts.html !== undefined) throw new QueryInvalidError('--html', 'choose one of --json and --html');
  return withStore(config, io, {
    action: 'replay incident',
    target: detectionId,
    tenant: opts.tenant,
    params: { ...opts },
    async run(store) {
      const timeline = await buildTimeline(store, { tenant: opts.tenant ?? null }, detectionId, contextMs);
      if (opts.json) {
        io.out(JSON.stringify({ detection: timeline.detection, events: timeline.events }, null, 2));
      } else if (opts.html !== undefined) {
        const file = resolve(opts.html);
        writeFileSync(file, timelineHtml(timeline, { generatedAt: Date.now() }));
        io.out(`${timeline.events.length} event(s) written to ${file}`);
      } else {
        for (const line of timelineTable(timeline, io.columns)) io.out(line);
      }
    },
  });
}

/** `runwatch replay backtest`: exit 0 whatever the report says (the report is the output). */
export async function replayBacktest(config: Config, opts: BacktestCliOptions, io: ReplayIo): Promise<number> {
  const range = rangeOptions(opts.since, opts.until, Date.now());
  const partitions = opts.partitions === undefined ? config.kafka.partitions : countOption('--partitions', opts.partitions);
  const dirs = opts.rules ? opts.rules.map((d) => ruleDirOption(d)) : config.rules.dirs;
  const detectors = createDetectorRegistry();
  const pack = loadPackOrThrow(dirs, detectors);
  const filter = { tenant: opts.tenant ?? null, agent_id: opts.agent, session_id: opts.session };
  return withStore(config, io, {
    action: 'replay backtest',
    target: '',
    tenant: opts.tenant,
    params: { ...opts, rules: dirs, since_ms: range.since, until_ms: range.until, partitions },
    async run(store) {
      const bar = await progressFor(store, { ...filter, since: range.since - pack.maxWindowMs, until: range.until }, 'events');
      const report = await backtest(store, { ...filter, ...range, pack, detectors, partitions, onProgress: (n) => bar.update(n) });
      bar.done();
      if (opts.json) io.out(JSON.stringify({ ...report, rule_dirs: dirs }, null, 2));
      else for (const line of backtestTable(report, io.columns)) io.out(line);
    },
  });
}

/** `runwatch replay publish`: refuses the embedded bus, which nothing outside this process reads. */
export async function replayPublish(config: Config, opts: PublishCliOptions, io: ReplayIo, makeBus: (config: Config, log: Logger) => Bus = createBus): Promise<number> {
  const range = rangeOptions(opts.since, opts.until, Date.now());
  const rate = opts.rate === undefined ? undefined : rateOption(opts.rate);
  const log = cliLogger(config);
  const bus = makeBus(config, log);
  try {
    if (bus.kind === 'memory') {
      throw new ConfigError(
        'replay publish needs Kafka: set KAFKA_BROKERS (config kafka.brokers). Without it the bus is the in-process one of this command, and nothing else would ever read what it publishes',
      );
    }
    const filter: EventFilter = { tenant: opts.tenant ?? null, agent_id: opts.agent, session_id: opts.session, ...range };
    return await withStore(config, io, {
      action: 'replay publish',
      target: opts.topic,
      tenant: opts.tenant,
      params: { ...opts, since_ms: range.since, until_ms: range.until },
      async run(store) {
        await bus.ensureTopics();
        const bar = await progressFor(store, filter, 'events');
        const published = await publishEvents(store, bus, { filter, topic: opts.topic, rate, onProgress: (n) => bar.update(n) });
        bar.done();
        io.out(`published ${published} event(s) to ${opts.topic}`);
      },
    });
  } finally {
    await bus.close();
  }
}

/** Loads the config and turns runwatch's own errors into one line on stderr and exit code 1. */
async function withConfig(cmd: Command, io: ReplayIo, run: (config: Config) => Promise<number>): Promise<number> {
  try {
    const { config: file } = cmd.optsWithGlobals<GlobalOptions>();
    return await run(loadConfig(file === undefined ? {} : { file }));
  } catch (err) {
    io.err(describeError(err));
    return 1;
  }
}

/** Opens the store, runs the command, records its audit row, closes everything. */
async function withStore(config: Config, io: ReplayIo, command: ReplayCommand): Promise<number> {
  const log = cliLogger(config);
  const store = await openReplayStore(config, log);
  const audit = new AuditLog(store, log);
  let status = 0;
  try {
    await command.run(store, log);
  } catch (err) {
    io.err(describeError(err));
    status = 1;
  }
  audit.record({
    actor: `cli:${osUser()}`,
    tenant: command.tenant ?? '*',
    via: 'cli',
    action: command.action,
    target: command.target,
    params: command.params,
    status,
    source_ip: '',
  });
  await audit.close();
  await store.close();
  return status;
}

function ruleDirOption(dir: string): string {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new QueryInvalidError('--rules', `${dir} is not a folder`);
  return path;
}

/** A progress bar on stderr when it is a terminal; counting costs a query, so only then. */
async function progressFor(store: Store, filter: EventFilter, unit: string): Promise<Progress> {
  return process.stderr.isTTY ? progressBar(await countEvents(store, filter), unit) : NO_PROGRESS;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

/**
 * Logs go to stderr (stdout is the command's result). The services' default level, info,
 * would add start-up chatter to every command; the CLI shows warnings and errors unless a
 * more detailed level (debug, trace) was asked for.
 */
function cliLogger(config: Config): Logger {
  return createLogger({ level: config.log_level === 'info' ? 'warn' : config.log_level, name: 'runwatch-replay' }, process.stderr);
}

function describeError(err: unknown): string {
  if (err instanceof RunwatchError) return err.message;
  return `unexpected error: ${(err as Error).stack ?? String(err)}`;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry.
    return process.env.USER ?? String(process.getuid?.() ?? 'unknown');
  }
}
