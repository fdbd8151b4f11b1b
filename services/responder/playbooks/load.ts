/**
 * Reads playbook files: every *.yaml / *.yml under the playbook folders (by default the
 * `playbooks/` folder of each rule folder), each holding `---`-separated documents of kind
 * `playbook`, `provider`, `safety` or `playbook_test`. Every mistake is a Problem at
 * file:line:col, the same as rule lint's; lint.ts adds the checks across documents.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, type Document } from 'yaml';
import { documentValue, linePositions, type Problem, type SourceRef } from '../../shared/rules/load.js';
import { explainIssue, offsetOf } from './positions.js';
import { PLAYBOOK_KINDS, schemaOfKind, type PlaybookDoc, type PlaybookTestDoc, type ProviderDoc, type SafetyDoc } from './schema.js';

export type { Problem, SourceRef } from '../../shared/rules/load.js';

/** A document and where it stands, for problems found after parsing. */
export interface Sourced<T> {
  doc: T;
  source: SourceRef;
}

/** Every valid document of the loaded files, by kind, in file order. */
export interface PlaybookSet {
  playbooks: Array<Sourced<PlaybookDoc>>;
  providers: Array<Sourced<ProviderDoc>>;
  /** All safety documents (lint refuses more than one); the first one applies. */
  safety: Array<Sourced<SafetyDoc>>;
  tests: Array<Sourced<PlaybookTestDoc>>;
}

export interface PlaybookLoad {
  set: PlaybookSet;
  problems: Problem[];
  files: string[];
}

const emptySet = (): PlaybookSet => ({ playbooks: [], providers: [], safety: [], tests: [] });

/** The playbook folders of rule folders: each one's `playbooks/`, when it exists. */
export function playbookDirsOf(ruleDirs: readonly string[]): string[] {
  return ruleDirs.map((d) => join(d, 'playbooks')).filter((d) => existsSync(d));
}

/** YAML files of a folder and its sub-folders, sorted; dot-folders are skipped. */
export function playbookFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!name.startsWith('.')) out.push(...playbookFiles(path));
    } else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

export function loadPlaybookDirs(dirs: readonly string[]): PlaybookLoad {
  const result: PlaybookLoad = { set: emptySet(), problems: [], files: [] };
  for (const file of dirs.flatMap(playbookFiles)) {
    const one = loadPlaybookText(readFileSync(file, 'utf8'), relative(process.cwd(), file) || file);
    merge(result, one);
  }
  return result;
}

/** Parses one file's text; `file` only names positions. */
export function loadPlaybookText(text: string, file: string): PlaybookLoad {
  const pos = linePositions(text);
  const result: PlaybookLoad = { set: emptySet(), problems: [], files: [file] };
  const documents = parseAllDocuments(text, { prettyErrors: false });
  if (!Array.isArray(documents)) return result; // an empty file
  for (const document of documents as Document.Parsed[]) {
    const error = (p: { line: number; col: number }, message: string) => result.problems.push({ file, ...p, severity: 'error', message });
    const syntax = document.errors[0];
    if (syntax) {
      // The first syntax error only: the ones after it are usually its echoes.
      error(pos(syntax.pos[0]), `YAML: ${syntax.message.split('\n')[0]!}`);
      continue;
    }
    if (document.contents === null) continue; // an empty document, e.g. a trailing `---`
    const at: SourceRef['at'] = (path, point = 'key') => pos(offsetOf(document, path, point));
    const source: SourceRef = { file, ...at([]), at };
    const value = documentValue(document);
    if ('error' in value) {
      error(pos(value.offset), value.error);
      continue;
    }
    const raw = value.value;
    const kind = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).kind : undefined;
    const schema = schemaOfKind(kind);
    if (!schema) {
      const where = kind === undefined ? at(['kind']) : at(['kind'], 'value');
      error(where, kind === undefined ? `kind: Required (one of ${PLAYBOOK_KINDS.join(', ')})` : `kind: must be one of ${PLAYBOOK_KINDS.join(', ')}`);
      continue;
    }
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        for (const { path, message, point } of explainIssue(issue)) error(at(path, point), message);
      }
      continue;
    }
    add(result.set, parsed.data as PlaybookDoc | ProviderDoc | SafetyDoc | PlaybookTestDoc, source);
  }
  return result;
}

function add(set: PlaybookSet, doc: PlaybookDoc | ProviderDoc | SafetyDoc | PlaybookTestDoc, source: SourceRef): void {
  switch (doc.kind) {
    case 'playbook':
      set.playbooks.push({ doc, source });
      break;
    case 'provider':
      set.providers.push({ doc, source });
      break;
    case 'safety':
      set.safety.push({ doc, source });
      break;
    case 'playbook_test':
      set.tests.push({ doc, source });
      break;
  }
}

export function merge(into: PlaybookLoad, from: PlaybookLoad): void {
  into.files.push(...from.files);
  into.problems.push(...from.problems);
  into.set.playbooks.push(...from.set.playbooks);
  into.set.providers.push(...from.set.providers);
  into.set.safety.push(...from.set.safety);
  into.set.tests.push(...from.set.tests);
}
