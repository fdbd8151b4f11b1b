/**
 * The responder: a consumer group on runwatch.detections.v1 that runs the playbooks each
 * detection matches (runner.ts), and the operator's approvals.
 *
 * It owns no state it cannot rebuild: on start it reads runwatch.actions.v1 whole into the
 * step ledger before taking any detection, so what an earlier responder did (or began) is
 * known; and whenever it is assigned partitions it re-reads their last `maxDetectionAgeMs` of
 * detections, so a responder killed mid-run gets the detection again and resumes it from the
 * ledger. Runs waiting for an approval longer than that are found again from the ledger and
 * the evidence store.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { deadLetterOf } from '../shared/bus/dead-letter.js';
import { followTopic, type Follower } from '../shared/bus/follow.js';
import { TOPICS } from '../shared/bus/topics.js';
import type { Bus, BusMessage, OutgoingRecord, Subscription } from '../shared/bus/types.js';
import { DecodeError, NotFoundError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { decodeRecord, encodeRecord, type Action, type Detection } from '../shared/records.js';
import type { Store } from '../shared/store/clickhouse.js';
import { getDetection } from '../evidence/read.js';
import { snapshotEvidence } from '../evidence/snapshot.js';
import { createEffects, type Effects } from './effects.js';
import { PlaybookParseError } from './playbooks/errors.js';
import { StepLedger } from './ledger.js';
import { loadPlaybooks, matchPlaybooks, playbookDirsOf, type DecisionContext, type PlaybookSet } from './playbooks/index.js';
import { rateLimitOf, rateLimitReason } from './playbooks/safety.js';
import { DEFAULT_SAFETY, type PlaybookDoc } from './playbooks/schema.js';
import { record, runPlaybook, type RunnerDeps } from './runner.js';

export interface ResponderOptions {
  bus: Bus;
  log: Logger;
  /** Where waiting runs' detections are read back after a restart, and snapshots come from. */
  store: Store | null;
  groupId: string;
  ruleDirs: string[];
  /** Secrets templates may name (`{{env.NAME}}`); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  effects?: Effects;
  /** How often approval timeouts are checked (node-cron, seconds field included). */
  sweepSchedule?: string;
  /** Detections detected longer ago than this start no playbook (default 1 h). */
  maxDetectionAgeMs?: number;
  /** More housekeeping on the same schedule (containment expiry). */
  onSweep?: () => Promise<unknown>;
  now?: () => number;
}

/** A step waiting for an operator. */
export interface PendingApproval {
  detection: Detection;
  playbook_id: string;
  step_index: number;
  step_id: string;
  since: number;
  /** When the step's default outcome applies. */
  deadline: number;
  default: 'approved' | 'rejected';
  detail: string;
}

const HOUR = 3_600_000;

/** Playbook runs going on at once; past it, reading detections waits. */
const MAX_RUNS_IN_FLIGHT = 256;

const CONTAINING_STEPS: ReadonlySet<string> = new Set(['quarantine_agent', 'revoke_key', 'block_session']);

