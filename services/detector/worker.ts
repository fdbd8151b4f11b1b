/**
 * A detector worker: one member of the consumer group on runwatch.telemetry.v1. It owns no
 * state that cannot be rebuilt: each assigned partition gets a fresh rule engine, and the bus
 * rewinds the partition by the pack's longest window so the engine rebuilds its windows from
 * the topic (those replayed events update state and emit nothing). Detections go to
 * runwatch.detections.v1 before the batch's offsets are committed; their ids are
 * deterministic, so a batch processed twice after a crash yields the same ids.
 */
import { decodeEvent } from '../shared/avro/telemetry.js';
import { deadLetterOf } from '../shared/bus/dead-letter.js';
import { TOPICS } from '../shared/bus/topics.js';
import type { Batch, Bus, OutgoingRecord, Subscription } from '../shared/bus/types.js';
import { createDetectorRegistry, type DetectorRegistry } from '../shared/detectors/registry.js';
import { DecodeError } from '../shared/errors.js';
import { eventKey } from '../shared/events/normalize.js';
import type { Logger } from '../shared/log.js';
import type { Registry } from '../shared/metrics.js';
import { encodeRecord, type Detection } from '../shared/records.js';
import { RuleEngine, type CompiledPack } from '../shared/rules/index.js';
import { DetectorMetrics } from './metrics.js';
import { loadPackOrThrow, watchPack, type PackWatcher } from '../shared/rules/pack-loader.js';

export interface DetectorWorkerOptions {
  bus: Bus;
  log: Logger;
  registry: Registry;
  groupId: string;
  ruleDirs: string[];
  /** Reload rule files when they change. */
  watchRules?: boolean;
  /** How often idle partitions let event time move on (absence rules). */
  tickMs?: number;
  /** Called with every detection produced (the embedded mode's responder hook, tests). */
  onDetections?: (detections: Detection[]) => void;
}

export class DetectorWorker {
  private readonly detectors: DetectorRegistry = createDetectorRegistry();
  private readonly engines = new Map<string, RuleEngine>();
  private readonly metrics: DetectorMetrics;
  private pack: CompiledPack;
  private subscription: Subscription | undefined;
  private watcher: PackWatcher | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly undelivered: Detection[] = [];

  constructor(private readonly options: DetectorWorkerOptions) {
    this.metrics = new DetectorMetrics(options.registry);
    this.pack = loadPackOrThrow(options.ruleDirs, this.detectors);
  }

  get rules(): number {
    return this.pack.rules.length;
  }

  async start(): Promise<void> {
    const { bus, groupId } = this.options;
    this.subscription = await bus.consume({
      groupId,
      topics: [TOPICS.telemetry],
      fromBeginning: false,
      // Rebuild window state from the topic: as far back as the longest correlation window.
      fromTimestamp: this.pack.maxWindowMs > 0 ? () => Date.now() - this.pack.maxWindowMs : undefined,
      onAssign: (assignment) => this.assign(assignment),
      eachBatch: (batch) => this.handle(batch),
    });
    if (this.options.watchRules) {
      this.watcher = watchPack(
        this.options.ruleDirs,
        this.detectors,
        this.options.log,
        (pack) => this.reload(pack),
        () => this.metrics.reloads.inc({ outcome: 'rejected' }),
      );
    }
    this.ticker = setInterval(() => void this.tick(), this.options.tickMs ?? 1000);
    this.ticker.unref();
    this.options.log.info({ rules: this.pack.rules.length, group: groupId }, 'detector worker started');
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.watcher?.close();
    await this.subscription?.stop();
  }

  /** Swaps the rule pack in every partition's engine, keeping the state of unchanged rules. */
  reload(pack: CompiledPack): void {
    this.pack = pack;
    for (const engine of this.engines.values()) engine.reload(pack);
    this.metrics.reloads.inc({ outcome: 'applied' });
  }

  private assign(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): void {
    // Every assigned partition is rewound (fromTimestamp), so every engine starts empty.
    this.engines.clear();
    for (const { topic, partitions } of assignment) {
      for (const p of partitions) this.engines.set(`${topic}/${p}`, this.newEngine());
    }
  }

  private newEngine(): RuleEngine {
    return new RuleEngine(this.pack, { detectors: this.detectors });
  }

  private async handle(batch: Batch): Promise<void> {
    const id = `${batch.topic}/${batch.partition}`;
    let engine = this.engines.get(id);
    if (!engine) {
      engine = this.newEngine();
      this.engines.set(id, engine);
    }
    const out: OutgoingRecord[] = [];
    const detections: Detection[] = [];
    for (const message of batch.messages) {
      if (!message.value) continue;
      let event;
      try {
        event = decodeEvent(message.value);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        // A replayed one (a partition rewound to rebuild windows) was dead-lettered when first handled.
        if (message.replay) continue;
        this.metrics.decodeErrors.inc();
        out.push(deadLetterOf('detector', message, err.message));
        continue;
      }
      const started = performance.now();
      const found = engine.process(event, { replay: message.replay === true });
      this.metrics.evalSeconds.observe((performance.now() - started) / 1000);
      if (message.replay) this.metrics.replayed.inc();
      else {
        this.metrics.events.inc();
        this.metrics.lagSeconds.set((Date.now() - event.received_at) / 1000);
      }
      detections.push(...found);
    }
    this.collectStats(engine);
    await this.publish(detections, out);
  }

  private async tick(): Promise<void> {
    // Time-decided detections (absences) leave the engine when decided: keep them until published.
    this.undelivered.push(...[...this.engines.values()].flatMap((e) => e.tick()));
    if (this.undelivered.length === 0 || this.ticking) return;
    this.ticking = true;
    const detections = this.undelivered.splice(0);
    try {
      await this.publish(detections, []);
    } catch (err) {
      this.undelivered.unshift(...detections);
      this.options.log.warn({ err: (err as Error).message, pending: this.undelivered.length }, 'could not publish time-decided detections; retrying');
    } finally {
      this.ticking = false;
    }
  }

  private async publish(detections: Detection[], extra: OutgoingRecord[]): Promise<void> {
    const records = [
      ...extra,
      ...detections.map((d) => ({ topic: TOPICS.detections, key: eventKey(d), value: encodeRecord('Detection', d), timestamp: d.ts })),
    ];
    if (records.length > 0) await this.options.bus.produce(records);
    for (const d of detections) this.metrics.detections.inc({ rule: d.rule_id, severity: d.severity });
    if (detections.length > 0) this.options.onDetections?.(detections);
  }

  private collectStats(engine: RuleEngine): void {
    const { late, suppressed, evicted } = engine.stats;
    for (const [rule, n] of late) this.metrics.late.inc({ rule }, n);
    for (const [rule, n] of suppressed) this.metrics.suppressed.inc({ rule }, n);
    for (const [rule, n] of evicted) this.metrics.evicted.inc({ rule }, n);
    late.clear();
    suppressed.clear();
    evicted.clear();
    const totals = new Map<string, number>();
    for (const e of this.engines.values()) for (const [rule, n] of e.groups()) totals.set(rule, (totals.get(rule) ?? 0) + n);
    for (const [rule, n] of totals) this.metrics.groups.set({ rule }, n);
  }
}
