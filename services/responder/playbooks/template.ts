/**
 * Templates in playbooks and providers: `{{detection.key_id}}`, `{{env.GATEWAY_ADMIN_TOKEN}}`,
 * `{{playbook.id}}`, `{{step.id}}`. A placeholder's value is escaped for where it lands (a URL
 * part, a JSON string, plain text); `| raw`, `| url`, `| json` after the name override that.
 * In a URL, a placeholder at the very start is the base URL (`{{env.GATEWAY_URL}}/key/...`)
 * and is put in as it is; every other one is URL-encoded.
 *
 * @example
 * renderTemplate('{{env.GW}}/key/{{detection.key_id}}', ctx, 'url') // https://gw.example/key/k%2F1
 */
import type { Detection } from '../../shared/records.js';
import { TemplateError } from './errors.js';
import { DETECTION_FIELDS } from './schema.js';

/** How placeholder values are escaped: as a URL component, inside a JSON string, or not at all. */
export type Encoding = 'url' | 'json' | 'text';
const FILTERS = { raw: 'text', url: 'url', json: 'json' } as const satisfies Record<string, Encoding>;

export interface TemplateContext {
  detection: Detection;
  /** Where `{{env.NAME}}` comes from: process.env in the responder, a fixture in tests. */
  env: Readonly<Record<string, string | undefined>>;
  playbook?: { id: string; name: string; version: number };
  step?: { id: string; type: string };
}

export interface RenderOptions {
  /**
   * `resolve` puts secrets in (only for the request itself); `redact` leaves `{{env.NAME}}` as
   * written, for dry-run records, logs and plans, and never fails on a variable that is not set.
   */
  secrets?: 'resolve' | 'redact';
}

export interface Placeholder {
  /** The whole `{{ ... }}` text. */
  text: string;
  /** `detection.key_id`, `env.TOKEN`. */
  name: string;
  filter: keyof typeof FILTERS | null;
}

const PLACEHOLDER = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const OTHER_NAMES = new Set(['playbook.id', 'playbook.name', 'playbook.version', 'step.id', 'step.type']);

/** Every placeholder of a template, in order. */
export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ text: m[0], name: m[1]!, filter: (m[2] || null) as Placeholder['filter'] }));
}

/** Why a placeholder cannot be rendered (an unknown field, a bad filter), or null when it can. */
export function placeholderProblem(p: Placeholder): string | null {
  if (p.filter !== null && !(p.filter in FILTERS)) return `${p.text}: unknown filter '${p.filter}' (raw, url, json)`;
  const [root, ...rest] = p.name.split('.');
  const field = rest.join('.');
  if (root === 'detection') {
    return (DETECTION_FIELDS as readonly string[]).includes(field) ? null : `${p.text}: detection has no field '${field}' (${DETECTION_FIELDS.join(', ')})`;
  }
  if (root === 'env') return ENV_NAME.test(field) ? null : `${p.text}: '${field}' is not an environment variable name (uppercase, digits, _)`;
  if (OTHER_NAMES.has(p.name)) return null;
  return `${p.text}: unknown placeholder (detection.<field>, env.<NAME>, ${[...OTHER_NAMES].join(', ')})`;
}

/** Renders a template; throws TemplateError for an unknown placeholder or an unset env variable. */
export function renderTemplate(template: string, ctx: TemplateContext, encoding: Encoding, options: RenderOptions = {}): string {
  return template.replace(PLACEHOLDER, (text: string, name: string, filter: string | undefined, offset: number) => {
    const p: Placeholder = { text, name, filter: (filter || null) as Placeholder['filter'] };
    const problem = placeholderProblem(p);
    if (problem) throw new TemplateError(name, problem.slice(text.length + 2));
    if (name.startsWith('env.') && options.secrets === 'redact') return text;
    // A URL's leading placeholder is its base (`{{env.GATEWAY_URL}}/key/...`): scheme and host stay as they are.
    const base = encoding === 'url' && offset === 0;
    return escape(valueOf(name, ctx), p.filter ? FILTERS[p.filter] : base ? 'text' : encoding);
  });
}

/**
 * A JSON body from an object whose string leaves are templates: values are put in as strings
 * and the whole is serialised once, so no value can break out of its string.
 */
export function renderJsonBody(body: Record<string, unknown>, ctx: TemplateContext, options: RenderOptions = {}): string {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return renderTemplate(v, ctx, 'text', options);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return JSON.stringify(walk(body));
}

function valueOf(name: string, ctx: TemplateContext): string {
  const [root, ...rest] = name.split('.');
  const field = rest.join('.');
  if (root === 'env') {
    const value = ctx.env[field];
    if (value === undefined || value === '') throw new TemplateError(name, `environment variable ${field} is not set`);
    return value;
  }
  if (root === 'detection') {
    const value = (ctx.detection as unknown as Record<string, unknown>)[field];
    if (value === null || value === undefined) return '';
    return Array.isArray(value) ? value.join(',') : String(value);
  }
  const holder = root === 'playbook' ? ctx.playbook : ctx.step;
  if (!holder) throw new TemplateError(name, `not available here`);
  return String((holder as Record<string, unknown>)[field]);
}

function escape(value: string, encoding: Encoding): string {
  if (encoding === 'url') return encodeURIComponent(value);
  if (encoding === 'json') return JSON.stringify(value).slice(1, -1);
  return value;
}
