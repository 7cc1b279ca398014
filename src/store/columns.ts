import type { StoredEvent } from './store.js';
import { isoMs } from '../util/time.js';

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
  /** ISO 8601 times as the events carry them; empty in columns unpacked in the store thread, which carry `timeMs`. */
  time: string[];
  /** The times as epoch ms (NaN where one is not a time), when given instead of `time` (unpackColumns). */
  timeMs?: Float64Array;
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
  if (parts.some((p) => p.timeMs)) {
    // columns unpacked in the store thread carry their times as ms only
    out.time = [];
    out.timeMs = new Float64Array(out.n);
    let at = 0;
    for (const p of parts) {
      for (let i = 0; i < p.n; i++) out.timeMs[at + i] = p.timeMs ? p.timeMs[i] : isoMs(p.time[i]);
      at += p.n;
    }
  }
  return out;
}

/** Back to rows (backends that insert rows: ClickHouse). */
export function eventRowsOf(c: EventColumns): StoredEvent[] {
  const out: StoredEvent[] = new Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const ev = c.event[i];
    const ms = c.timeMs?.[i];
    out[i] = {
      time: ms === undefined ? c.time[i] : Number.isFinite(ms) ? new Date(ms).toISOString() : 'invalid', ...(c.host[i] === null ? {} : { host: c.host[i]! }),
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
 * value (the source file and listener of a block) as that value, anything else as the array itself.
 */
type PackedStrings = { nulls: number } | { same: string } | (string | null)[];

/**
 * The events of a part as they cross to the store thread (WorkerStore.stage): hot path (every line of `tidewatch
 * serve`). postMessage copies an array of strings one value at a time, which measured 3.3 µs of main-thread CPU per
 * line in the service for the time, host and raw columns (the times are cons strings the serializer flattens first);
 * so the raw lines go as one string with their lengths, the times as epoch ms, and the hosts as the distinct values
 * with an index per row, the typed arrays transferred, not copied (docs/BENCHMARKS.md, serve).
 */
export interface PackedColumns {
  packed: true;
  n: number;
  /** Epoch ms of each time (NaN where it is not a time): what the store writes, read here with isoMs. */
  timeMs: Float64Array;
  host: PackedStrings | { values: (string | null)[]; index: Uint16Array };
  file: PackedStrings;
  line: (number | null)[] | { nulls: number };
  listener: PackedStrings;
  event: PackedStrings;
  raw: PackedStrings | { joined: string; lengths: Int32Array };
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

/** A column of few distinct values (the hosts of a part) as those values and an index per row. */
function packDictionary(v: (string | null)[]): PackedColumns['host'] {
  const p = packStrings(v);
  if (!Array.isArray(p) || v.length < 2) return p;
  const ids = new Map<string | null, number>();
  const values: (string | null)[] = [];
  const index = new Uint16Array(v.length);
  for (let i = 0; i < v.length; i++) {
    let id = ids.get(v[i]);
    if (id === undefined) {
      if (values.length === 0xffff) return p; // as many distinct values as rows: the array itself
      id = values.length;
      values.push(v[i]);
      ids.set(v[i], id);
    }
    index[i] = id;
  }
  return { values, index };
}

function unpackDictionary(p: PackedColumns['host'], n: number): (string | null)[] {
  if (Array.isArray(p) || !('values' in p)) return unpackStrings(p, n);
  const out = new Array<string | null>(n);
  for (let i = 0; i < n; i++) out[i] = p.values[p.index[i]];
  return out;
}

/** Lines as one string and their lengths (a column holding a null stays an array). */
function packJoined(v: (string | null)[]): PackedColumns['raw'] {
  const p = packStrings(v);
  if (!Array.isArray(p) || v.length < 2) return p;
  const lengths = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (s === null) return p;
    lengths[i] = s.length;
  }
  return { joined: v.join(''), lengths };
}

function unpackJoined(p: PackedColumns['raw'], n: number): (string | null)[] {
  if (Array.isArray(p) || !('joined' in p)) return unpackStrings(p, n);
  const out = new Array<string>(n);
  for (let i = 0, at = 0; i < n; i++) {
    const end = at + p.lengths[i];
    out[i] = p.joined.slice(at, end);
    at = end;
  }
  return out;
}

export function packColumns(c: EventColumns): PackedColumns {
  const timeMs = new Float64Array(c.n);
  if (c.timeMs) timeMs.set(c.timeMs.subarray(0, c.n));
  else for (let i = 0; i < c.n; i++) timeMs[i] = isoMs(c.time[i]);
  return {
    packed: true, n: c.n, timeMs, host: packDictionary(c.host), file: packStrings(c.file),
    line: c.line.every((x) => x === null) ? { nulls: c.n } : c.line, listener: packStrings(c.listener),
    event: packStrings(c.event), raw: packJoined(c.raw), error: packStrings(c.error),
  };
}

/** The buffers of packed columns, for postMessage's transfer list (moved to the other thread, not copied). */
export function transferablesOf(p: PackedColumns): ArrayBuffer[] {
  const out = [p.timeMs.buffer as ArrayBuffer];
  if (!Array.isArray(p.host) && 'index' in p.host) out.push(p.host.index.buffer as ArrayBuffer);
  if (!Array.isArray(p.raw) && 'lengths' in p.raw) out.push(p.raw.lengths.buffer as ArrayBuffer);
  return out;
}

/** Packed columns back to columns; the times come back as epoch ms only (`timeMs`, `time` left empty). */
export function unpackColumns(p: PackedColumns): EventColumns {
  const n = p.n;
  return {
    n, time: [], timeMs: p.timeMs, host: unpackDictionary(p.host, n), file: unpackStrings(p.file, n) as string[],
    line: Array.isArray(p.line) ? p.line : new Array<null>(n).fill(null), listener: unpackStrings(p.listener, n),
    event: unpackStrings(p.event, n), raw: unpackJoined(p.raw, n), error: unpackStrings(p.error, n),
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
