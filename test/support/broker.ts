/**
 * A real one-node Kafka broker for the tests, started from deploy/kafka/broker.sh on a free
 * loopback port. `stop()` and `start()` again on the same data dir is a broker restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { PROJECT_ROOT } from '../../services/shared/paths.js';

const SCRIPT = join(PROJECT_ROOT, 'deploy', 'kafka', 'broker.sh');

export class TestBroker {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts a broker on a free port with a fresh data dir; rejects if it is not up in time. */
  static async launch(): Promise<TestBroker> {
    const broker = new TestBroker(await freePortPair(), mkdtempSync(join(tmpdir(), 'runwatch-kafka-')));
    await broker.start();
    return broker;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    this.output = '';
    const child = spawn('bash', [SCRIPT, 'run', '--port', String(this.port), '--dir', this.dir, '--exit-with', String(process.pid)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Kafka broker exited with ${child.exitCode}:\n${this.output}`);
      if ((await canConnect(this.port)) && (await this.ready())) return;
      await sleep(250);
    }
    await this.stop();
    throw new Error(`Kafka broker not ready on ${this.brokers} after ${timeoutMs} ms:\n${this.output}`);
  }

  /** Stops the broker (SIGTERM, a clean shutdown); the data dir stays for a restart. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(30_000).then(() => true)]);
    if (timedOut) child.kill('SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ready(): Promise<boolean> {
    const admin = new Kafka({ brokers: [this.brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port P whose neighbour P+1 (the controller's) is free as well. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 30000) * 1;
    if ((await listenable(port)) && (await listenable(port + 1))) return port;
  }
  throw new Error('no free port pair for the Kafka broker');
}
