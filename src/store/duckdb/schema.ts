/** DuckDB DDL. Each statement is idempotent; they run in order at open. */
export const DUCKDB_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS events (
     time TIMESTAMPTZ, host VARCHAR, src_file VARCHAR, src_line BIGINT, listener VARCHAR,
     event JSON, raw VARCHAR, error VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS flows (
     exporter VARCHAR, time_start TIMESTAMPTZ, time_end TIMESTAMPTZ, src_ip VARCHAR, dst_ip VARCHAR,
     src_port INTEGER, dst_port INTEGER, protocol SMALLINT, bytes UBIGINT, packets UBIGINT,
     input_if INTEGER, output_if INTEGER, tcp_flags SMALLINT, version SMALLINT, sampling_rate INTEGER)`,
  `CREATE TABLE IF NOT EXISTS alerts (
     id VARCHAR PRIMARY KEY, time TIMESTAMPTZ, detector VARCHAR, rule_id VARCHAR, severity VARCHAR,
     severity_rank SMALLINT, device VARCHAR, doc JSON)`,
  `CREATE TABLE IF NOT EXISTS incidents (
     id VARCHAR PRIMARY KEY, state VARCHAR, severity VARCHAR, severity_rank SMALLINT,
     first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, devices VARCHAR[], doc JSON)`,
  `CREATE TABLE IF NOT EXISTS docs (kind VARCHAR, key VARCHAR, doc JSON, updated TIMESTAMPTZ, PRIMARY KEY (kind, key))`,
];
