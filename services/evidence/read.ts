/**
 * Reading the evidence: the operator API, `runwatch replay` and backtests all read through
 * here. Every value is a bound parameter: a filter adds one of the fixed fragments below,
 * never text of its own. Lists are in time order and paged with a keyset cursor over
 * (ts, id), so a page costs the same at the start and at the end of a million rows, and rows
 * arriving meanwhile are not skipped or repeated.
 */
import type { EventKind, TelemetryEvent } from '../shared/events/schema.js';
import type { Action, Detection, Severity } from '../shared/records.js';
import { StoreUnavailableError } from '../shared/errors.js';
import type { Store } from '../shared/store/clickhouse.js';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.js';
import { ACTION_COLUMNS, actionFromRow, DETECTION_COLUMNS, detectionFromRow, storableTs, type DetectionRow, type Row } from './rows.js';

/** `tenant: null` reads every tenant (an operator token, or a server without tokens). */
export interface Scope {
  tenant: string | null;
}

export interface TimeRange {
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
}

export interface EventFilter extends Scope, TimeRange {
  agent_id?: string;
  session_id?: string;
  key_id?: string;
  trace_id?: string;
  kind?: EventKind;
}

export interface DetectionFilter extends Scope, TimeRange {
  agent_id?: string;
  session_id?: string;
  rule_id?: string;
  severity?: Severity[];
}

export interface PageRequest {
  limit: number;
  /** From the previous page's `next`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page; null on the last one. */
  next: string | null;
}

type Params = Record<string, unknown>;

/** Fixed WHERE fragments; which ones apply depends on the filter, their values are always bound. */
class Where {
  private readonly parts: string[] = [];
  readonly params: Params;

  constructor(database: string) {
    this.params = { database };
  }

  add(fragment: string, params: Params): this {
    this.parts.push(fragment);
    Object.assign(this.params, params);
    return this;
  }

  scope(scope: Scope): this {
    return scope.tenant === null ? this : this.add('tenant = {tenant:String}', { tenant: scope.tenant });
  }

  range(range: TimeRange): this {
    if (range.since !== undefined) this.add('ts >= fromUnixTimestamp64Milli({since:Int64})', { since: range.since });
    if (range.until !== undefined) this.add('ts < fromUnixTimestamp64Milli({until:Int64})', { until: range.until });
    return this;
  }

  after(cursor: Cursor | undefined, idColumn: 'event_id' | 'detection_id'): this {
    if (!cursor) return this;
    return this.add(`(ts, ${idColumn}) > (fromUnixTimestamp64Milli({cursor_ts:Int64}), {cursor_id:String})`, { cursor_ts: cursor.ts, cursor_id: cursor.id });
  }

  toString(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

function eventWhere(store: Store, filter: EventFilter): Where {
  const where = new Where(store.database).scope(filter).range(filter);
  if (filter.agent_id !== undefined) where.add('agent_id = {agent_id:String}', { agent_id: filter.agent_id });
  if (filter.session_id !== undefined) where.add('session_id = {session_id:String}', { session_id: filter.session_id });
  if (filter.key_id !== undefined) where.add('key_id = {key_id:String}', { key_id: filter.key_id });
  if (filter.trace_id !== undefined) where.add('trace_id = {trace_id:String}', { trace_id: filter.trace_id });
  if (filter.kind !== undefined) where.add('kind = {kind:String}', { kind: filter.kind });
  return where;
}

function detectionWhere(store: Store, filter: DetectionFilter): Where {
  const where = new Where(store.database).scope(filter).range(filter);
  if (filter.agent_id !== undefined) where.add('agent_id = {agent_id:String}', { agent_id: filter.agent_id });
  if (filter.session_id !== undefined) where.add('session_id = {session_id:String}', { session_id: filter.session_id });
  if (filter.rule_id !== undefined) where.add('rule_id = {rule_id:String}', { rule_id: filter.rule_id });
  if (filter.severity !== undefined) where.add('severity IN {severity:Array(String)}', { severity: filter.severity });
  return where;
}

export async function listEvents(store: Store, filter: EventFilter, page: PageRequest): Promise<Page<TelemetryEvent>> {
  const where = eventWhere(store, filter).after(decodeCursor(page.cursor), 'event_id');
  const rows = await select<{ event: string }>(
    store,
    `SELECT event FROM {database:Identifier}.events ${where} ORDER BY ts, event_id LIMIT {limit:UInt32}`,
    { ...where.params, limit: page.limit + 1 },
  );
  const items = rows.slice(0, page.limit).map((r) => JSON.parse(r.event) as TelemetryEvent);
  return { items, next: rows.length > page.limit ? cursorOf(items[items.length - 1]!) : null };
}

export async function countEvents(store: Store, filter: EventFilter): Promise<number> {
  const where = eventWhere(store, filter);
  const [row] = await select<{ n: string }>(store, `SELECT count() AS n FROM {database:Identifier}.events ${where}`, where.params);
  return Number(row?.n ?? 0);
}

/** Every matching event in time order, a page at a time: memory stays flat however many there are. */
export function eventsInOrder(store: Store, filter: EventFilter, pageSize = 5000): AsyncGenerator<TelemetryEvent> {
  return everyPage((page) => listEvents(store, filter, page), pageSize);
}

export async function listDetections(store: Store, filter: DetectionFilter, page: PageRequest): Promise<Page<Detection>> {
  const where = detectionWhere(store, filter).after(decodeCursor(page.cursor), 'detection_id');
  const rows = await select<DetectionRow>(
    store,
    `SELECT ${DETECTION_COLUMNS} FROM {database:Identifier}.detections ${where} ORDER BY ts, detection_id LIMIT {limit:UInt32}`,
    { ...where.params, limit: page.limit + 1 },
  );
  const items = rows.slice(0, page.limit).map(detectionFromRow);
  const last = items[items.length - 1];
  return { items, next: rows.length > page.limit && last ? encodeCursor({ ts: last.ts, id: last.detection_id }) : null };
}

export function detectionsInOrder(store: Store, filter: DetectionFilter, pageSize = 5000): AsyncGenerator<Detection> {
  return everyPage((page) => listDetections(store, filter, page), pageSize);
}

async function* everyPage<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await list({ limit, cursor });
    yield* page.items;
    cursor = page.next ?? undefined;
  } while (cursor);
}

