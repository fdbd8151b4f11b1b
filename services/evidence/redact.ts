/**
 * Redaction before storage. Secrets are always replaced by a marker (`[REDACTED:openai_key:95]`);
 * personal data is kept, masked or HMAC-hashed as configured, per tenant. The same scanners
 * the detectors run find what to replace, over every text the event carries: messages,
 * output, query, documents, tool arguments, result and target, and attribute values.
 */
import { createHmac } from 'node:crypto';
import type { RedactionConfig } from '../shared/config/schema.js';
import { findPii } from '../shared/detectors/pii/index.js';
import { piiMarker, secretMarker } from '../shared/detectors/redaction-markers.js';
import { findSecrets } from '../shared/detectors/secrets/index.js';
import type { TelemetryEvent } from '../shared/events/schema.js';

export type PiiMode = RedactionConfig['pii'];

export interface Redacted<T> {
  value: T;
  /** How many spans were replaced. */
  count: number;
}

export class Redactor {
  constructor(private readonly config: RedactionConfig) {}

  piiMode(tenant: string): PiiMode {
    return this.config.tenants[tenant]?.pii ?? this.config.pii;
  }

  /** A copy of the event with every secret (and, per the tenant's mode, PII) replaced. */
  event(event: TelemetryEvent): Redacted<TelemetryEvent> {
    const scrub = this.scrubber(this.piiMode(event.tenant));
    const out: TelemetryEvent = {
      ...event,
      prompt: event.prompt && { messages: event.prompt.messages.map((m) => ({ role: m.role, content: scrub.text(m.content) })) },
      output: event.output && { ...event.output, text: scrub.text(event.output.text) },
      retrieval: event.retrieval && {
        query: scrub.text(event.retrieval.query),
        documents: event.retrieval.documents.map((d) => ({ ...d, uri: d.uri && scrub.text(d.uri), content: scrub.text(d.content) })),
      },
      tool_call: event.tool_call && {
        ...event.tool_call,
        arguments: scrub.json(event.tool_call.arguments) as Record<string, unknown>,
        result: event.tool_call.result && scrub.text(event.tool_call.result),
        target: event.tool_call.target && scrub.text(event.tool_call.target),
      },
      attributes: Object.fromEntries(Object.entries(event.attributes).map(([k, v]) => [k, scrub.text(v)])),
    };
    return { value: out, count: scrub.count };
  }

  /** Free text outside events (a detection's summary, an action's detail). */
  text(tenant: string, text: string): Redacted<string> {
    const scrub = this.scrubber(this.piiMode(tenant));
    const value = scrub.text(text);
    return { value, count: scrub.count };
  }

  private scrubber(mode: PiiMode): Scrubber {
    return new Scrubber(mode, this.config.hash_key);
  }
}

class Scrubber {
  count = 0;

  constructor(
    private readonly mode: PiiMode,
    private readonly hashKey: string | null,
  ) {}

  text(text: string): string {
    if (text.length === 0) return text;
    const spans: Array<{ start: number; end: number; marker: string }> = [];
    for (const s of findSecrets(text)) spans.push({ start: s.start, end: s.end, marker: secretMarker(s.label, s.score) });
    if (this.mode !== 'keep') {
      for (const p of findPii(text)) {
        if (spans.some((s) => s.start < p.end && p.start < s.end)) continue;
        const hash = this.mode === 'hash' ? this.hash(text.slice(p.start, p.end)) : undefined;
        spans.push({ start: p.start, end: p.end, marker: piiMarker(p.label, p.score, hash) });
      }
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a.start - b.start);
    let out = '';
    let at = 0;
    for (const s of spans) {
      // A marker already in the text (a re-published event) is found as a span of itself: keep it.
      out += text.slice(at, s.start) + s.marker;
      at = s.end;
    }
    this.count += spans.length;
    return out + text.slice(at);
  }

  json(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (depth > 64 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.json(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.json(v, depth + 1);
    return out;
  }

  private hash(value: string): string {
    // Separators are not identity: "4111 1111…" and "4111-1111…" hash alike.
    const canonical = value.replace(/[\s().-]/g, '').toLowerCase();
    return createHmac('sha256', this.hashKey!).update(canonical).digest('hex').slice(0, 16);
  }
}
