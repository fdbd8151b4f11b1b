/**
 * Per-agent tool allow and deny lists (`tool_policy` in the rule pack). Entries are globs:
 * `*` any run of characters, `?` one; `fs.*` covers `fs.read` and `fs.write.sync`. Names
 * compare case-insensitively, so `FS.Delete` does not slip past `fs.*`.
 *
 * The `*` entry applies to every agent and the agent's own entry adds to it: a tool denied by
 * either is denied (deny wins over allow); if either lists `allow`, the tool must match one of
 * those allow lists.
 */
import type { DetectorConfig } from '../types.js';

export type PolicyVerdict =
  | { verdict: 'allowed' }
  /** Matched a deny glob. */
  | { verdict: 'denied'; rule: string; agent: string }
  /** Allow lists exist and none matched. */
  | { verdict: 'not_allowed' };

export function toolVerdict(policy: DetectorConfig['tool_policy'], agentId: string | null, tool: string): PolicyVerdict {
  if (!policy) return { verdict: 'allowed' };
  const entries = (['*', agentId] as const)
    .filter((key): key is string => key !== null && Object.hasOwn(policy, key))
    .map((key) => ({ agent: key, entry: policy[key]! }));
  for (const { agent, entry } of entries) {
    const rule = entry.deny?.find((glob) => globMatches(glob, tool));
    if (rule !== undefined) return { verdict: 'denied', rule, agent };
  }
  const allowLists = entries.map((e) => e.entry.allow).filter((a): a is string[] => a !== undefined);
  if (allowLists.length > 0 && !allowLists.some((list) => list.some((glob) => globMatches(glob, tool)))) return { verdict: 'not_allowed' };
  return { verdict: 'allowed' };
}

/** Globs come from the rule pack: each is compiled once. */
const compiled = new Map<string, RegExp>();

export function globMatches(glob: string, name: string): boolean {
  let re = compiled.get(glob);
  if (!re) {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, 'is');
    if (compiled.size >= 4096) compiled.clear();
    compiled.set(glob, re);
  }
  return re.test(name);
}
