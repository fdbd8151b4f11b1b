// `runwatch rules lint|test|schema` on the default pack and on broken files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../services/shared/paths.js';

const BIN = join(PROJECT_ROOT, 'bin', 'runwatch.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'rules', ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 60_000 });

describe('the default rule pack', () => {
  test('lints clean', () => {
    const r = run('lint');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\d+ file\(s\), \d+ rule\(s\), \d+ test\(s\): 0 error\(s\)/);
  });

  test('passes its own tests', () => {
    const r = run('test');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const [, passed, failed] = /(\d+) passed, (\d+) failed/.exec(r.stdout)!;
    assert.equal(failed, '0');
    assert.ok(Number(passed) >= 20, `only ${passed} rule tests`);
  });

  test('rules/schema.json is the schema the code generates', () => {
    const r = run('schema');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(readFileSync(join(PROJECT_ROOT, 'rules', 'schema.json'), 'utf8')));
  });
});

describe('lint points at the line and column of each mistake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-lint-'));
  writeFileSync(
    join(dir, 'bad.yaml'),
    [
      'kind: rule',
      'id: r.one',
      'name: One',
      'version: 1',
      'severity: urgent',
      'match:',
      '  all:',
      '    - { tool_call.nmae: x }',
      '    - { macro: nope }',
      '    - { field: output.text, regex: "(unclosed" }',
      '---',
      'kind: rule',
      'id: r.two',
      'name: Two',
      'version: 1',
      'severity: low',
      'match: { detect: mind_reader }',
      'colour: blue',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'syntax.yaml'), 'kind: rule\nid: [unclosed\n');

  test('every mistake reported as file:line:col, exit code 1', () => {
    const r = run('lint', dir);
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    const expect = [
      /bad\.yaml:5:11: error: severity: /,
      /bad\.yaml:18:1: error: colour: unknown field/,
      /syntax\.yaml:\d+:\d+: error: YAML: /,
    ];
    for (const re of expect) assert.ok(lines.some((l) => re.test(l)), `no line matches ${re}:\n${r.stderr}`);
  });

  test('semantic mistakes in a file that parses: unknown field, macro, detector, bad regex', () => {
    writeFileSync(join(dir, 'bad.yaml'), readFileSync(join(dir, 'bad.yaml'), 'utf8').replace('severity: urgent', 'severity: high').replace('colour: blue', ''));
    const r = run('lint', dir);
    assert.equal(r.status, 1);
    for (const re of [
      /bad\.yaml:8:9: error: tool_call\.nmae: unknown field 'nmae'/,
      /bad\.yaml:9:9: error: unknown macro 'nope'/,
      /bad\.yaml:10:29: error: regex does not compile/,
      /bad\.yaml:17:10: error: unknown detector 'mind_reader'/,
    ]) {
      assert.ok(r.stderr.split('\n').some((l) => re.test(l)), `no line matches ${re}:\n${r.stderr}`);
    }
  });
});
