/**
 * The `runwatch` command's definition (main.ts runs it). Each service subcommand loads the
 * config (defaults < YAML file < environment), starts, and runs until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../shared/config/load.js';
import type { Config } from '../shared/config/schema.js';
import { ConfigError } from '../shared/errors.js';
import { fingerprintSecret, secretKind } from '../shared/events/key-fingerprint.js';
import { createLogger, type Logger } from '../shared/log.js';
import { PROJECT_ROOT } from '../shared/paths.js';
import { startCollector } from './commands/collector.js';
import { startDetector } from './commands/detector.js';
import { startEvidence } from './commands/evidence.js';
import { registerControls } from './commands/controls.js';
import { registerPlaybooks } from './commands/playbooks.js';
import { registerReplay } from './commands/replay.js';
import { startResponder } from './commands/responder.js';
import { lintRules, registerHuntCommand, rulesJsonSchema, testRules } from './commands/rules.js';
import { startEmbedded } from './commands/up.js';
import { runUntilSignal, type Running } from './lifecycle.js';

const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface GlobalOptions {
  config?: string;
}

function service(name: string, start: (config: Config, log: Logger) => Promise<Running>) {
  return async (_opts: unknown, cmd: Command): Promise<void> => {
    const { config: file } = cmd.optsWithGlobals<GlobalOptions>();
    let config: Config;
    try {
      config = loadConfig(file === undefined ? {} : { file });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    const log = createLogger({ level: config.log_level, name: `runwatch-${name}` });
    await runUntilSignal(log, () => start(config, log));
  };
}

export function buildCli(): Command {
  const program = new Command('runwatch')
    .description('Detection and response for AI systems in production')
    .version(version)
    .option('-c, --config <file>', 'YAML config file (default: $RUNWATCH_CONFIG)')
    .showHelpAfterError();

  program
    .command('up')
    .description('run every service in one process: collector :8700, operator API :8701, in-process bus, chDB under ./data')
    .option('--demo', 'once up, play an attack against the pipeline and show the detection, the quarantine and the denied tool call')
    .action((opts: { demo?: boolean }, cmd: Command) => service('up', (config, log) => startEmbedded(config, log, { demo: opts.demo === true }))(opts, cmd));
  program.command('collector').description('run the collector (HTTP/OTLP in, Kafka out)').action(service('collector', startCollector));
  program.command('detector').description('run a detector worker (Kafka consumer group on runwatch.telemetry.v1)').action(service('detector', startDetector));
  program.command('evidence').description('run the evidence writer (Kafka to ClickHouse)').action(service('evidence', startEvidence));
  program.command('responder').description('run the responder and the operator API').action(service('responder', startResponder));

  program
    .command('config')
    .description('validate the configuration and print it, secrets hidden')
    .action((_opts: unknown, cmd: Command) => {
      const { config: file } = cmd.optsWithGlobals<GlobalOptions>();
      try {
        const config = loadConfig(file === undefined ? {} : { file });
        process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 1;
      }
    });

  const rules = program.command('rules').description('detections as code: lint, test, schema');
  const dirsOf = (dirs: string[], cmd: Command): string[] => {
    if (dirs.length > 0) return dirs;
    const { config: file } = cmd.optsWithGlobals<GlobalOptions>();
    return loadConfig(file === undefined ? {} : { file }).rules.dirs;
  };
  rules
    .command('lint [dirs...]')
    .description('check rule files; every mistake as file:line:col (default: the configured rule folders)')
    .action((dirs: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = lintRules(dirsOf(dirs, cmd));
    });
  rules
    .command('test [dirs...]')
    .description('run the kind: test documents beside the rules: events in, expected detections out')
    .action((dirs: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = testRules(dirsOf(dirs, cmd));
    });
  rules
    .command('schema')
    .description('print the JSON Schema of rule files (for editor completion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
    });
  registerHuntCommand(rules);

  registerReplay(program);
  registerControls(program);
  registerPlaybooks(program);

  const key = program.command('key').description('credential helpers');
  key
    .command('fingerprint')
    .description('print the fingerprint runwatch stores for a raw key (read from stdin, so it stays out of shell history)')
    .action(() => {
      const secret = readFileSync(0, 'utf8').trim();
      process.stdout.write(`${fingerprintSecret(secret, secretKind(secret) ?? 'secret')}\n`);
    });
  return program;
}

function redactConfig(config: Config): unknown {
  const hideTokens = (tokens: Config['collector']['tokens']) => tokens.map((t) => ({ tenant: t.tenant, token: '[redacted]' }));
  return {
    ...config,
    kafka: { ...config.kafka, sasl: config.kafka.sasl && { ...config.kafka.sasl, password: '[redacted]' } },
    clickhouse: { ...config.clickhouse, password: config.clickhouse.password ? '[redacted]' : '' },
    collector: { ...config.collector, tokens: hideTokens(config.collector.tokens) },
    api: { ...config.api, tokens: hideTokens(config.api.tokens) },
    evidence: { ...config.evidence, redaction: { ...config.evidence.redaction, hash_key: config.evidence.redaction.hash_key && '[redacted]' } },
  };
}

