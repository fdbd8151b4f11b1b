/**
 * `npm test`: runs every test file with node's test runner. Files named *.kafka.test.ts
 * need Kafka: unless KAFKA_BROKERS points at a cluster, a real broker is started for the
 * run (deploy/kafka) and stopped at the end. If it cannot start, the run fails: a test that
 * needs Kafka never skips.
 *
 *   npm test                         everything
 *   npm test -- test/spool.test.ts   some files
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { TestBroker } from './support/broker.js';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'support' || name.startsWith('.')) continue;
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

// The CLI tests run bin/runwatch.js, which runs the compiled dist/: build it from these sources first.
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  process.stderr.write('FAILED: npm run build\n');
  process.exit(1);
}

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = requested.length > 0 ? requested : findTests(join(PROJECT_ROOT, 'test'));
const env = { ...process.env };
let broker: TestBroker | undefined;

if (files.some((f) => f.endsWith('.kafka.test.ts')) && !env.KAFKA_BROKERS) {
  const started = Date.now();
  process.stdout.write('starting a Kafka broker for the tests (deploy/kafka/broker.sh)...\n');
  try {
    broker = await TestBroker.launch();
  } catch (err) {
    process.stderr.write(`FAILED: the tests need Kafka and it could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  env.KAFKA_BROKERS = broker.brokers;
  process.stdout.write(`Kafka broker up on ${broker.brokers} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

// --test-force-exit: a file whose tests are done exits even if a client (kafkajs reconnecting to a
// broker a test destroyed) still holds a timer; otherwise one leaked handle hangs the whole run.
const args = ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=1', '--test-reporter=spec', ...passThrough, ...files.map((f) => relative(PROJECT_ROOT, f))];
const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
const code: number = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await broker?.destroy();
process.exit(code);
