/**
 * The requests side-effect steps send, built from templates: a key revocation through an HTTP
 * provider, and a notify webhook (runwatch's JSON payload or a Slack-compatible one, signed when
 * the step names a secret). With `secrets: 'redact'` nothing secret is put in: dry-run records
 * and plans show `{{env.NAME}}` where a secret would go.
 */
import { formatDuration } from '../../shared/rules/duration.js';
import { signBody } from './sign.js';
import type { HttpProviderDoc, ProviderDoc, Step } from './schema.js';
import { renderJsonBody, renderTemplate, type RenderOptions, type TemplateContext } from './template.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

type NotifyStep = Extract<Step, { type: 'notify' }>;

const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded', text: 'text/plain; charset=utf-8' } as const;

/** The revocation request of an HTTP provider for the key in `ctx`. */
export function revokeRequest(provider: HttpProviderDoc, ctx: TemplateContext, options: RenderOptions = {}): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(provider.headers)) headers[name] = renderTemplate(value, ctx, 'text', options);
  const request: HttpRequest = { method: provider.method, url: renderTemplate(provider.url, ctx, 'url', options), headers };
  if (provider.body !== undefined) {
    const encoding = provider.body_encoding;
    request.body = typeof provider.body === 'string'
      ? renderTemplate(provider.body, ctx, encoding === 'form' ? 'url' : encoding, options)
      : renderJsonBody(provider.body, ctx, options);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = CONTENT_TYPES[typeof provider.body === 'string' ? encoding : 'json'];
  }
  return request;
}

/** Slack's mrkdwn treats &, < and > as markup: a detection summary must not inject links or mentions. */
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The notify webhook request, signed when the step has `secret_env` and secrets are resolved. */
export function notifyRequest(step: NotifyStep, ctx: TemplateContext, nowMs: number, options: RenderOptions = {}): HttpRequest {
  const d = ctx.detection;
  const message = renderTemplate(step.message, ctx, 'text', options);
  const payload = step.format === 'slack'
    ? { text: slackEscape(message) }
    : {
        message, detection_id: d.detection_id, rule_id: d.rule_id, severity: d.severity, tenant: d.tenant, agent_id: d.agent_id,
        session_id: d.session_id, key_id: d.key_id, summary: d.summary, tags: d.tags, playbook_id: ctx.playbook?.id ?? null, ts: d.ts,
      };
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  for (const [name, value] of Object.entries(step.headers)) headers[name] = renderTemplate(value, ctx, 'text', options);
  if (step.secret_env) {
    if (options.secrets === 'redact') headers['X-Runwatch-Signature'] = `sha256=<HMAC with {{env.${step.secret_env}}}>`;
    else Object.assign(headers, signBody(body, renderTemplate(`{{env.${step.secret_env}}}`, ctx, 'text'), nowMs));
  }
  return { method: 'POST', url: renderTemplate(step.url, ctx, 'url', options), headers, body };
}

/** One line saying what a step does (or would do) to `target`, secrets redacted: dry-run records and plans. */
export function describeStep(step: Step, target: string | null, ctx: TemplateContext, providers: ReadonlyMap<string, ProviderDoc>): string {
  const redact = { secrets: 'redact' } as const;
  switch (step.type) {
    case 'quarantine_agent':
      return `quarantine agent ${target} for ${formatDuration(step.duration)}, then release`;
    case 'revoke_key': {
      const provider = providers.get(step.provider);
      if (!provider || provider.type === 'registry') return `revoke key ${target} in runwatch's key registry`;
      const r = revokeRequest(provider, ctx, redact);
      return `revoke key ${target} through ${provider.id}: ${r.method} ${r.url}`;
    }
    case 'block_session':
      return `block session ${target}${step.duration ? ` for ${formatDuration(step.duration)}` : ''}`;
    case 'notify': {
      const r = notifyRequest(step, ctx, 0, redact);
      return `notify ${r.url} (${step.format}${step.secret_env ? ', signed' : ''})`;
    }
    case 'require_approval':
      return `wait up to ${formatDuration(step.timeout)} for an operator's approval (then ${step.default})`;
    case 'snapshot_evidence':
      return `snapshot the evidence events and ${formatDuration(step.context)} of context`;
  }
}
