/**
 * Events in columns (src/store/columns.ts) as DuckDB data chunks: a hot path of the store thread (every event of
 * `tidewatch serve` passes here). @duckdb/node-api's `setColumns` costs about 4.3 µs per event for the 8 columns of
 * `events` (docs/BENCHMARKS.md, serve): it parses each ISO time with `Date.parse` (0.7 µs), builds a value object
 * per timestamp, and sets every item one by one, with BigInt arithmetic per item for the null mask and one native
 * call per string, also for columns that are all null or hold one value for the whole chunk (the source file and
 * listener of a block). Here the vectors are written through the bindings underneath (@duckdb/node-bindings;
 * package.json pins it and @duckdb/node-api to the same exact version, which they must share): times as one int64
 * buffer copy, null masks as one copy, a column of one value as a constant vector, and only the strings that differ
 * row to row one native call each.
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { BIGINT, DuckDBDataChunk, TIMESTAMPTZ, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import type { EventColumns } from '../columns.js';

type Bindings = typeof import('@duckdb/node-bindings');
type Vector = ReturnType<Bindings['data_chunk_get_vector']>;
const ddb = createRequire(import.meta.url)('@duckdb/node-bindings') as Bindings;

/** The columns of the `events` table, in order (src/store/duckdb/schema.ts). */
export const EVENT_TYPES: DuckDBType[] = [TIMESTAMPTZ, VARCHAR, VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR];
/** Rows per data chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/**
 * Epoch milliseconds of an ISO 8601 time. The form the parsers and the pipeline write (`toISOString`:
 * `2026-11-23T03:36:54.821Z`) is read by hand, about ten times faster than `Date.parse`; anything else (other
 * lengths or offsets, days past the 28th, which Date.UTC would roll into the next month) goes to `Date.parse`.
 */
export function isoMs(s: string): number {
  if (s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84
    && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46) {
    const d = (i: number) => {
      const v = s.charCodeAt(i) - 48;
      return v >= 0 && v <= 9 ? v : NaN;
    };
    const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const mo = d(5) * 10 + d(6), da = d(8) * 10 + d(9), h = d(11) * 10 + d(12), mi = d(14) * 10 + d(15), se = d(17) * 10 + d(18);
    const ms = d(20) * 100 + d(21) * 10 + d(22);
    // years 0-99 are left to Date.parse: Date.UTC reads them as 1900-1999 (Go's zero time, 0001-01-01, is common in
    // JSON logs)
    if (y >= 100 && mo >= 1 && mo <= 12 && da >= 1 && da <= 28 && h <= 23 && mi <= 59 && se <= 59 && ms >= 0) return Date.UTC(y, mo - 1, da, h, mi, se, ms);
  }
  return Date.parse(s);
}

/** A null mask (DuckDB's validity: one bit per row, set when valid) with every row valid, or none. */
function mask(n: number, valid: boolean): Uint8Array {
  return new Uint8Array(Math.ceil(n / 64) * 8).fill(valid ? 0xff : 0);
}

function setMask(vec: Vector, m: Uint8Array): void {
  ddb.vector_ensure_validity_writable(vec);
  ddb.copy_data_to_vector_validity(vec, 0, m.buffer as ArrayBuffer, m.byteOffset, m.byteLength);
}

function setTimes(vec: Vector, v: readonly string[], off: number, n: number): void {
  const items = new BigInt64Array(n);
  let m: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const ms = isoMs(v[off + i]);
    if (Number.isFinite(ms)) items[i] = BigInt(Math.trunc(ms)) * 1000n;
    else (m ??= mask(n, true))[i >> 3] &= ~(1 << (i & 7));
  }
  ddb.copy_data_to_vector(vec, 0, items.buffer, 0, items.byteLength);
  if (m) setMask(vec, m);
}

