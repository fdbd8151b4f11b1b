/** The Kafka cluster of this test run: KAFKA_BROKERS, which test/run.ts sets when it starts one. */
export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the Kafka tests through `npm test`, which starts a broker');
  return brokers.split(',').map((b) => b.trim()).filter(Boolean);
}
