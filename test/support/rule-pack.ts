/** Small rule packs for worker tests, written to a temp folder as a worker would read them. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An exfiltration-shaped sequence: read_secrets, then send_email, in one session within 10m. */
export const CHAIN_RULE = `kind: rule
id: t.chain
name: Read then send
version: 1
severity: critical
correlate:
  type: sequence
  by: [session_id]
  within: 10m
  steps:
    - id: read
      match: { tool_call.name: read_secrets }
    - id: send
      match: { tool_call.name: send_email }
`;

/** A folder holding `text` as rules.yaml. */
export function ruleDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rw-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), text);
  return dir;
}
