/**
 * The incident timeline as one self-contained HTML page a responder attaches to a ticket:
 * inline CSS, no script, no external resource (a Content-Security-Policy forbids any, as a
 * second line of defence). Every value that comes from telemetry is attacker-controlled
 * text, so every value goes through `escapeHtml`, with no exception.
 *
 * @example
 * writeFileSync('incident.html', timelineHtml(timeline, { generatedAt: Date.now() }));
 */
import { formatDuration } from '../shared/rules/duration.js';
import type { Detection } from '../shared/records.js';
import { eventExcerpt, findingText } from './excerpt.js';
import { isoTime } from './terminal.js';
import type { Timeline, TimelineEvent } from './timeline.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export interface HtmlOptions {
  /** When the report was made, epoch ms. */
  generatedAt: number;
}

export function timelineHtml(timeline: Timeline, options: HtmlOptions): string {
  const d = timeline.detection;
  const evidenceCount = timeline.events.filter((e) => e.evidence).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>runwatch incident ${escapeHtml(d.detection_id)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<p class="sev sev-${escapeHtml(d.severity)}">${escapeHtml(d.severity)}</p>
<h1>${escapeHtml(d.summary)}</h1>
<p class="muted">rule <code>${escapeHtml(d.rule_id)}</code> v${escapeHtml(d.rule_version)} · detection <code>${escapeHtml(d.detection_id)}</code></p>
</header>
${detectionTable(d)}
<h2>Timeline</h2>
<p class="muted">${timeline.events.length} event(s), ${evidenceCount} of them evidence (highlighted), from ${escapeHtml(formatDuration(timeline.context_ms))} before the detection's window to ${escapeHtml(formatDuration(timeline.context_ms))} after.${timeline.truncated ? ' More events fell in that span than are shown.' : ''}${evidenceCount < d.event_ids.length ? ` ${d.event_ids.length - evidenceCount} evidence event(s) are no longer stored (retention).` : ''}</p>
<table class="timeline">
<thead><tr><th></th><th>time (UTC)</th><th>kind</th><th>agent</th><th>session</th><th>content</th></tr></thead>
<tbody>
${timeline.events.map(eventRows).join('\n')}
</tbody>
</table>
<footer class="muted">Generated ${escapeHtml(isoTime(options.generatedAt))} by <code>runwatch replay incident</code>. Event content is shown as stored, after the evidence writer's redaction.</footer>
</body>
</html>
`;
}

function detectionTable(d: Detection): string {
  const rows: Array<[string, string]> = [
    ['tenant', d.tenant],
    ['agent', d.agent_id ?? '–'],
    ['session', d.session_id ?? '–'],
    ['key', d.key_id ?? '–'],
    ['user', d.user_id ?? '–'],
    ['window', `${isoTime(d.window_start)} – ${isoTime(d.window_end)}`],
    ['detected at', isoTime(d.detected_at)],
    ['tags', d.tags.join(', ') || '–'],
    ['playbooks', d.playbooks.join(', ') || '–'],
    ['evidence events', String(d.event_ids.length)],
    ['suppressed repeats', String(d.suppressed_count)],
  ];
  return `<table class="facts">\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}\n</table>`;
}

function eventRows(e: TimelineEvent): string {
  return `<tr class="${e.evidence ? 'evidence' : 'context'}">
<td class="mark">${e.evidence ? '●' : ''}</td><td class="time">${escapeHtml(isoTime(e.ts))}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.agent_id ?? '–')}</td><td>${escapeHtml(e.session_id ?? '–')}</td>
<td><div class="excerpt">${escapeHtml(eventExcerpt(e))}</div>${findingsList(e)}<details><summary>event ${escapeHtml(e.event_id)}</summary><pre>${escapeHtml(JSON.stringify(stripMarks(e), null, 2))}</pre></details></td>
</tr>`;
}

function findingsList(e: TimelineEvent): string {
  if (e.findings.length === 0) return '';
  const items = e.findings.map((f) => {
    const quote = findingText(e, f);
    return `<li><b>${escapeHtml(f.detector)}/${escapeHtml(f.label)}</b> ${escapeHtml(f.score.toFixed(2))} in <code>${escapeHtml(f.field)}[${escapeHtml(f.start)}:${escapeHtml(f.end)}]</code>${quote === null ? '' : ` <mark>${escapeHtml(quote)}</mark>`}</li>`;
  });
  return `<ul class="findings">${items.join('')}</ul>`;
}

/** The event as stored, without the timeline's own marks. */
function stripMarks(e: TimelineEvent): object {
  const { evidence: _evidence, findings: _findings, ...event } = e;
  return event;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.35rem; margin: .25rem 0; } h2 { font-size: 1.1rem; margin-top: 2rem; }
code, pre, .time { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: #5b6570; }
.sev { display: inline-block; margin: 0; padding: .1rem .55rem; border-radius: 3px; font-weight: 600; text-transform: uppercase; font-size: 12px; color: #fff; background: #5b6570; }
.sev-critical { background: #9b1c1c; } .sev-high { background: #c2410c; } .sev-medium { background: #a16207; } .sev-low { background: #3f6212; }
table { border-collapse: collapse; width: 100%; }
.facts { width: auto; margin-top: 1rem; } .facts th { text-align: left; font-weight: 500; color: #5b6570; padding: .15rem 1.5rem .15rem 0; } .facts td { padding: .15rem 0; }
.timeline th { text-align: left; border-bottom: 2px solid #d5dbe1; padding: .35rem .5rem; }
.timeline td { vertical-align: top; border-bottom: 1px solid #e7ebef; padding: .35rem .5rem; }
.timeline td.time { white-space: nowrap; }
tr.evidence { background: #fff4e5; } tr.evidence td.mark { color: #c2410c; }
.excerpt { white-space: pre-wrap; word-break: break-word; }
.findings { margin: .3rem 0; padding-left: 1.1rem; } mark { background: #fde68a; }
details summary { cursor: pointer; color: #5b6570; font-size: 12px; }
pre { white-space: pre-wrap; word-break: break-word; background: #f5f7f9; padding: .5rem; margin: .3rem 0; }
footer { margin-top: 2rem; font-size: 12px; }
`;
