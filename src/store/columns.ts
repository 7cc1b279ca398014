import type { StoredEvent } from './store.js';

/**
 * A batch of events column by column, as plain strings and numbers: the form in which the live pipeline collects
 * events and hands them to the store thread (src/store/duckdb/worker-store.ts). A hot path: each event goes into
 * the columns right after detection (the live service keeps the line as it came and the indexed fields, not the
 * parsed event: src/serve/stored-events.ts), so the parsed object dies young instead of being held (and copied by
 * the garbage collector) until its batch is committed; arrays of strings also cross a thread boundary much more
 * cheaply than nested objects. Rows given as StoredEvent objects (insertEvents) keep their event, as JSON text.
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
      time: c.time[i], ...(c.host[i] === null ? {} : { host: c.host[i]! }),
      source: { file: c.file[i], ...(c.line[i] === null ? {} : { line: c.line[i]! }), ...(c.listener[i] === null ? {} : { listener: c.listener[i]! }) },
      ...(ev === null ? {} : { event: JSON.parse(ev) as StoredEvent['event'] }),
      ...(c.raw[i] === null ? {} : { raw: c.raw[i]! }),
      ...(c.error[i] === null ? {} : { error: c.error[i]! }),
    };
  }
  return out;
}

/**
 * A string column as it crosses to the store thread: a column of nulls goes as its length, a column of one repeated
 * value (the source file and listener of a block) as that value, anything else as the array itself. (postMessage
 * copies an array of strings at about 0.3 µs a value; joining the strings into one first measured ten times slower.)
 */
type PackedStrings = { nulls: number } | { same: string } | (string | null)[];

export interface PackedColumns {
  packed: true;
  n: number;
  time: PackedStrings;
  host: PackedStrings;
  file: PackedStrings;
  line: (number | null)[] | { nulls: number };
  listener: PackedStrings;
  event: PackedStrings;
  raw: PackedStrings;
  error: PackedStrings;
}

function packStrings(v: (string | null)[]): PackedStrings {
  if (!v.length) return v;
  const first = v[0];
  for (let i = 1; i < v.length; i++) if (v[i] !== first) return v;
  return first === null ? { nulls: v.length } : { same: first };
}

function unpackStrings(p: PackedStrings, n: number): (string | null)[] {
  if (Array.isArray(p)) return p;
  if ('nulls' in p) return new Array<null>(n).fill(null);
  return new Array<string>(n).fill(p.same);
}

export function packColumns(c: EventColumns): PackedColumns {
  return {
    packed: true, n: c.n, time: packStrings(c.time), host: packStrings(c.host), file: packStrings(c.file),
    line: c.line.every((x) => x === null) ? { nulls: c.n } : c.line, listener: packStrings(c.listener),
    event: c.event, raw: packStrings(c.raw), error: packStrings(c.error),
  };
}

export function unpackColumns(p: PackedColumns): EventColumns {
  const n = p.n;
  return {
    n, time: unpackStrings(p.time, n) as string[], host: unpackStrings(p.host, n), file: unpackStrings(p.file, n) as string[],
    line: Array.isArray(p.line) ? p.line : new Array<null>(n).fill(null), listener: unpackStrings(p.listener, n),
    event: unpackStrings(p.event, n), raw: unpackStrings(p.raw, n), error: unpackStrings(p.error, n),
  };
}

/** Event columns packed for another thread (packColumns) are unpacked; anything else is returned as it is. */
export function unpackIfPacked(v: unknown): unknown {
  if (v && typeof v === 'object' && (v as { packed?: unknown }).packed === true) return unpackColumns(v as PackedColumns);
  if (v && typeof v === 'object' && !Array.isArray(v) && (v as { events?: { packed?: unknown } }).events?.packed === true) {
    return { ...(v as object), events: unpackColumns((v as { events: PackedColumns }).events) };
  }
  return v;
}
