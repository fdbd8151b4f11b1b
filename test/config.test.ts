// Configuration: defaults, YAML file, environment; a bad value names the key and its source.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../services/shared/config/load.js';
import { ConfigError } from '../services/shared/errors.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rw-config-')), 'runwatch.yaml');
  writeFileSync(file, text);
  return file;
}

describe('config', () => {
  test('defaults are the embedded mode on loopback', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.collector.port, 8700);
    assert.equal(c.api.port, 8701);
    assert.equal(c.collector.host, '127.0.0.1');
    assert.deepEqual(c.kafka.brokers, []);
    assert.equal(c.clickhouse.url, null);
    assert.equal(c.collector.body_limit_bytes, 8 * 1024 * 1024);
    assert.ok(c.collector.spool.dir!.endsWith('/data/spool'));
  });

  test('environment overrides the file, which overrides defaults', () => {
    const file = yamlFile('collector:\n  port: 9000\n  host: 0.0.0.0\nkafka:\n  partitions: 3\n');
    const c = loadConfig({ file, env: { RUNWATCH_COLLECTOR_PORT: '9100', KAFKA_BROKERS: 'k1:9092, k2:9092', CLICKHOUSE_URL: 'http://ch:8123' } });
    assert.equal(c.collector.port, 9100);
    assert.equal(c.collector.host, '0.0.0.0');
    assert.equal(c.kafka.partitions, 3);
    assert.deepEqual(c.kafka.brokers, ['k1:9092', 'k2:9092']);
    assert.equal(c.clickhouse.url, 'http://ch:8123');
  });

  test('tokens from the environment: tenant:token and tenant:sha256:<hex>', () => {
    const c = loadConfig({ env: { RUNWATCH_COLLECTOR_TOKENS: `acme:${'a'.repeat(20)},globex:sha256:${'b'.repeat(64)}` } });
    assert.deepEqual(c.collector.tokens, [{ tenant: 'acme', token: 'a'.repeat(20) }, { tenant: 'globex', sha256: 'b'.repeat(64) }]);
  });

  test('a bad env value names the key and the variable', () => {
    assert.throws(() => loadConfig({ env: { RUNWATCH_COLLECTOR_PORT: '80a' } }), (err: ConfigError) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'config: collector.port (env RUNWATCH_COLLECTOR_PORT): expected a number, got "80a"');
      return true;
    });
    assert.throws(() => loadConfig({ env: { RUNWATCH_COLLECTOR_PORT: '70000' } }), /config: collector\.port \(env RUNWATCH_COLLECTOR_PORT\): /);
    assert.throws(() => loadConfig({ env: { KAFKA_BROKERS: 'no-port' } }), /config: kafka\.brokers\[0\] \(env KAFKA_BROKERS\): host:port/);
  });

  test('a bad file value names the key and its line:column; unknown keys are refused', () => {
    const file = yamlFile('log_level: info\nkafka:\n  partitons: 3\ncollector:\n  port: "x"\n');
    assert.throws(() => loadConfig({ file, env: {} }), (err: Error) => {
      assert.match(err.message, new RegExp(`config: kafka\\.partitons \\(${file}:3:3\\): unknown field`));
      assert.match(err.message, new RegExp(`config: collector\\.port \\(${file}:5:3\\): `));
      return true;
    });
  });

  test('a secret value is never echoed back in an error', () => {
    assert.throws(() => loadConfig({ env: { RUNWATCH_COLLECTOR_TOKENS: 'acme:short' } }), (err: Error) => {
      assert.match(err.message, /collector\.tokens\[0\]\.token/);
      assert.ok(!err.message.includes('short'), err.message);
      return true;
    });
  });

  test('YAML syntax errors say where', () => {
    const file = yamlFile('collector:\n  port: [1,\n');
    assert.throws(() => loadConfig({ file, env: {} }), /config: .*runwatch\.yaml: .*line 3/s);
  });
});
