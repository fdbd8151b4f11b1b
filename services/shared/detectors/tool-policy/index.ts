/**
 * `tool_policy`: a tool call the agent should not make. Either the tool itself (per-agent
 * allow/deny globs in `tool_policy`) or what the call carries in `tool_call.arguments` and
 * `tool_call.target`: shell that downloads and runs code or destroys a system, destructive SQL,
 * path traversal and sensitive files, SSRF to cloud metadata or private addresses, and egress
 * outside `egress_allowlist` when one is set.
 *
 * @example
 *   toolPolicyDetector.run(toolCallEvent, { config: { tool_policy: { '*': { deny: ['shell.*'] } } } }).findings
 *   // [{ detector: 'tool_policy', field: 'tool_call.name', start: 0, end: 10, score: 0.95, label: 'tool_denied' },
 *   //  { detector: 'tool_policy', field: 'tool_call.arguments.cmd', start: 0, end: 38, score: 0.9, label: 'pipe_to_shell' }]
 */
import { textFields, type TextField } from '../fields.js';
import { keepStrongest } from '../secrets/spans.js';
import { resultOf, type Detector, type Finding } from '../types.js';
import { findDangerousCommands } from './commands.js';
import type { ToolMatch } from './match.js';
import { findNetworkRisks } from './network.js';
import { findPathTraversal } from './paths.js';
import { toolVerdict } from './policy.js';
import { findDestructiveSql } from './sql.js';

export type { ToolMatch } from './match.js';
export { classifyHost } from './network.js';
export { classifyIPv4, classifyIPv6, parseIPv4, parseIPv6, type AddressClass } from './ip.js';
export { globMatches, toolVerdict, type PolicyVerdict } from './policy.js';

export const TOOL_POLICY = 'tool_policy';
export const TOOL_POLICY_LABELS = [
  'tool_denied', 'tool_not_allowed', 'pipe_to_shell', 'download_exec', 'destructive_shell',
  'destructive_sql', 'path_traversal', 'ssrf_metadata', 'ssrf_private', 'egress_not_allowed',
] as const;

/** Each argument is scanned up to this many UTF-16 units. */
export const MAX_SCAN_CHARS = 256 * 1024;

/**
 * Everything dangerous in one argument (or the target) of a tool call. Overlapping matches of
 * one label are reported once; different labels on the same span are different facts
 * (`curl http://169.254.169.254/… | sh` is both pipe_to_shell and ssrf_metadata).
 */
export function findToolRisks(text: string, egressAllowlist?: readonly string[], isTarget = false): ToolMatch[] {
  const t = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const all = [...findDangerousCommands(t), ...findDestructiveSql(t), ...findPathTraversal(t), ...findNetworkRisks(t, egressAllowlist, isTarget)];
  const byLabel = new Map<string, ToolMatch[]>();
  for (const m of all) {
    const list = byLabel.get(m.label);
    if (list) list.push(m);
    else byLabel.set(m.label, [m]);
  }
  return [...byLabel.values()].flatMap((ms) => keepStrongest(ms)).sort((a, b) => a.start - b.start || a.label.localeCompare(b.label));
}

export const toolPolicyDetector: Detector = {
  name: TOOL_POLICY,
  description: 'Tool calls outside the agent\'s allow/deny policy, or carrying pipe-to-shell, destructive shell or SQL, path traversal, SSRF or disallowed egress.',
  run(event, ctx) {
    const call = event.tool_call;
    if (!call) return resultOf([]);
    const findings: Finding[] = [];
    const verdict = toolVerdict(ctx.config.tool_policy, event.agent_id, call.name);
    if (verdict.verdict !== 'allowed') {
      findings.push({
        detector: TOOL_POLICY,
        field: 'tool_call.name',
        start: 0,
        end: call.name.length,
        score: verdict.verdict === 'denied' ? 0.95 : 0.8,
        label: verdict.verdict === 'denied' ? 'tool_denied' : 'tool_not_allowed',
      });
    }
    const fields: TextField[] = textFields(event).filter((f) => f.source === 'argument');
    if (call.target) fields.push({ path: 'tool_call.target', text: call.target, source: 'argument' });
    for (const field of fields) {
      const isTarget = field.path === 'tool_call.target';
      for (const m of findToolRisks(field.text, ctx.config.egress_allowlist, isTarget)) {
        findings.push({ detector: TOOL_POLICY, field: field.path, start: m.start, end: m.end, score: m.score, label: m.label });
      }
    }
    return resultOf(findings);
  },
};
