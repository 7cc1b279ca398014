/** DuckDB DDL. Each statement is idempotent; they run in order at open. */
export const DUCKDB_SCHEMA: readonly string[] = [
  // event and raw compress with FSST only: letting DuckDB try every string compression at each checkpoint cost about
  // a third more CPU per event for the same size (docs/BENCHMARKS.md, serve)
  `CREATE TABLE IF NOT EXISTS events (
     time TIMESTAMPTZ, host VARCHAR, src_file VARCHAR, src_line BIGINT, listener VARCHAR,
     event JSON USING COMPRESSION fsst, raw VARCHAR USING COMPRESSION fsst, error VARCHAR)`,
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
  // STIX objects imported as threat intel (indicators, observables, actors, relationships...), one row per id:
  // the newest version wins. Indicator fields are columns so the matcher loads without parsing every document.
  `CREATE TABLE IF NOT EXISTS intel_objects (
     id VARCHAR PRIMARY KEY, type VARCHAR, modified VARCHAR, modified_ms DOUBLE, source VARCHAR, added_us BIGINT,
     revoked BOOLEAN, valid_from_ms DOUBLE, valid_until_ms DOUBLE, confidence INTEGER, hash VARCHAR,
     pattern VARCHAR, name VARCHAR, labels JSON, attack JSON, actors JSON, tlp VARCHAR, doc JSON)`,
  `CREATE TABLE IF NOT EXISTS intel_staging AS SELECT * FROM intel_objects LIMIT 0`,
  // TAXII 2.1 collections served by `tidewatch serve`: every version of every object, with the date it was added
  // (microseconds since the epoch, unique per object so paging by date never skips one).
  `CREATE TABLE IF NOT EXISTS taxii_objects (
     collection VARCHAR, id VARCHAR, version VARCHAR, type VARCHAR, spec_version VARCHAR, date_added_us BIGINT,
     doc JSON, PRIMARY KEY (collection, id, version))`,
  `CREATE TABLE IF NOT EXISTS docs (kind VARCHAR, key VARCHAR, doc JSON, updated TIMESTAMPTZ, PRIMARY KEY (kind, key))`,
];
