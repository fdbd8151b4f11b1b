/**
 * The incident timeline as a terminal table: the detection, then one line per event (time,
 * kind, agent, a one-line excerpt), evidence rows marked `*` with their findings below.
 *
 * @example
 * for (const line of timelineTable(timeline, process.stdout.columns)) console.log(line);
 */
import { formatDuration } from '../shared/rules/duration.js';
import { clip, eventExcerpt, findingText, oneLine } from './excerpt.js';
import { cell, isoTime, terminalSafe } from './terminal.js';
import type { Timeline, TimelineEvent } from './timeline.js';

const TIME_WIDTH = 24;
const KIND_WIDTH = 9;
const MAX_AGENT_WIDTH = 20;
const QUOTE_MAX = 80;

export function timelineTable(timeline: Timeline, columns = 120): string[] {
  const { detection: d, events } = timeline;
  const safe = (text: string | null) => terminalSafe(text ?? '-');
  const lines = [
    `detection ${d.detection_id}  ${d.severity.toUpperCase()}  ${safe(d.rule_id)} v${d.rule_version}`,
    `  ${safe(oneLine(d.summary))}`,
    `  tenant ${safe(d.tenant)}  agent ${safe(d.agent_id)}  session ${safe(d.session_id)}  key ${safe(d.key_id)}`,
    `  window ${isoTime(d.window_start)} .. ${isoTime(d.window_end)}  tags ${d.tags.length > 0 ? safe(d.tags.join(', ')) : '-'}`,
    '',
    `${events.length} event(s), ${events.filter((e) => e.evidence).length} of them evidence (*), from ${formatDuration(timeline.context_ms)} before the window to ${formatDuration(timeline.context_ms)} after`,
  ];
  if (timeline.truncated) lines.push('  (more events in that span than shown: narrow --context)');
  const missing = d.event_ids.length - events.filter((e) => e.evidence).length;
  if (missing > 0) lines.push(`  (${missing} evidence event(s) no longer stored: past the events' retention)`);
  const agentWidth = Math.min(MAX_AGENT_WIDTH, Math.max(5, ...events.map((e) => (e.agent_id ?? '-').length)));
  const excerptWidth = Math.max(20, columns - (2 + TIME_WIDTH + 1 + KIND_WIDTH + 1 + agentWidth + 1));
  lines.push(`  ${cell('time', TIME_WIDTH)} ${cell('kind', KIND_WIDTH)} ${cell('agent', agentWidth)} content`);
  for (const e of events) {
    lines.push(`${e.evidence ? '* ' : '  '}${cell(isoTime(e.ts), TIME_WIDTH)} ${cell(e.kind, KIND_WIDTH)} ${cell(safe(e.agent_id), agentWidth)} ${terminalSafe(clip(eventExcerpt(e), excerptWidth))}`);
    lines.push(...findingLines(e));
  }
  return lines;
}

function findingLines(event: TimelineEvent): string[] {
  return event.findings.map((f) => {
    const quote = findingText(event, f);
    const shown = quote === null ? '' : `  ${JSON.stringify(clip(oneLine(quote), QUOTE_MAX))}`;
    return terminalSafe(`      ^ ${f.detector}/${f.label} ${f.score.toFixed(2)} at ${f.field}[${f.start}:${f.end}]${shown}`);
  });
}
