/**
 * The ceiling for a detector worker: a kafkajs consumer of runwatch.telemetry.v1 that reads
 * every message and does nothing with it (same client, same fetch settings as runwatch's bus:
 * one batch at a time, offsets committed per batch). Its own process, like the worker:
 * `node --import tsx bench/noop-consumer.ts <brokers> <events>` prints one JSON line.
 */
import kafkajs from 'kafkajs';
import { TOPICS } from '../services/shared/bus/topics.js';

const [brokers = '', wanted = '0'] = process.argv.slice(2);
const total = Number(wanted);
const kafka = new kafkajs.Kafka({ clientId: 'bench-noop', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `bench-noop-${Date.now()}`, maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topics: [TOPICS.telemetry], fromBeginning: true });
let seen = 0;
let first = 0;
const done = new Promise<number>((resolve) => {
  void consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      if (batch.messages.length === 0) return;
      first ||= performance.now();
      seen += batch.messages.length;
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      if (seen >= total) resolve(performance.now());
    },
  });
});
const ended = await done;
await consumer.disconnect();
process.stdout.write(`${JSON.stringify({ events: seen, events_per_s: Math.round(seen / ((ended - first) / 1000)) })}\n`);
