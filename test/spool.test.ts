// The collector's disk spool on its own: what survives a crash, what is refused, what is set aside.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Spool, decodeSegment, encodeSegment } from '../services/collector/spool.js';
import { SpoolFullError } from '../services/shared/errors.js';
import type { OutgoingRecord } from '../services/shared/bus/types.js';

const rec = (i: number): OutgoingRecord => ({ topic: 'runwatch.telemetry.v1', key: `t:a${i}`, value: Buffer.from(`value ${i}`), headers: { h: 'v' }, timestamp: 1000 + i });
const dir = () => mkdtempSync(join(tmpdir(), 'rw-spool-'));

test('segments encode and decode records exactly, null key and tombstone included', () => {
  const records = [rec(1), { topic: 'x', key: null, value: null, headers: {}, timestamp: 5 }];
  assert.deepEqual(decodeSegment(encodeSegment(records)), records);
});

test('segments come back oldest first, across a reopen', async () => {
  const d = dir();
  const spool = await Spool.open(d, 1 << 20);
  await spool.append([rec(1)]);
  await spool.append([rec(2), rec(3)]);
  const reopened = await Spool.open(d, 1 << 20);
  assert.equal(reopened.segments, 2);
  assert.equal(reopened.usedBytes, spool.usedBytes);
  const first = await reopened.oldest();
  assert.deepEqual(first!.records, [rec(1)]);
  await reopened.remove(first!.seq);
  assert.deepEqual((await reopened.oldest())!.records, [rec(2), rec(3)]);
  await reopened.append([rec(4)]);
  await reopened.remove((await reopened.oldest())!.seq);
  assert.deepEqual((await reopened.oldest())!.records, [rec(4)]);
});

test('a write a crash interrupted (.tmp) was never acknowledged and is cleared on open', async () => {
  const d = dir();
  writeFileSync(join(d, 'seg-0000000000000007.bin.tmp'), 'partial');
  const spool = await Spool.open(d, 1 << 20);
  assert.equal(spool.segments, 0);
  assert.deepEqual(readdirSync(d), []);
});

test('an append that does not fit is refused whole, and the spool stays usable', async () => {
  const spool = await Spool.open(dir(), 200);
  await spool.append([rec(1)]);
  await assert.rejects(spool.append([rec(2), rec(3), rec(4), rec(5)]), SpoolFullError);
  assert.equal(spool.segments, 1);
});

test('a corrupt segment is set aside as .corrupt for inspection, not replayed', async () => {
  const d = dir();
  const spool = await Spool.open(d, 1 << 20);
  await spool.append([rec(1)]);
  const file = join(d, readdirSync(d)[0]!);
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  writeFileSync(file, bytes);
  const reopened = await Spool.open(d, 1 << 20);
  await assert.rejects(reopened.oldest(), /corrupt/);
  assert.equal(reopened.isEmpty, true);
  assert.ok(readdirSync(d).some((f) => f.endsWith('.corrupt')));
});
