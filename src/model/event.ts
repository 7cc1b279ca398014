/**
 * The normalized event every parser produces (syslog, TACACS+ accounting, jump-host logs, JSON Lines).
 * Field names are documented in docs/EVENTS.md; Sigma pipelines in rules/pipelines/ map onto them.
 * `time` is ISO 8601 UTC. Any further field a line carries is added by name (flat, dotted names allowed).
 */
export interface Event {
  time?: string;
  host?: string;
  facility?: number;
  severity?: number;
  program?: string;
  mnemonic?: string;
  message?: string;
  [field: string]: unknown;
}

/** Where an event, finding or alert came from: an input file (or listener name) and a 1-based line. */
export interface SourceRef {
  file: string;
  line?: number;
  /** For alerts over a period: every contributing line. */
  lines?: number[];
}

/** One parsed input line: the event, or the reason it could not be parsed. */
export type ParsedLine =
  | { source: SourceRef; event: Event }
  | { source: SourceRef; error: string };
