/**
 * snapshot_evidence: copies a detection's events and their context into the `snapshots`
 * table, so the incident's evidence outlives the events table's retention.
 */
import type { Detection } from '../shared/records.js';
import type { Store } from '../shared/store/clickhouse.js';
import { incidentEvents } from './read.js';
import { storableTs } from './rows.js';

/** Most events one snapshot copies. */
const MAX_EVENTS = 10_000;

/** How long a snapshot waits for the evidence writer to store the detection's events. */
const WAIT_FOR_EVIDENCE_MS = 5000;

/** Takes the snapshot; returns a line for the action row. */
export async function snapshotEvidence(store: Store, detection: Detection, contextMs: number, now = Date.now()): Promise<string> {
  const evidence = new Set(detection.event_ids);
  // The detection can come before its events are stored (the writer batches): wait for them a little.
  let events = await incidentEvents(store, detection, contextMs, MAX_EVENTS);
  for (const deadline = Date.now() + WAIT_FOR_EVIDENCE_MS; events.filter((e) => evidence.has(e.event_id)).length < evidence.size && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 250));
    events = await incidentEvents(store, detection, contextMs, MAX_EVENTS);
  }
  if (events.length > 0) {
    await store.client.insert({
      table: `${store.database}.snapshots`,
      values: events.map((e) => ({
        detection_id: detection.detection_id,
        taken_at: now,
        tenant: detection.tenant,
        event_id: e.event_id,
        ts: storableTs(e.ts),
        evidence: evidence.has(e.event_id),
        event: JSON.stringify(e),
      })),
      format: 'JSONEachRow',
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
  }
  const found = events.filter((e) => evidence.has(e.event_id)).length;
  return `snapshot of ${events.length} event(s), ${found} of ${detection.event_ids.length} evidence event(s)`;
}
