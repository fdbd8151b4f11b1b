-- Every accepted telemetry event, one row each. The filter columns hold '' where the event
-- has null (sorting keys cannot be Nullable); `event` keeps the whole event, exactly as the
-- collector accepted it after redaction, for faithful replay and for the API's answers.
CREATE TABLE IF NOT EXISTS {database:Identifier}.events
(
    event_id        String,
    ts              DateTime64(3, 'UTC'),
    received_at     DateTime64(3, 'UTC'),
    tenant          LowCardinality(String),
    app             LowCardinality(String),
    env             LowCardinality(String),
    agent_id        String,
    session_id      String,
    trace_id        String,
    span_id         String,
    parent_span_id  String,
    user_id         String,
    key_id          String,
    source_ip       String,
    kind            LowCardinality(String),
    model           LowCardinality(String),
    provider        LowCardinality(String),
    prompt_text     String CODEC(ZSTD(3)),
    output_text     String CODEC(ZSTD(3)),
    finish_reason   LowCardinality(String),
    input_tokens    Nullable(UInt64),
    output_tokens   Nullable(UInt64),
    retrieval_query String CODEC(ZSTD(3)),
    document_ids    Array(String),
    document_sources Array(LowCardinality(String)),
    tool_name       LowCardinality(String),
    tool_call_id    String,
    tool_arguments  String CODEC(ZSTD(3)),
    tool_result     String CODEC(ZSTD(3)),
    tool_status     LowCardinality(String),
    tool_target     String CODEC(ZSTD(3)),
    attributes      Map(String, String) CODEC(ZSTD(3)),
    redactions      UInt32,
    event           String CODEC(ZSTD(3)),
    INDEX event_id_bf event_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX key_id_bf key_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX trace_id_bf trace_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX ts_minmax ts TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, agent_id, session_id, ts, event_id)
SETTINGS non_replicated_deduplication_window = 10000
