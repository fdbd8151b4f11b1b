/**
 * Everything runwatch can be configured with. Defaults are the embedded mode on loopback;
 * setting kafka.brokers / clickhouse.url switches to the distributed engines.
 * Sources, lowest precedence first: these defaults, the YAML file, environment variables
 * (env.ts lists them all).
 */
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const bytes = z.number().int().positive();

/** collector.max_event_bytes: under Kafka's default message.max.bytes (1048588) with room for the record's framing. */
export const DEFAULT_MAX_EVENT_BYTES = 900 * 1024;

/**
 * A bearer token bound to a tenant. Give the token itself, or only its SHA-256 (hex) so the
 * config file never holds it: `printf %s "$TOKEN" | sha256sum`.
 */
export const TokenSchema = z
  .object({
    tenant: z.string().regex(/^(\*|[A-Za-z0-9._-]+)$/, 'a tenant name, or * for every tenant'),
    token: z.string().min(16, 'at least 16 characters').optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters').optional(),
  })
  .strict()
  .refine((t) => (t.token === undefined) !== (t.sha256 === undefined), 'give exactly one of token or sha256');

export type TokenConfig = z.infer<typeof TokenSchema>;

/**
 * What happens to personal data before it is stored: `keep` it, `mask` it (`[PII:email]`), or
 * `hash` it with HMAC-SHA256 under `hash_key` (`[PII:email:3fa1…]`: equal values stay joinable
 * without being readable). Secrets are masked always. `tenants` overrides `pii` per tenant.
 */
const piiMode = z.enum(['keep', 'mask', 'hash']);
export const RedactionSchema = z
  .object({
    pii: piiMode.default('mask'),
    hash_key: z.string().min(16, 'at least 16 characters').nullable().default(null),
    tenants: z.record(z.string(), z.object({ pii: piiMode }).strict()).default({}),
  })
  .strict()
  .refine(
    (r) => r.hash_key !== null || (r.pii !== 'hash' && Object.values(r.tenants).every((t) => t.pii !== 'hash')),
    { message: 'pii: hash needs evidence.redaction.hash_key (RUNWATCH_EVIDENCE_HASH_KEY)', path: ['hash_key'] },
  );

export type RedactionConfig = z.infer<typeof RedactionSchema>;

/**
 * At most `max` requests per `window_ms` for each caller (its token, or its address on a server
 * without tokens) and route; over it, 429 with Retry-After. `max: 0` sets no limit.
 * /healthz and /metrics are never limited.
 */
const rateLimit = (max: number) =>
  z
    .object({
      max: z.number().int().min(0).default(max),
      window_ms: z.number().int().min(100).max(3_600_000).default(1000),
    })
    .strict()
    .prefault({});

export type RateLimitConfig = z.infer<ReturnType<typeof rateLimit>>;

export const ConfigSchema = z
  .object({
    data_dir: z.string().min(1).default('./data'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    kafka: z
      .object({
        brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port')).default([]),
        client_id: z.string().min(1).default('runwatch'),
        partitions: z.number().int().min(1).max(10000).default(6),
        replication_factor: z.number().int().min(1).max(16).default(1),
        // none, as Kafka's own producer default: gzip halves collector throughput on a busy CPU (BENCHMARKS.md).
        compression: z.enum(['none', 'gzip']).default('none'),
        /** A consumer silent this long leaves its group and its partitions move to the others. */
        session_timeout_ms: z.number().int().min(6000).max(300_000).default(30_000),
        ssl: z.boolean().default(false),
        sasl: z
          .object({
            mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
            username: z.string().min(1),
            password: z.string().min(1),
          })
          .strict()
          .nullable()
          .default(null),
      })
      .strict()
      .prefault({}),
    clickhouse: z
      .object({
        url: z.url({ protocol: /^https?$/ }).nullable().default(null),
        database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('runwatch'),
        username: z.string().default('default'),
        password: z.string().default(''),
      })
      .strict()
      .prefault({}),
    collector: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8700),
        body_limit_bytes: bytes.default(8 * 1024 * 1024),
        /**
         * Largest single event, Avro-encoded (what goes to Kafka); larger ones are rejected in the
         * 207 and dead-lettered. Under Kafka's default message.max.bytes (1 MB) so an accepted
         * event always fits; raise it only with the broker's / topics' limits (README).
         */
        max_event_bytes: bytes.min(1024).default(DEFAULT_MAX_EVENT_BYTES),
        tokens: z.array(TokenSchema).default([]),
        /**
         * Off by default: throttling telemetry loses it for a client that does not retry, and the
         * spool already pushes back; set it where untrusted or shared clients send (README).
         */
        rate_limit: rateLimit(0),
        /** How long a produce may take before the events go to the spool instead. */
        produce_timeout_ms: z.number().int().min(100).max(120_000).default(5000),
        spool: z
          .object({
            /** Default: <data_dir>/spool. */
            dir: z.string().min(1).nullable().default(null),
            max_bytes: bytes.default(1024 * 1024 * 1024),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    rules: z
      .object({
        /** Rule pack folders, loaded together; default: the pack that ships in rules/. */
        dirs: z.array(z.string().min(1)).default([]),
        /** Reload changed rule files without restarting (a bad change keeps the running rules). */
        watch: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    detector: z
      .object({
        group_id: z.string().min(1).default('runwatch-detector'),
        /** /healthz and /metrics of a standalone detector worker; 0 serves none. */
        metrics_host: z.string().min(1).default('127.0.0.1'),
        metrics_port: port.default(8702),
      })
      .strict()
      .prefault({}),
    evidence: z
      .object({
        group_id: z.string().min(1).default('runwatch-evidence'),
        /** An insert goes out when this many rows wait, or when the oldest waited flush_ms. */
        batch_rows: z.number().int().min(1).max(1_000_000).default(5000),
        flush_ms: z.number().int().min(10).max(60_000).default(500),
        /** Days each table keeps its rows (ClickHouse TTL); 0 keeps them forever. */
        retention_days: z
          .object({
            events: z.number().int().min(0).max(36_500).default(90),
            detections: z.number().int().min(0).max(36_500).default(365),
            actions: z.number().int().min(0).max(36_500).default(365),
            audit: z.number().int().min(0).max(36_500).default(730),
          })
          .strict()
          .prefault({}),
        redaction: RedactionSchema.prefault({}),
        /** Run the scheduled hunts (kind: hunt) here; with several writers, one may be enough. */
        hunts: z.boolean().default(true),
        /** /healthz and /metrics of a standalone evidence writer; 0 serves none. */
        metrics_host: z.string().min(1).default('127.0.0.1'),
        metrics_port: port.default(8703),
      })
      .strict()
      .prefault({}),
    responder: z
      .object({
        group_id: z.string().min(1).default('runwatch-responder'),
        /**
         * Detections older than this are recorded but start no playbook: a responder deployed
         * (or back) after a long time does not quarantine on last week's history.
         */
        max_detection_age_ms: z.number().int().min(1000).default(3_600_000),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8701),
        body_limit_bytes: bytes.default(1024 * 1024),
        tokens: z.array(TokenSchema).default([]),
        /** Every read is a ClickHouse query: 100/s per token is far above a person or a script, and bounds a runaway one. */
        rate_limit: rateLimit(100),
        /** Largest `limit` a list endpoint accepts. */
        max_page_size: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
