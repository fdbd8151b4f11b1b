-- Every detection, from stream rules and scheduled hunts alike. `evidence` is the JSON list
-- of detector findings (field, offsets, label) inside the detection's events.
CREATE TABLE IF NOT EXISTS {database:Identifier}.detections
(
    detection_id     String,
    rule_id          LowCardinality(String),
    rule_version     UInt32,
    severity         LowCardinality(String),
    ts               DateTime64(3, 'UTC'),
    detected_at      DateTime64(3, 'UTC'),
    tenant           LowCardinality(String),
    agent_id         String,
    session_id       String,
    key_id           String,
    user_id          String,
    group_key        String,
    event_ids        Array(String),
    window_start     DateTime64(3, 'UTC'),
    window_end       DateTime64(3, 'UTC'),
    summary          String CODEC(ZSTD(3)),
    tags             Array(LowCardinality(String)),
    playbooks        Array(LowCardinality(String)),
    evidence         String CODEC(ZSTD(3)),
    suppressed_count UInt32,
    INDEX detection_id_bf detection_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX agent_id_bf agent_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX session_id_bf session_id TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, detection_id)
SETTINGS non_replicated_deduplication_window = 10000
