/**
 * The operator's controls from a terminal, through the operator API:
 *   runwatch containment ls [--tenant T] [--json]
 *   runwatch containment release agent|key|session <id> [--tenant T]
 *   runwatch approvals ls [--json]
 *   runwatch approvals approve|reject <detection_id>
 */
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config/load.js';
import { ApiError, createApiClient, type ApiClient } from '../api-client.js';
import { stdio, type CommandIo } from '../io.js';

interface ContainmentView {
  subject_type: string;
  subject_id: string;
  tenant: string;
  state: string;
  reason: string;
  detection_id: string | null;
  until: string | null;
}

interface ApprovalView {
  detection_id: string;
  severity: string;
  tenant: string;
  agent_id: string | null;
  playbook_id: string;
  step: string;
  deadline: string;
  default: string;
  summary: string;
}

const SUBJECTS = { agent: 'agents', key: 'keys', session: 'sessions' } as const;

export async function listContainment(api: ApiClient, options: { tenant?: string; json?: boolean }, io: CommandIo = stdio): Promise<number> {
  return guarded(io, async () => {
    const items = await api.request<ContainmentView[]>('GET', `/v1/containment${options.tenant ? `?tenant=${encodeURIComponent(options.tenant)}` : ''}`);
    if (options.json) return io.out(JSON.stringify(items, null, 2));
    if (items.length === 0) return io.out('nothing is contained');
    for (const c of items) io.out(`${c.state.padEnd(11)} ${c.subject_type.padEnd(7)} ${c.subject_id}  tenant ${c.tenant}  ${c.until ? `until ${c.until}` : 'until released'}  ${c.detection_id ?? '-'}  ${c.reason}`);
  });
}

export async function releaseContainment(api: ApiClient, type: string, id: string, options: { tenant?: string }, io: CommandIo = stdio): Promise<number> {
  const plural = SUBJECTS[type as keyof typeof SUBJECTS];
  if (!plural) {
    io.err(`release: the subject is agent, key or session, not "${type}"`);
    return 1;
  }
  return guarded(io, async () => {
    const path = `/v1/containment/${plural}/${encodeURIComponent(id)}${options.tenant ? `?tenant=${encodeURIComponent(options.tenant)}` : ''}`;
    const released = await api.request<ContainmentView>('DELETE', path);
    io.out(`released ${released.subject_type} ${released.subject_id} (tenant ${released.tenant})`);
  });
}

export async function listApprovals(api: ApiClient, options: { json?: boolean }, io: CommandIo = stdio): Promise<number> {
  return guarded(io, async () => {
    const items = await api.request<ApprovalView[]>('GET', '/v1/approvals');
    if (options.json) return io.out(JSON.stringify(items, null, 2));
    if (items.length === 0) return io.out('no step waits for an approval');
    for (const a of items) io.out(`${a.detection_id}  ${a.severity}  tenant ${a.tenant}  agent ${a.agent_id ?? '-'}  ${a.playbook_id}/${a.step}  ${a.default} at ${a.deadline}  ${a.summary}`);
  });
}

export async function answerApproval(api: ApiClient, detectionId: string, outcome: 'approve' | 'reject', io: CommandIo = stdio): Promise<number> {
  return guarded(io, async () => {
    await api.request('POST', `/v1/approvals/${encodeURIComponent(detectionId)}/${outcome}`);
    io.out(`${outcome === 'approve' ? 'approved' : 'rejected'} ${detectionId}`);
  });
}

async function guarded(io: CommandIo, fn: () => Promise<void>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    io.err(err.message);
    return 1;
  }
}

const CLIENT_HELP = `
The operator API: --api-url, else $RUNWATCH_API_URL, else the configured api.host:api.port.
Token: $RUNWATCH_API_TOKEN (never a flag: it would land in shell history).`;

export function registerControls(program: Command): void {
  const client = (cmd: Command): ApiClient => {
    const { apiUrl, config: file } = cmd.optsWithGlobals<{ apiUrl?: string; config?: string }>();
    let url = apiUrl ?? process.env.RUNWATCH_API_URL;
    if (!url) {
      const config = loadConfig(file === undefined ? {} : { file });
      url = `http://${config.api.host}:${config.api.port}`;
    }
    return createApiClient(url, process.env.RUNWATCH_API_TOKEN);
  };
  const containment = program.command('containment').description('contained agents, keys and sessions: list, release').option('--api-url <url>', 'operator API').addHelpText('after', CLIENT_HELP);
  containment
    .command('ls')
    .description('what is contained, why, until when')
    .option('--tenant <tenant>', 'one tenant (operator tokens)')
    .option('--json', 'JSON')
    .action(async (opts: { tenant?: string; json?: boolean }, cmd: Command) => {
      process.exitCode = await listContainment(client(cmd), opts);
    });
  containment
    .command('release <type> <id>')
    .description('release an agent, key or session (audited)')
    .option('--tenant <tenant>', 'its tenant (operator tokens; default: default)')
    .action(async (type: string, id: string, opts: { tenant?: string }, cmd: Command) => {
      process.exitCode = await releaseContainment(client(cmd), type, id, opts);
    });
  const approvals = program.command('approvals').description('playbook steps waiting for an operator').option('--api-url <url>', 'operator API').addHelpText('after', CLIENT_HELP);
  approvals
    .command('ls')
    .description('steps waiting, with their deadline and default outcome')
    .option('--json', 'JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      process.exitCode = await listApprovals(client(cmd), opts);
    });
  for (const outcome of ['approve', 'reject'] as const) {
    approvals
      .command(`${outcome} <detection_id>`)
      .description(`${outcome} the step waiting for this detection (audited)`)
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        process.exitCode = await answerApproval(client(cmd), id, outcome);
      });
  }
}
