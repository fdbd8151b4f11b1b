/**
 * The operator's side of containment: what is in force (followed from the compacted topic, like
 * every collector), releases (a `released` record: the collectors allow at once, and the topic
 * keeps who released it and when), and expiry (a quarantine whose time is up gets a tombstone,
 * so compaction forgets it).
 */
import { TOPICS } from '../shared/bus/topics.js';
import type { Bus } from '../shared/bus/types.js';
import { NotFoundError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { containmentKey, encodeRecord, type Containment, type SubjectType } from '../shared/records.js';
import { ContainmentFollower } from '../collector/containment/follower.js';
import { ContainmentState } from '../collector/containment/state.js';

export class ContainmentControl {
  readonly state: ContainmentState;
  private follower: ContainmentFollower | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.state = new ContainmentState(now);
  }

  async start(): Promise<void> {
    this.follower = ContainmentFollower.start({ bus: this.bus, state: this.state, log: this.log, stage: 'responder' });
    await this.follower.ready;
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  list(tenant: string | null): Containment[] {
    return this.state.list(tenant);
  }

  /** Releases a subject now; throws NotFoundError when nothing holds it. */
  async release(subject_type: SubjectType, tenant: string, subject_id: string, actor: string): Promise<Containment> {
    const held = this.state.list(tenant).find((c) => c.subject_type === subject_type && c.subject_id === subject_id);
    if (!held) throw new NotFoundError(`no ${subject_type} ${subject_id} is contained in tenant ${tenant}`);
    const now = this.now();
    const released: Containment = {
      ...held,
      state: 'released',
      reason: `released by ${actor} (was ${held.state}: ${held.reason})`,
      since: now,
      until: null,
      actor,
      updated_at: now,
    };
    await this.bus.produce([{ topic: TOPICS.containment, key: containmentKey(released), value: encodeRecord('Containment', released), timestamp: now }]);
    this.state.apply(containmentKey(released), released);
    return released;
  }

  /** Tombstones for containments whose time is up: the collectors already allow them; compaction may now forget them. */
  async expire(): Promise<number> {
    const expired = this.state.expiredOnes();
    if (expired.length === 0) return 0;
    await this.bus.produce(expired.map((c) => ({ topic: TOPICS.containment, key: containmentKey(c), value: null, timestamp: this.now() })));
    for (const c of expired) this.state.apply(containmentKey(c), null);
    this.log.info({ expired: expired.length }, 'expired containments tombstoned');
    return expired.length;
  }
}
