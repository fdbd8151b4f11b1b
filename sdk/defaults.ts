/** What the client and the guard fill in on every event they send. */
import type { RunwatchEvent } from './types.js';

export interface EventDefaults {
  tenant?: string;
  app?: string;
  env?: string;
  agent_id?: string;
}

/** The event as sent: its id, a timestamp, and the defaults where the event has none. */
export function withDefaults(event: RunwatchEvent, eventId: string, d: EventDefaults): RunwatchEvent {
  return {
    ...event,
    event_id: eventId,
    ts: event.ts ?? Date.now(),
    tenant: event.tenant ?? d.tenant,
    app: event.app ?? d.app,
    env: event.env ?? d.env,
    agent_id: event.agent_id ?? d.agent_id,
  };
}
