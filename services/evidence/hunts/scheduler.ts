/**
 * Runs the rule pack's hunts on their cron schedules (node-cron, read in UTC) and publishes
 * what they find to runwatch.detections.v1, where the evidence writer stores it and the
 * responder acts on it like any detection. Started by `runwatch evidence` and `runwatch up`.
 *
 * - A failing run logs a warning with the hunt id; the hunt runs again at its next tick.
 * - Each hunt has its own task: a slow or failing hunt never delays another.
 * - A tick that comes while the same hunt's previous run is still going is skipped.
 * - This process publishes a finding once per dedup window. Another process (a restart, a
 *   second evidence writer in distributed mode) may publish it again: same id, and the
 *   writer drops ids it has stored.
 *
 * @example
 * const hunts = new HuntScheduler({ bus, store, log, registry, ruleDirs: config.rules.dirs });
 * hunts.start();
 * await hunts.runOnce('rw.hunt.key_token_spike'); // now, outside the schedule
 * await hunts.stop();
 */
import { createTask, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
// The detector's pack loading and hot reload: the same rule folders, the same refusal of a broken change.
import { loadPackOrThrow, watchPack, type PackWatcher } from '../../shared/rules/pack-loader.js';
import { TOPICS } from '../../shared/bus/topics.js';
import type { Bus } from '../../shared/bus/types.js';
import { createDetectorRegistry } from '../../shared/detectors/registry.js';
import { NotFoundError } from '../../shared/errors.js';
import { eventKey } from '../../shared/events/normalize.js';
import type { Logger } from '../../shared/log.js';
import type { Registry } from '../../shared/metrics.js';
import { encodeRecord, type Detection } from '../../shared/records.js';
import type { CompiledHunt } from '../../shared/rules/index.js';
import type { Store } from '../../shared/store/clickhouse.js';
import { windowStart } from './findings.js';
import { HuntMetrics, type HuntOutcomeLabel } from './metrics.js';
import { runHunt } from './runner.js';

export interface HuntSchedulerOptions {
  bus: Bus;
  store: Store;
  log: Logger;
  registry: Registry;
  ruleDirs: string[];
  /** Reschedule when rule files change; a change with errors keeps the running hunts. */
  watchRules?: boolean;
}

export type HuntOutcome =
  | { status: 'ok'; detections: Detection[]; published: number; dropped: boolean }
  /** The same hunt's previous run was still going. */
  | { status: 'skipped' }
  | { status: 'failed'; error: Error };

interface Running {
  done: Promise<HuntOutcome>;
  abort: AbortController;
}

export class HuntScheduler {
  private readonly detectors = createDetectorRegistry();
  private readonly metrics: HuntMetrics;
  private readonly log: Logger;
  private hunts: CompiledHunt[];
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly running = new Map<string, Running>();
  /** Per hunt, the ids this process published in the current dedup window. */
  private readonly published = new Map<string, { window: number; ids: Set<string> }>();
  private watcher: PackWatcher | undefined;

  constructor(private readonly options: HuntSchedulerOptions) {
    this.log = options.log;
    this.metrics = new HuntMetrics(options.registry);
    this.hunts = loadPackOrThrow(options.ruleDirs, this.detectors).hunts;
  }

  /** Ids of the hunts whose schedule is running. */
  get scheduled(): string[] {
    return [...this.tasks.keys()];
  }

  hunt(id: string): CompiledHunt | undefined {
    return this.hunts.find((h) => h.doc.id === id);
  }

  /** Schedules every enabled hunt. */
  start(): void {
    this.schedule();
    if (this.options.watchRules) {
      this.watcher = watchPack(this.options.ruleDirs, this.detectors, this.log, (pack) => {
        this.hunts = pack.hunts;
        this.schedule();
      }, () => {});
    }
    this.log.info({ hunts: this.scheduled }, 'hunts scheduled');
  }

  /** Stops every schedule, cancels the runs in flight and waits for them: no timer is left. */
  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    await this.unschedule();
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort();
    await Promise.allSettled(runs.map((r) => r.done));
  }

  /**
   * Runs a hunt now over `[now - lookback, now)` and publishes what it finds (repeats within
   * the dedup window excepted). Never throws: a failure is logged and returned.
   */
  runOnce(hunt: CompiledHunt | string, now = Date.now()): Promise<HuntOutcome> {
    const h = typeof hunt === 'string' ? this.hunt(hunt) : hunt;
    if (!h) return Promise.resolve({ status: 'failed', error: new NotFoundError(`no hunt '${String(hunt)}' in the rule pack`) });
    const id = h.doc.id;
    if (this.running.has(id)) {
      this.log.info({ hunt: id }, 'hunt still running from its previous tick; this tick is skipped');
      this.count(id, 'skipped');
      return Promise.resolve({ status: 'skipped' });
    }
    const abort = new AbortController();
    const done = this.execute(h, now, abort.signal).finally(() => this.running.delete(id));
    this.running.set(id, { done, abort });
    return done;
  }

  private async execute(hunt: CompiledHunt, now: number, signal: AbortSignal): Promise<HuntOutcome> {
    const id = hunt.doc.id;
    const range = { since: now - hunt.doc.lookback, until: now };
    const timer = this.metrics.seconds.startTimer({ hunt: id });
    try {
      const { detections, dropped } = await runHunt(this.options.store, hunt, range, { detectedAt: now, signal });
      if (dropped) this.log.warn({ hunt: id, max_rows: hunt.doc.max_rows }, 'hunt returned more rows than max_rows; the rest were not turned into detections');
      const fresh = await this.publish(hunt, detections, windowStart(now, hunt.dedupWindowMs));
      this.count(id, 'ok');
      this.log.info({ hunt: id, found: detections.length, published: fresh }, 'hunt ran');
      return { status: 'ok', detections, published: fresh, dropped };
    } catch (err) {
      const error = err as Error;
      this.count(id, 'failed');
      this.log.warn({ hunt: id, code: (err as { code?: unknown }).code, err: error.message }, 'hunt failed; it runs again at its next tick');
      return { status: 'failed', error };
    } finally {
      timer();
    }
  }

  /** Publishes the detections not yet published in this window; returns how many went out. */
  private async publish(hunt: CompiledHunt, detections: Detection[], window: number): Promise<number> {
    let seen = this.published.get(hunt.doc.id);
    if (seen?.window !== window) {
      seen = { window, ids: new Set() };
      this.published.set(hunt.doc.id, seen);
    }
    const fresh = detections.filter((d) => !seen.ids.has(d.detection_id));
    if (fresh.length === 0) return 0;
    // Record time is when it was found: `ts` (the window start) can be older than the topic's retention.
    await this.options.bus.produce(fresh.map((d) => ({ topic: TOPICS.detections, key: eventKey(d), value: encodeRecord('Detection', d), timestamp: d.detected_at })));
    for (const d of fresh) {
      seen.ids.add(d.detection_id);
      this.metrics.detections.inc({ hunt: hunt.doc.id, severity: d.severity });
      this.log.warn({ detection_id: d.detection_id, rule: d.rule_id, severity: d.severity, tenant: d.tenant, key_id: d.key_id, agent_id: d.agent_id }, `detection: ${d.summary}`);
    }
    return fresh.length;
  }

  private schedule(): void {
    void this.unschedule();
    const logger = cronLogger(this.log);
    for (const hunt of this.hunts.filter((h) => h.doc.enabled)) {
      const task = createTask(hunt.doc.schedule, (ctx) => this.runOnce(hunt, Math.floor(ctx.date.getTime() / 1000) * 1000), {
        name: `hunt:${hunt.doc.id}`,
        timezone: 'UTC',
        logger,
      });
      void task.start();
      this.tasks.set(hunt.doc.id, task);
    }
  }

  private async unschedule(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((t) => t.destroy()));
  }

  private count(hunt: string, outcome: HuntOutcomeLabel): void {
    this.metrics.runs.inc({ hunt, outcome });
  }
}

/** node-cron's own messages (a missed tick under load) into our log. */
function cronLogger(log: Logger): CronLogger {
  const child = log.child({ component: 'cron' });
  return {
    info: (m) => child.info(m),
    warn: (m) => child.warn(m),
    error: (m, err) => child.error({ err }, String(m)),
    debug: (m, err) => child.debug({ err }, String(m)),
  };
}