export async function getDetection(store: Store, scope: Scope, detectionId: string): Promise<Detection | null> {
  const where = new Where(store.database).scope(scope).add('detection_id = {detection_id:String}', { detection_id: detectionId });
  const rows = await select<DetectionRow>(store, `SELECT ${DETECTION_COLUMNS} FROM {database:Identifier}.detections ${where} LIMIT 1`, where.params);
  return rows[0] ? detectionFromRow(rows[0]) : null;
}

/** The events a detection names, in time order (those already gone to retention are absent). */
export async function evidenceEvents(store: Store, detection: Detection): Promise<TelemetryEvent[]> {
  const where = new Where(store.database)
    .add('tenant = {tenant:String}', { tenant: detection.tenant })
    .add('event_id IN {ids:Array(String)}', { ids: detection.event_ids });
  const rows = await select<{ event: string }>(store, `SELECT event FROM {database:Identifier}.events ${where} ORDER BY ts, event_id`, where.params);
  return rows.map((r) => JSON.parse(r.event) as TelemetryEvent);
}

/** The playbook steps run for a detection, every state change in time order (at most `limit`). */
export async function actionsOf(store: Store, scope: Scope, detectionId: string, limit: number): Promise<Action[]> {
  const where = new Where(store.database).scope(scope).add('detection_id = {detection_id:String}', { detection_id: detectionId });
  const rows = await select<Row>(
    store,
    `SELECT ${ACTION_COLUMNS} FROM {database:Identifier}.actions ${where} ORDER BY ts, action_id LIMIT {limit:UInt32}`,
    { ...where.params, limit },
  );
  return rows.map(actionFromRow);
}

/**
 * The detection's story: every event of its session (or, without one, its agent) from
 * `marginMs` before its window to `marginMs` after, in time order, at most `limit`.
 */
export async function incidentEvents(store: Store, detection: Detection, marginMs: number, limit: number): Promise<TelemetryEvent[]> {
  const where = new Where(store.database)
    .add('tenant = {tenant:String}', { tenant: detection.tenant })
    .range({ since: detection.window_start - marginMs, until: detection.window_end + marginMs + 1 });
  if (detection.session_id !== null) where.add('session_id = {session_id:String}', { session_id: detection.session_id });
  else if (detection.agent_id !== null) where.add('agent_id = {agent_id:String}', { agent_id: detection.agent_id });
  else where.add('event_id IN {ids:Array(String)}', { ids: detection.event_ids });
  const rows = await select<{ event: string }>(
    store,
    `SELECT event FROM {database:Identifier}.events ${where} ORDER BY ts, event_id LIMIT {limit:UInt32}`,
    { ...where.params, limit },
  );
  return rows.map((r) => JSON.parse(r.event) as TelemetryEvent);
}

function cursorOf(event: TelemetryEvent): string {
  return encodeCursor({ ts: storableTs(event.ts), id: event.event_id });
}

async function select<T>(store: Store, query: string, params: Params): Promise<T[]> {
  try {
    const result = await store.client.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      // DETECTION_COLUMNS selects `toUnixTimestamp64Milli(ts) AS ts`: without this, WHERE's `ts`
      // would be that alias (a number of ms) instead of the DateTime64 column, and a time range
      // on detections would compare milliseconds with a date and match nothing.
      clickhouse_settings: { prefer_column_name_to_alias: 1 },
    });
    return await result.json<T>();
  } catch (err) {
    throw new StoreUnavailableError(`evidence query failed (${store.location}): ${(err as Error).message}`, err);
  }
}
