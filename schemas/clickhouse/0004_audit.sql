-- Who did what through the operator API or the CLI: reads of evidence included, since
-- evidence holds what users typed into AI systems.
CREATE TABLE IF NOT EXISTS {database:Identifier}.audit
(
    audit_id  String,
    ts        DateTime64(3, 'UTC'),
    actor     String,
    tenant    LowCardinality(String),
    via       LowCardinality(String),
    action    LowCardinality(String),
    target    String,
    params    String CODEC(ZSTD(3)),
    status    UInt16,
    source_ip String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, audit_id)
