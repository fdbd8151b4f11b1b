/**
 * Re-publishing stored events to a Kafka topic for a live re-run: detector workers score
 * them again (detection ids are deterministic, so matches found before keep their ids and
 * are not stored twice), and the evidence writer drops the events it already holds.
 * Events go out in event-time order, keyed `tenant:agent_id` like the collector's, so each
 * agent's events keep their order on their partition; the record time is now, so consumers
 * that rewind by time (a worker rebuilding windows) treat them as new records.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { eventsInOrder, type EventFilter } from '../evidence/read.js';
import { encodeEvent } from '../shared/avro/telemetry.js';
import type { Bus, OutgoingRecord } from '../shared/bus/types.js';
import { eventKey } from '../shared/events/normalize.js';
import type { Store } from '../shared/store/clickhouse.js';

export interface PublishOptions {
  filter: EventFilter;
  topic: string;
  /** Events per second at most; unlimited when absent. */
  rate?: number;
  /** Records per produce request. */
  chunkSize?: number;
  /** Told the number of events published so far, after each chunk. */
  onProgress?: (published: number) => void;
}

const CHUNK = 1000;

/** Publishes every matching event; resolves with how many. */
export async function publishEvents(store: Store, bus: Bus, options: PublishOptions): Promise<number> {
  // With a rate, chunks shrink to a tenth of a second's worth so pacing stays smooth.
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? CHUNK, options.rate ? Math.ceil(options.rate / 10) : Infinity));
  const started = Date.now();
  let published = 0;
  let chunk: OutgoingRecord[] = [];
  const send = async () => {
    await bus.produce(chunk);
    published += chunk.length;
    chunk = [];
    options.onProgress?.(published);
    if (options.rate) {
      const due = started + (published / options.rate) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
  };
  for await (const event of eventsInOrder(store, options.filter)) {
    chunk.push({ topic: options.topic, key: eventKey(event), value: encodeEvent(event) });
    if (chunk.length >= chunkSize) await send();
  }
  if (chunk.length > 0) await send();
  return published;
}
