// The embedded bus places a key on the partition Kafka's default partitioner would.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import fc from 'fast-check';
import { murmur2, partitionFor } from '../services/shared/bus/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

test('murmur2 matches kafkajs (the Java client) for any key', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (key) => {
      assert.equal(murmur2(Buffer.from(key)), kafkajsMurmur2(Buffer.from(key)));
    }),
    { numRuns: 2000 },
  );
});

test('keys map to stable partitions in range', () => {
  for (const key of ['default:bot-1', 'acme:', 'x']) {
    const p = partitionFor(key, 6);
    assert.ok(p >= 0 && p < 6);
    assert.equal(partitionFor(key, 6), p);
  }
});
