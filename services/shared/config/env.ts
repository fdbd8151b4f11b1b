/**
 * Every environment variable runwatch reads, and the config key it sets. The README's
 * configuration reference and docker-compose.yml are checked against this table.
 */
export type EnvValueKind = 'string' | 'number' | 'boolean' | 'list' | 'tokens';

export interface EnvVar {
  name: string;
  /** Dotted config path. */
  path: string;
  kind: EnvValueKind;
  /** Never echoed back in an error or a log line. */
  secret?: boolean;
}

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'RUNWATCH_DATA_DIR', path: 'data_dir', kind: 'string' },
  { name: 'RUNWATCH_LOG_LEVEL', path: 'log_level', kind: 'string' },
  { name: 'KAFKA_BROKERS', path: 'kafka.brokers', kind: 'list' },
  { name: 'RUNWATCH_KAFKA_CLIENT_ID', path: 'kafka.client_id', kind: 'string' },
  { name: 'RUNWATCH_KAFKA_PARTITIONS', path: 'kafka.partitions', kind: 'number' },
  { name: 'RUNWATCH_KAFKA_REPLICATION_FACTOR', path: 'kafka.replication_factor', kind: 'number' },
  { name: 'RUNWATCH_KAFKA_COMPRESSION', path: 'kafka.compression', kind: 'string' },
  { name: 'RUNWATCH_KAFKA_SESSION_TIMEOUT_MS', path: 'kafka.session_timeout_ms', kind: 'number' },
  { name: 'RUNWATCH_KAFKA_SSL', path: 'kafka.ssl', kind: 'boolean' },
  { name: 'RUNWATCH_KAFKA_SASL_MECHANISM', path: 'kafka.sasl.mechanism', kind: 'string' },
  { name: 'RUNWATCH_KAFKA_SASL_USERNAME', path: 'kafka.sasl.username', kind: 'string' },
  { name: 'RUNWATCH_KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password', kind: 'string', secret: true },
  { name: 'CLICKHOUSE_URL', path: 'clickhouse.url', kind: 'string' },
  { name: 'RUNWATCH_CLICKHOUSE_DATABASE', path: 'clickhouse.database', kind: 'string' },
  { name: 'RUNWATCH_CLICKHOUSE_USERNAME', path: 'clickhouse.username', kind: 'string' },
  { name: 'RUNWATCH_CLICKHOUSE_PASSWORD', path: 'clickhouse.password', kind: 'string', secret: true },
  { name: 'RUNWATCH_COLLECTOR_HOST', path: 'collector.host', kind: 'string' },
  { name: 'RUNWATCH_COLLECTOR_PORT', path: 'collector.port', kind: 'number' },
  { name: 'RUNWATCH_COLLECTOR_BODY_LIMIT_BYTES', path: 'collector.body_limit_bytes', kind: 'number' },
  { name: 'RUNWATCH_COLLECTOR_MAX_EVENT_BYTES', path: 'collector.max_event_bytes', kind: 'number' },
  { name: 'RUNWATCH_COLLECTOR_TOKENS', path: 'collector.tokens', kind: 'tokens', secret: true },
  { name: 'RUNWATCH_COLLECTOR_RATE_LIMIT_MAX', path: 'collector.rate_limit.max', kind: 'number' },
  { name: 'RUNWATCH_COLLECTOR_RATE_LIMIT_WINDOW_MS', path: 'collector.rate_limit.window_ms', kind: 'number' },
  { name: 'RUNWATCH_PRODUCE_TIMEOUT_MS', path: 'collector.produce_timeout_ms', kind: 'number' },
  { name: 'RUNWATCH_SPOOL_DIR', path: 'collector.spool.dir', kind: 'string' },
  { name: 'RUNWATCH_SPOOL_MAX_BYTES', path: 'collector.spool.max_bytes', kind: 'number' },
  { name: 'RUNWATCH_RULES_DIRS', path: 'rules.dirs', kind: 'list' },
  { name: 'RUNWATCH_RULES_WATCH', path: 'rules.watch', kind: 'boolean' },
  { name: 'RUNWATCH_DETECTOR_GROUP_ID', path: 'detector.group_id', kind: 'string' },
  { name: 'RUNWATCH_DETECTOR_METRICS_HOST', path: 'detector.metrics_host', kind: 'string' },
  { name: 'RUNWATCH_DETECTOR_METRICS_PORT', path: 'detector.metrics_port', kind: 'number' },
  { name: 'RUNWATCH_EVIDENCE_GROUP_ID', path: 'evidence.group_id', kind: 'string' },
  { name: 'RUNWATCH_EVIDENCE_BATCH_ROWS', path: 'evidence.batch_rows', kind: 'number' },
  { name: 'RUNWATCH_EVIDENCE_FLUSH_MS', path: 'evidence.flush_ms', kind: 'number' },
  { name: 'RUNWATCH_EVIDENCE_RETENTION_EVENTS_DAYS', path: 'evidence.retention_days.events', kind: 'number' },
  { name: 'RUNWATCH_EVIDENCE_RETENTION_DETECTIONS_DAYS', path: 'evidence.retention_days.detections', kind: 'number' },
  { name: 'RUNWATCH_EVIDENCE_PII', path: 'evidence.redaction.pii', kind: 'string' },
  { name: 'RUNWATCH_EVIDENCE_HASH_KEY', path: 'evidence.redaction.hash_key', kind: 'string', secret: true },
  { name: 'RUNWATCH_EVIDENCE_HUNTS', path: 'evidence.hunts', kind: 'boolean' },
  { name: 'RUNWATCH_EVIDENCE_METRICS_HOST', path: 'evidence.metrics_host', kind: 'string' },
  { name: 'RUNWATCH_EVIDENCE_METRICS_PORT', path: 'evidence.metrics_port', kind: 'number' },
  { name: 'RUNWATCH_RESPONDER_GROUP_ID', path: 'responder.group_id', kind: 'string' },
  { name: 'RUNWATCH_RESPONDER_MAX_DETECTION_AGE_MS', path: 'responder.max_detection_age_ms', kind: 'number' },
  { name: 'RUNWATCH_API_HOST', path: 'api.host', kind: 'string' },
  { name: 'RUNWATCH_API_PORT', path: 'api.port', kind: 'number' },
  { name: 'RUNWATCH_API_BODY_LIMIT_BYTES', path: 'api.body_limit_bytes', kind: 'number' },
  { name: 'RUNWATCH_API_TOKENS', path: 'api.tokens', kind: 'tokens', secret: true },
  { name: 'RUNWATCH_API_RATE_LIMIT_MAX', path: 'api.rate_limit.max', kind: 'number' },
  { name: 'RUNWATCH_API_RATE_LIMIT_WINDOW_MS', path: 'api.rate_limit.window_ms', kind: 'number' },
  { name: 'RUNWATCH_API_MAX_PAGE_SIZE', path: 'api.max_page_size', kind: 'number' },
];

/** The variable that names the YAML config file. */
export const CONFIG_FILE_VAR = 'RUNWATCH_CONFIG';
