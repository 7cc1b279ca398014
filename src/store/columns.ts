import type { StoredEvent } from './store.js';

/**
 * A batch of events column by column, as plain strings and numbers: the form in which the live pipeline collects
 * events and hands them to the store thread (src/store/duckdb/worker-store.ts). A hot path: each event is serialized
 * once, with JSON.stringify, right after detection, so the parsed object dies young instead of being held (and
 * copied by the garbage collector) until its batch is committed; arrays of strings also cross a thread boundary much
 * more cheaply than nested objects.
 */
export interface EventColumns {
  n: number;
  /** ISO 8601 times as the events carry them (parsed in the store thread). */
  time: string[];
  host: (string | null)[];
  file: string[];
  line: (number | null)[];
  listener: (string | null)[];
  event: (string | null)[];
  raw: (string | null)[];
  error: (string | null)[];
}

export function eventColumnsOf(rows: readonly StoredEvent[]): EventColumns {
  const n = rows.length;
  const c: EventColumns = {
    n, time: new Array<string>(n), host: new Array<string | null>(n), file: new Array<string>(n), line: new Array<number | null>(n),
    listener: new Array<string | null>(n), event: new Array<string | null>(n), raw: new Array<string | null>(n), error: new Array<string | null>(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    c.time[i] = r.time;
    c.host[i] = r.host ?? null;
    c.file[i] = r.source.file;
    c.line[i] = r.source.line ?? null;
    c.listener[i] = r.source.listener ?? null;
    c.event[i] = r.event === undefined ? null : JSON.stringify(r.event);
    c.raw[i] = r.raw ?? null;
    c.error[i] = r.error ?? null;
  }
  return c;
}

export function emptyEventColumns(): EventColumns {
  return { n: 0, time: [], host: [], file: [], line: [], listener: [], event: [], raw: [], error: [] };
}

/** Appends one event (`event` already serialized, or null when the line did not parse). */
export function pushEvent(
  c: EventColumns, time: string, host: string | null, file: string, listener: string | null, event: string | null, raw: string | null, error: string | null,
): void {
  c.time.push(time);
  c.host.push(host);
  c.file.push(file);
  c.line.push(null);
  c.listener.push(listener);
  c.event.push(event);
  c.raw.push(raw);
  c.error.push(error);
  c.n++;
}

/** The events of a batch given in rows, columns, or both (rows first). */
export function batchColumns(events: readonly StoredEvent[], columns?: EventColumns): EventColumns {
  if (!columns) return eventColumnsOf(events);
  if (!events.length) return columns;
  return concatColumns([eventColumnsOf(events), columns]);
}

export function concatColumns(parts: readonly EventColumns[]): EventColumns {
  if (parts.length === 1) return parts[0];
  const out = emptyEventColumns();
  for (const p of parts) {
    out.n += p.n;
    for (const k of ['time', 'host', 'file', 'line', 'listener', 'event', 'raw', 'error'] as const) (out[k] as unknown[]).push(...p[k]);
  }
  return out;
}

/** Back to rows (backends that insert rows: ClickHouse). */
export function eventRowsOf(c: EventColumns): StoredEvent[] {
  const out: StoredEvent[] = new Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const ev = c.event[i];
    out[i] = {
      time: c.time[i], host: c.host[i] ?? undefined,
      source: { file: c.file[i], ...(c.line[i] === null ? {} : { line: c.line[i]! }), ...(c.listener[i] === null ? {} : { listener: c.listener[i]! }) },
      ...(ev === null ? {} : { event: JSON.parse(ev) as StoredEvent['event'] }),
      ...(c.raw[i] === null ? {} : { raw: c.raw[i]! }),
      ...(c.error[i] === null ? {} : { error: c.error[i]! }),
    };
  }
  return out;
}
