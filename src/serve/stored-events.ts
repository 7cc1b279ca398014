/**
 * How the live service stores a syslog line, and how its parsed event is had back. A hot path on the write side:
 * the pipeline stores each accepted line as it came (`raw`, with the indexed columns time, host, source and
 * listener), not the parsed event as JSON, which was about 3.5 times the bytes and the largest share of the store's
 * CPU per event (docs/BENCHMARKS.md, serve). Parsers are pure, so the event is derived again on read from the raw
 * line, the listener and the stored time, and comes out the same as the one the detectors saw (tested on the corpus
 * in test/serve/stored-events.test.ts). Alerts keep their own copy of the evidence (secrets redacted) and never
 * depend on this.
 */
import type { Event } from '../model/event.js';
import { parseLine } from '../parsers/index.js';
import type { LineParser } from './pipeline.js';

/** The line parser of the live service (single process and collectors). */
export const parseLiveLine: LineParser = (line, ctx) => parseLine(line, { refMs: ctx.refMs, file: ctx.source });

/** A row of the events table, as far as deriving its event goes. */
export interface StoredEventRow {
  /** The event's time (ISO 8601), or when the line was received if it carried none. */
  time: string;
  /** The listener the line came in on (`syslog-tcp`, ...). */
  listener?: string | null;
  /** The parsed event, for rows written with one (older databases, `insertEvents` callers), as JSON text or object. */
  event?: string | Event | null;
  raw?: string | null;
  /** Set when the line did not parse: the row has no event. */
  error?: string | null;
}

/**
 * The parsed event of a stored row: its `event` column when it has one, else the raw line parsed again as the
 * pipeline parsed it. A line's stamp without a year is placed relative to the time it was received; the stored time
 * (the stamp read with that year) is used instead, which yields the same year. Undefined for rows that did not
 * parse, or hold something other than a syslog line (NetFlow datagrams stored raw).
 */
export function storedEventOf(row: StoredEventRow): Event | undefined {
  if (row.event !== undefined && row.event !== null) return typeof row.event === 'string' ? (JSON.parse(row.event) as Event) : row.event;
  if (row.error !== undefined && row.error !== null) return undefined;
  if (typeof row.raw !== 'string' || !row.listener?.startsWith('syslog')) return undefined;
  const refMs = Date.parse(row.time);
  const r = parseLiveLine(row.raw, { refMs: Number.isFinite(refMs) ? refMs : Date.now(), peer: '', source: row.listener });
  return r.event;
}
