/**
 * ClickHouse schema for the scale-out store. Written for the oldest server we test (Debian's 18.16): no TTL
 * clauses (retention drops old day partitions instead, see ClickHouseStore.applyRetention), no DateTime64
 * (times are epoch milliseconds in UInt64 beside a Date partition column), no query parameters (literals are
 * quoted by src/store/clickhouse/sql.ts).
 *
 * Ordering keys follow the console's and API's access paths: events by device and time, flows by exporter and
 * time, alerts and incidents by id (ReplacingMergeTree collapses re-inserted rows, so an alert delivered twice by
 * the bus is stored once; reads use FINAL).
 */
export function clickhouseSchema(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.events (
       day Date, ts UInt64, host String, src_file String, src_line UInt64, listener String,
       event String, raw String, error String
     ) ENGINE = MergeTree() PARTITION BY day ORDER BY (host, ts)`,
    `CREATE TABLE IF NOT EXISTS ${db}.flows (
       day Date, ts_start UInt64, ts_end UInt64, exporter String, src_ip String, dst_ip String,
       src_port UInt16, dst_port UInt16, protocol UInt8, bytes UInt64, packets UInt64,
       input_if UInt32, output_if UInt32, tcp_flags UInt8, version UInt8, sampling_rate UInt32
     ) ENGINE = MergeTree() PARTITION BY day ORDER BY (exporter, ts_start)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alerts (
       day Date, ts UInt64, id String, detector String, rule_id String, severity String, severity_rank UInt8,
       device String, doc String
     ) ENGINE = ReplacingMergeTree() PARTITION BY day ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${db}.incidents (
       id String, version UInt64, state String, severity String, severity_rank UInt8,
       first_seen UInt64, last_seen UInt64, devices Array(String), doc String
     ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${db}.docs (
       kind String, key String, version UInt64, deleted UInt8, doc String
     ) ENGINE = ReplacingMergeTree(version) ORDER BY (kind, key)`,
    // Threat intel (STIX objects by id, newest `version` = insert order wins) and TAXII collection contents.
    `CREATE TABLE IF NOT EXISTS ${db}.intel_objects (
       id String, version UInt64, type String, modified String, modified_us UInt64, source String, added_us UInt64,
       revoked UInt8, valid_from_ms Nullable(Float64), valid_until_ms Nullable(Float64), confidence Nullable(Int32),
       hash String, pattern Nullable(String), name Nullable(String), labels String, attack String, actors String,
       tlp Nullable(String), doc String
     ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${db}.taxii_objects (
       collection String, id String, version String, version_us UInt64, type String, spec_version String,
       date_added_us UInt64, doc String
     ) ENGINE = ReplacingMergeTree() ORDER BY (collection, id, version)`,
    // Materialized per-minute aggregates for the console's time series.
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.alerts_per_minute
       ENGINE = SummingMergeTree() PARTITION BY day ORDER BY (minute, detector, severity)
       AS SELECT day, intDiv(ts, 60000) * 60000 AS minute, detector, severity, toUInt64(1) AS alerts
       FROM ${db}.alerts`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.flows_per_minute
       ENGINE = SummingMergeTree() PARTITION BY day ORDER BY (minute, exporter)
       AS SELECT day, intDiv(ts_start, 60000) * 60000 AS minute, exporter, bytes, packets, toUInt64(1) AS flows
       FROM ${db}.flows`,
  ];
}
