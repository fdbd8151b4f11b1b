/**
 * A backtest report for the terminal: the range, counts by rule, then the new and missing
 * detections (the first few of each; `--json` has them all).
 */
import type { BacktestReport } from './backtest.js';
import type { DetectionRef, RuleCounts } from './diff.js';
import { clip, oneLine } from './excerpt.js';
import { cell, isoTime, terminalSafe } from './terminal.js';

/** Detections listed per section; the rest are counted. */
const LISTED = 20;

export function backtestTable(report: BacktestReport, columns = 120): string[] {
  const f = report.filters;
  const scope = [f.tenant && `tenant ${f.tenant}`, f.agent_id && `agent ${f.agent_id}`, f.session_id && `session ${f.session_id}`].filter(Boolean).join(', ');
  const lines = [
    terminalSafe(`backtest ${isoTime(report.since)} .. ${isoTime(report.until)}${scope ? ` (${scope})` : ''}`),
    `  ${report.events} event(s) evaluated (+${report.warmup_events} before the range for window state), ${report.rules} rule(s), ${report.partitions} partition(s)`,
    `  ${report.totals.new} new, ${report.totals.missing} missing, ${report.totals.unchanged} unchanged`,
    '',
  ];
  if (report.by_rule.length > 0) lines.push(...ruleTable(report.by_rule), '');
  lines.push(...section('new (the rules produce them, the store does not have them)', report.new, columns));
  lines.push(...section('missing (stored, the rules no longer produce them)', report.missing, columns));
  return lines;
}

function ruleTable(rows: RuleCounts[]): string[] {
  const width = Math.min(48, Math.max(4, ...rows.map((r) => r.rule_id.length)));
  const num = (n: number) => String(n).padStart(9);
  return [
    `  ${cell('rule', width)} ${'new'.padStart(9)} ${'missing'.padStart(9)} ${'unchanged'.padStart(9)}`,
    ...rows.map((r) => terminalSafe(`  ${cell(r.rule_id, width)} ${num(r.new)} ${num(r.missing)} ${num(r.unchanged)}`)),
  ];
}

function section(title: string, refs: DetectionRef[], columns: number): string[] {
  if (refs.length === 0) return [];
  const lines = [`${title}: ${refs.length}`];
  for (const d of refs.slice(0, LISTED)) {
    const head = `  ${isoTime(d.ts)} ${d.severity.padEnd(8)} ${d.rule_id} ${d.detection_id} ${d.session_id ?? d.agent_id ?? '-'} `;
    lines.push(terminalSafe(head + clip(oneLine(d.summary), Math.max(20, columns - head.length))));
  }
  if (refs.length > LISTED) lines.push(`  … and ${refs.length - LISTED} more (--json lists them all)`);
  lines.push('');
  return lines;
}