function setBigInts(vec: Vector, v: readonly (number | null)[], off: number, n: number): void {
  let any = false;
  for (let i = 0; i < n && !any; i++) any = v[off + i] !== null;
  if (!any) return setMask(vec, mask(n, false));
  const items = new BigInt64Array(n);
  let m: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const x = v[off + i];
    if (x !== null) items[i] = BigInt(Math.trunc(x));
    else (m ??= mask(n, true))[i >> 3] &= ~(1 << (i & 7));
  }
  ddb.copy_data_to_vector(vec, 0, items.buffer, 0, items.byteLength);
  if (m) setMask(vec, m);
}

/** Bytes of a string DuckDB keeps inside its 16-byte `duckdb_string_t` (duckdb.h): a 4-byte length, then the bytes. */
const INLINE_BYTES = 12;
const LITTLE_ENDIAN = endianness() === 'LE';
/** Short strings (host names) as the four 32-bit words of their inlined duckdb_string_t, or null when longer. */
const inlined = new Map<string, Int32Array | null>();

function inlineWords(s: string): Int32Array | null {
  let w = inlined.get(s);
  if (w === undefined) {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > INLINE_BYTES) w = null;
    else {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setUint32(0, bytes.length, true);
      b.set(bytes, 4);
      w = new Int32Array(b.buffer);
    }
    if (inlined.size >= 10_000) inlined.clear();
    inlined.set(s, w);
  }
  return w;
}

function setStrings(vec: Vector, v: readonly (string | null)[], off: number, n: number): void {
  const first = v[off];
  let same = true;
  for (let i = 1; i < n && same; i++) same = v[off + i] === first;
  if (same) {
    // all null: the mask alone; one value: a constant vector (DuckDB stores it once and appends it to every row)
    if (first === null) setMask(vec, mask(n, false));
    else ddb.vector_reference_value(vec, ddb.create_varchar(first));
    return;
  }
  let m: Uint8Array | undefined;
  // hot path: a column of short strings (the hosts of a part, each row its own) is written as the strings' inlined
  // duckdb_string_t values in one buffer copy, not one native call per row (0.4 µs each); longer values go one by one
  let first12: string | null = null;
  for (let i = 0; i < n && first12 === null; i++) first12 = v[off + i];
  if (LITTLE_ENDIAN && first12 !== null && first12.length <= INLINE_BYTES) {
    const words = new Int32Array(n * 4);
    let long: number[] | undefined;
    for (let i = 0; i < n; i++) {
      const x = v[off + i];
      if (x === null) {
        (m ??= mask(n, true))[i >> 3] &= ~(1 << (i & 7));
        continue;
      }
      const w = x.length <= INLINE_BYTES ? inlineWords(x) : null;
      if (w) words.set(w, i * 4);
      else (long ??= []).push(i);
    }
    ddb.copy_data_to_vector(vec, 0, words.buffer, 0, words.byteLength);
    if (long) for (const i of long) ddb.vector_assign_string_element(vec, i, v[off + i]!);
    if (m) setMask(vec, m);
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = v[off + i];
    if (x !== null) ddb.vector_assign_string_element(vec, i, x);
    else (m ??= mask(n, true))[i >> 3] &= ~(1 << (i & 7));
  }
  if (m) setMask(vec, m);
}

/** Events given in columns as DuckDB data chunks of up to 2048 rows, in the column order of `events`. */
export function eventChunks(c: EventColumns): DuckDBDataChunk[] {
  const out: DuckDBDataChunk[] = [];
  for (let off = 0; off < c.n; off += CHUNK_ROWS) {
    const n = Math.min(c.n, off + CHUNK_ROWS) - off;
    const chunk = DuckDBDataChunk.create(EVENT_TYPES, n);
    const vec = (i: number) => ddb.data_chunk_get_vector(chunk.chunk, i);
    setTimes(vec(0), c.time, off, n);
    setStrings(vec(1), c.host, off, n);
    setStrings(vec(2), c.file, off, n);
    setBigInts(vec(3), c.line, off, n);
    setStrings(vec(4), c.listener, off, n);
    setStrings(vec(5), c.event, off, n);
    setStrings(vec(6), c.raw, off, n);
    setStrings(vec(7), c.error, off, n);
    out.push(chunk);
  }
  return out;
}
