-- Copies of an incident's events a playbook's snapshot_evidence step took, kept as long as
-- detections (the events table's own retention is usually shorter).
CREATE TABLE IF NOT EXISTS {database:Identifier}.snapshots
(
    detection_id String,
    taken_at     DateTime64(3, 'UTC'),
    tenant       LowCardinality(String),
    event_id     String,
    ts           DateTime64(3, 'UTC'),
    evidence     Bool,
    event        String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(taken_at)
ORDER BY (tenant, detection_id, ts, event_id)
