/**
 * Structured logs (pino). Redaction is not optional: anything that can carry a credential is
 * censored at the logger, so no call site can leak one by accident.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino censors wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.tokens',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'config.kafka.sasl.password',
  'config.clickhouse.password',
  'config.collector.tokens',
  'config.api.tokens',
  'hash_key',
  '*.hash_key',
  'config.evidence.redaction.hash_key',
];

export function createLogger(options: { level?: string; name?: string } = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'runwatch',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
