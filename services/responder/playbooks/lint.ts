/**
 * Checks across documents that zod cannot make: duplicate ids, `when:` naming steps that do
 * not come before, `revoke_key` providers that do not exist, placeholders that name unknown
 * fields, secrets written in headers instead of taken from env, and rules whose `playbooks:`
 * names a playbook that does not exist (a warning: the rule still detects).
 */
import type { LoadedDoc, Problem, SourceRef } from '../../shared/rules/load.js';
import type { PlaybookSet, Sourced } from './load.js';
import type { YamlPath } from './positions.js';
import type { PlaybookDoc, When } from './schema.js';
import { placeholderProblem, placeholders } from './template.js';

/** Header names whose values are credentials: they must come from `{{env.NAME}}`. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|api[-_]?key|token|secret/i;

export function lintPlaybookSet(set: PlaybookSet, rules: readonly LoadedDoc[] = []): Problem[] {
  const problems: Problem[] = [];
  const report = (source: SourceRef, path: YamlPath, message: string, severity: Problem['severity'] = 'error', point: 'key' | 'value' = 'value') =>
    problems.push({ file: source.file, ...source.at(path, point), severity, message });

  duplicates(set.playbooks, 'playbook', report);
  duplicates(set.providers, 'provider', report);
  duplicates(set.tests, 'playbook_test', report);
  for (const extra of set.safety.slice(1)) report(extra.source, ['kind'], `a second kind: safety document (the first is at ${set.safety[0]!.source.file}:${set.safety[0]!.source.line})`);

  const providers = new Set(set.providers.map((p) => p.doc.id));
  for (const { doc, source } of set.playbooks) lintPlaybook(doc, source, providers, report);

  for (const { doc, source } of set.providers) {
    if (doc.type !== 'http') continue;
    checkTemplate(doc.url, source, ['url'], report);
    checkHeaders(doc.headers, source, ['headers'], report);
    if (typeof doc.body === 'string') checkTemplate(doc.body, source, ['body'], report);
    else if (doc.body) forEachString(doc.body, ['body'], (s, path) => checkTemplate(s, source, path, report));
  }

  const playbooks = new Map(set.playbooks.map((p) => [p.doc.id, p.doc]));
  for (const { doc, source } of set.safety) {
    for (const id of Object.keys(doc.rate_limit.playbooks)) {
      if (!playbooks.has(id)) report(source, ['rate_limit', 'playbooks', id], `rate_limit.playbooks.${id}: no playbook '${id}'`, 'warning', 'key');
    }
  }
  for (const { doc, source } of set.tests) {
    doc.expect.forEach((e, i) => {
      const playbook = playbooks.get(e.playbook);
      if (!playbook) return report(source, ['expect', i, 'playbook'], `expect[${i}].playbook: no playbook '${e.playbook}'`);
      for (const step of Object.keys(e.steps)) {
        if (!playbook.steps.some((s) => s.id === step)) report(source, ['expect', i, 'steps', step], `expect[${i}].steps.${step}: playbook '${e.playbook}' has no step '${step}'`, 'error', 'key');
      }
    });
  }

  for (const { doc, source } of rules) {
    if (doc.kind !== 'rule' && doc.kind !== 'hunt') continue;
    doc.playbooks.forEach((id, i) => {
      if (!playbooks.has(id)) report(source, ['playbooks', i], `playbooks[${i}]: no playbook '${id}' (rule ${doc.id})`, 'warning');
    });
  }
  return problems;
}

type Report = (source: SourceRef, path: YamlPath, message: string, severity?: Problem['severity'], point?: 'key' | 'value') => void;

function duplicates<T extends { id: string }>(docs: ReadonlyArray<Sourced<T>>, kind: string, report: Report): void {
  const first = new Map<string, SourceRef>();
  for (const { doc, source } of docs) {
    const seen = first.get(doc.id);
    if (seen) report(source, ['id'], `id: ${kind} '${doc.id}' is already defined at ${seen.file}:${seen.line}`);
    else first.set(doc.id, source);
  }
}

function lintPlaybook(doc: PlaybookDoc, source: SourceRef, providers: ReadonlySet<string>, report: Report): void {
  const before = new Set<string>();
  const all = new Set(doc.steps.map((s) => s.id));
  doc.steps.forEach((step, i) => {
    const at: YamlPath = ['steps', i];
    if (before.has(step.id)) report(source, [...at, 'id'], `steps[${i}].id: step '${step.id}' is already defined in playbook ${doc.id}`);
    if (step.when) checkWhen(step.when, [...at, 'when'], before, all, source, report);
    if (step.retry && step.on_error !== 'retry') report(source, [...at, 'retry'], `steps[${i}].retry: ignored unless on_error: retry`, 'warning', 'key');
    const templates: Array<[string, string | undefined]> = [];
    switch (step.type) {
      case 'quarantine_agent':
        templates.push(['agent', step.agent]);
        break;
      case 'revoke_key':
        templates.push(['key', step.key]);
        if (!providers.has(step.provider)) report(source, [...at, 'provider'], `steps[${i}].provider: no provider '${step.provider}' (kind: provider documents: ${[...providers].join(', ') || 'none'})`);
        break;
      case 'block_session':
        templates.push(['session', step.session]);
        break;
      case 'notify':
        templates.push(['url', step.url], ['message', step.message]);
        checkHeaders(step.headers, source, [...at, 'headers'], report);
        break;
      case 'require_approval':
        templates.push(['message', step.message]);
        break;
      case 'snapshot_evidence':
        break;
    }
    for (const [key, template] of templates) if (template !== undefined) checkTemplate(template, source, [...at, key], report);
    before.add(step.id);
  });
}

function checkWhen(when: When, path: YamlPath, before: ReadonlySet<string>, all: ReadonlySet<string>, source: SourceRef, report: Report): void {
  if (when.step !== undefined && !before.has(when.step)) {
    const why = all.has(when.step) ? `step '${when.step}' does not come before this one` : `no step '${when.step}' in this playbook`;
    report(source, [...path, 'step'], `when.step: ${why}`);
  }
  when.all?.forEach((w, i) => checkWhen(w, [...path, 'all', i], before, all, source, report));
  when.any?.forEach((w, i) => checkWhen(w, [...path, 'any', i], before, all, source, report));
  if (when.not) checkWhen(when.not, [...path, 'not'], before, all, source, report);
}

function checkTemplate(template: string, source: SourceRef, path: YamlPath, report: Report): void {
  for (const p of placeholders(template)) {
    const problem = placeholderProblem(p);
    if (problem) report(source, path, problem);
  }
}

function checkHeaders(headers: Record<string, string>, source: SourceRef, path: YamlPath, report: Report): void {
  for (const [name, value] of Object.entries(headers)) {
    checkTemplate(value, source, [...path, name], report);
    if (SECRET_HEADER.test(name) && !placeholders(value).some((p) => p.name.startsWith('env.'))) {
      report(source, [...path, name], `header ${name}: credentials come from the environment ({{env.NAME}}), never written in playbook files`);
    }
  }
}

function forEachString(value: unknown, path: YamlPath, fn: (s: string, path: YamlPath) => void): void {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, [...path, i], fn));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) forEachString(v, [...path, k], fn);
}