export class Responder {
  readonly ledger = new StepLedger();
  private set: PlaybookSet;
  private readonly effects: Effects;
  private readonly deps: RunnerDeps;
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  private follower: Follower | undefined;
  private subscription: Subscription | undefined;
  private sweeper: ScheduledTask | undefined;
  /** Detections of runs waiting for an approval, by detection id. */
  private readonly waiting = new Map<string, Detection>();
  /** One run at a time per detection: an approval and a redelivery never race. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ResponderOptions) {
    const load = loadPlaybooks(playbookDirsOf(options.ruleDirs), { ruleDirs: options.ruleDirs });
    const errors = load.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new PlaybookParseError(`playbooks have errors:\n${errors.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n')}`);
    this.set = load.set;
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxDetectionAgeMs ?? HOUR;
    this.effects = options.effects ?? createEffects({ bus: options.bus });
    this.deps = {
      ledger: this.ledger,
      effects: this.effects,
      record: (action) => this.publish(action),
      decisionContext: (playbook, detection) => this.decisionContext(playbook, detection),
      now: this.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      actor: 'responder',
      ...(options.store && { snapshot: (detection, contextMs) => snapshotEvidence(options.store!, detection, contextMs, this.now()) }),
    };
  }

  get playbooks(): number {
    return this.set.playbooks.length;
  }

  async start(): Promise<void> {
    const { bus, log } = this.options;
    this.follower = await followTopic(bus, {
      topic: TOPICS.actions,
      groupPrefix: `${this.options.groupId}-ledger`,
      onMessages: async (messages) => {
        const dead: OutgoingRecord[] = [];
        for (const m of messages) {
          if (!m.value) continue;
          try {
            this.ledger.apply(decodeRecord('Action', m.value));
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
            if (!m.replay) dead.push(this.undecodable(m, err));
          }
        }
        await bus.produce(dead);
      },
    });
    await this.follower.caughtUp;
    await this.resumeUnfinished();
    this.subscription = await bus.consume({
      groupId: this.options.groupId,
      topics: [TOPICS.detections],
      // Every (re)assignment re-reads the last max-age of detections, whatever was committed: the
      // ledger says which runs are done (nothing happens), unfinished (they resume) or waiting.
      // So a batch needs no waiting for its runs, and one detection's snapshot or slow webhook
      // never holds back the next one's quarantine.
      fromTimestamp: () => this.now() - this.maxAgeMs,
      fromBeginning: true,
      eachBatch: async (batch) => {
        const dead: OutgoingRecord[] = [];
        for (const m of batch.messages) {
          if (!m.value) continue;
          let detection: Detection;
          try {
            detection = decodeRecord('Detection', m.value);
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
            // Every assignment re-reads the last hour: a replayed one was dead-lettered when first read.
            if (!m.replay) dead.push(this.undecodable(m, err));
            continue;
          }
          if (detection.detected_at < this.now() - this.maxAgeMs) continue;
          while (this.busy.size >= MAX_RUNS_IN_FLIGHT) await Promise.race(this.busy.values()).catch(() => {});
          void this.handle(detection).catch((err: unknown) => log.error({ err, detection_id: detection.detection_id }, 'playbook run failed; it resumes when the detection is read again'));
        }
        await bus.produce(dead);
      },
    });
    this.sweeper = cron.schedule(this.options.sweepSchedule ?? '*/5 * * * * *', () => void this.sweep().catch((err: unknown) => log.warn({ err }, 'approval sweep failed')));
    log.info({ playbooks: this.set.playbooks.length, ledger: this.ledger.size }, 'responder started');
  }

  async stop(): Promise<void> {
    await this.sweeper?.stop();
    await this.subscription?.stop();
    await this.follower?.stop();
    await Promise.allSettled(this.busy.values());
  }

  /** Runs every playbook the detection matches, one after another. */
  async handle(detection: Detection): Promise<void> {
    await this.serialized(detection.detection_id, async () => {
      for (const { playbook } of matchPlaybooks(this.set.playbooks, detection)) {
        if (!this.started(detection, playbook)) {
          const limit = rateLimitOf(this.safety(), playbook.id);
          const limited = rateLimitReason(limit, limit ? this.runsWithin(playbook.id, detection.tenant, limit.per) : 0);
          if (limited) {
            this.options.log.warn({ detection_id: detection.detection_id, playbook: playbook.id, reason: limited }, 'playbook not run');
            continue;
          }
        }
        await this.run(playbook, detection);
      }
    });
  }

  /** Steps waiting for an operator, oldest first; `tenant` null lists every tenant's. */
  approvals(tenant: string | null): PendingApproval[] {
    const out: PendingApproval[] = [];
    for (const a of this.ledger.unfinished()) {
      if (a.status !== 'awaiting_approval' || (tenant !== null && a.tenant !== tenant)) continue;
      const detection = this.waiting.get(a.detection_id);
      const step = this.playbookById(a.playbook_id)?.steps[a.step_index];
      if (!detection || step?.type !== 'require_approval') continue;
      out.push({ detection, playbook_id: a.playbook_id, step_index: a.step_index, step_id: step.id, since: a.ts, deadline: a.ts + step.timeout, default: step.default, detail: a.detail });
    }
    return out.sort((x, y) => x.since - y.since);
  }

  /** An operator's answer to a waiting step; the run goes on at once. Throws NotFoundError when nothing waits. */
  async decide(detectionId: string, tenant: string | null, outcome: 'approved' | 'rejected', actor: string): Promise<PendingApproval> {
    const pending = this.approvals(tenant).find((p) => p.detection.detection_id === detectionId);
    if (!pending) throw new NotFoundError(`no approval waits for detection ${detectionId}`);
    await this.answer(pending, outcome, actor, `${outcome} by ${actor}`);
    return pending;
  }

  private async answer(pending: PendingApproval, outcome: 'approved' | 'rejected', actor: string, detail: string): Promise<void> {
    const playbook = this.playbookById(pending.playbook_id)!;
    const attempt = this.ledger.latest(pending.detection.detection_id, playbook.id, pending.step_index)?.attempt ?? 1;
    await this.serialized(pending.detection.detection_id, async () => {
      await record(this.deps, playbook, pending.detection, pending.step_index, playbook.steps[pending.step_index]!, outcome, attempt, null, detail, false, actor);
      await this.run(playbook, pending.detection);
    });
  }

  /** Approvals nobody answered in time get their step's default outcome. */
  async sweep(): Promise<void> {
    await this.options.onSweep?.();
    for (const pending of this.approvals(null)) {
      if (pending.deadline <= this.now()) await this.answer(pending, pending.default, 'responder:timeout', `no answer by ${new Date(pending.deadline).toISOString()}: ${pending.default}`);
    }
  }

  private async run(playbook: PlaybookDoc, detection: Detection): Promise<void> {
    const outcome = await runPlaybook(playbook, detection, this.deps);
    if (outcome === 'waiting') this.waiting.set(detection.detection_id, detection);
    this.options.log.info({ detection_id: detection.detection_id, playbook: playbook.id, outcome }, 'playbook run');
  }

  /** After a restart: runs caught mid-step are resumed, runs waiting for an operator listed again. */
  private async resumeUnfinished(): Promise<void> {
    const ids = [...new Set(this.ledger.unfinished().map((a) => a.detection_id))];
    for (const id of ids) {
      const detection = this.options.store ? await getDetection(this.options.store, { tenant: null }, id).catch(() => null) : null;
      if (!detection) {
        this.options.log.warn({ detection_id: id }, 'an unfinished playbook run cannot resume: its detection is not in the evidence store (yet); it resumes if the detection is delivered again');
        continue;
      }
      this.waiting.set(id, detection);
      await this.handle(detection);
    }
  }

  /** The dead letter for a record of runwatch.detections.v1 or runwatch.actions.v1 that is not one. */
  private undecodable(message: BusMessage, err: DecodeError): OutgoingRecord {
    this.options.log.warn({ topic: message.topic, partition: message.partition, offset: message.offset, err: err.message }, 'undecodable record dead-lettered');
    return deadLetterOf('responder', message, err.message);
  }

  private started(detection: Detection, playbook: PlaybookDoc): boolean {
    return this.ledger.latest(detection.detection_id, playbook.id, 0) !== undefined;
  }

  private async publish(action: Action): Promise<void> {
    await this.options.bus.produce([{ topic: TOPICS.actions, key: action.detection_id, value: encodeRecord('Action', action), timestamp: action.ts }]);
    this.ledger.apply(action);
    // A line per containment, like the detector's per detection: what an operator watches for.
    if (action.status === 'succeeded' && CONTAINING_STEPS.has(action.step)) {
      this.options.log.warn({ detection_id: action.detection_id, playbook: action.playbook_id, step: action.step, target: action.target, tenant: action.tenant }, `containment: ${action.detail}`);
    }
  }

  private decisionContext(playbook: PlaybookDoc, detection: Detection): DecisionContext {
    const since = this.now() - HOUR;
    const recent = { revocations: 0, quarantines: 0 };
    for (const a of this.ledger.recent(since)) {
      if (a.tenant !== detection.tenant || a.status !== 'succeeded') continue;
      if (a.step === 'revoke_key') recent.revocations++;
      if (a.step === 'quarantine_agent') recent.quarantines++;
    }
    return {
      playbook,
      safety: this.safety(),
      providers: new Map(this.set.providers.map((p) => [p.doc.id, p.doc])),
      recent,
      env: this.options.env ?? process.env,
    };
  }

  private runsWithin(playbookId: string, tenant: string, windowMs: number): number {
    const since = this.now() - windowMs;
    return new Set(this.ledger.recent(since).filter((a) => a.playbook_id === playbookId && a.tenant === tenant && a.step_index === 0).map((a) => a.detection_id)).size;
  }

  private safety() {
    return this.set.safety[0]?.doc ?? DEFAULT_SAFETY;
  }

  private playbookById(id: string): PlaybookDoc | undefined {
    return this.set.playbooks.find((p) => p.doc.id === id)?.doc;
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(key) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(fn);
    this.busy.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.busy.get(key) === mine) this.busy.delete(key);
    }
  }
}
