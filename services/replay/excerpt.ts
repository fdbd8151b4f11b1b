/**
 * What a timeline shows of an event in one line, and the text a finding points at. Shared
 * by the terminal table and the HTML report so both say the same thing.
 */
import { textFields } from '../shared/detectors/fields.js';
import type { Finding } from '../shared/detectors/types.js';
import type { TelemetryEvent } from '../shared/events/schema.js';

/**
 * The gist of an event: a prompt's last message, an output's text, a retrieval's query and
 * document count, a tool call's name and arguments. Whitespace is folded onto one line.
 */
export function eventExcerpt(event: TelemetryEvent): string {
  let text: string;
  if (event.prompt) {
    const last = event.prompt.messages[event.prompt.messages.length - 1];
    text = last ? `${last.role}: ${last.content}` : '(no messages)';
  } else if (event.output) {
    text = event.output.text;
  } else if (event.retrieval) {
    const n = event.retrieval.documents.length;
    text = `${JSON.stringify(event.retrieval.query)} → ${n} document${n === 1 ? '' : 's'}`;
  } else if (event.tool_call) {
    const call = event.tool_call;
    text = `${call.name}(${JSON.stringify(call.arguments)})${call.status ? ` ${call.status}` : ''}${call.target ? ` → ${call.target}` : ''}`;
  } else {
    text = '';
  }
  return oneLine(text);
}

const REDACTION_MARKER = /\[(REDACTED|PII):/;

/**
 * The text a finding points at, or null when it cannot be shown faithfully. Offsets refer to
 * the text the detector saw; the evidence writer may since have replaced secrets and PII with
 * markers of another length, which shifts everything after the first marker. Before it, the
 * stored text is the text the detector saw.
 */
export function findingText(event: TelemetryEvent, finding: Pick<Finding, 'field' | 'start' | 'end'>): string | null {
  const field = textFields(event).find((f) => f.path === finding.field);
  if (!field || finding.start < 0 || finding.start >= finding.end || finding.end > field.text.length) return null;
  const firstMarker = field.text.search(REDACTION_MARKER);
  if (firstMarker !== -1 && firstMarker < finding.end) return null;
  return field.text.slice(finding.start, finding.end);
}

/** Folds runs of whitespace (newlines included) into one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** At most `max` characters, the cut marked with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? text.slice(0, max) : `${text.slice(0, max - 1)}…`;
}
