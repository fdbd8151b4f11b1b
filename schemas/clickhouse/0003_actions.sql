-- One row per state change of one playbook step (runwatch.actions.v1).
CREATE TABLE IF NOT EXISTS {database:Identifier}.actions
(
    action_id    String,
    detection_id String,
    playbook_id  LowCardinality(String),
    step_index   UInt16,
    step         LowCardinality(String),
    status       LowCardinality(String),
    attempt      UInt16,
    ts           DateTime64(3, 'UTC'),
    tenant       LowCardinality(String),
    target       String,
    dry_run      Bool,
    actor        String,
    detail       String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, detection_id, ts, action_id)
SETTINGS non_replicated_deduplication_window = 10000
