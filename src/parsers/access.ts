/**
 * Access-audit readers: JSON Lines and CSV rows mapped onto the normalized AccessEvent by a declarative
 * field mapping (data in rules/access/*.yml, docs/ACCESS.md). One physical line in, one result out, so the
 * same parser serves whole files, tailed files and stdin; a row that does not map is an error naming the line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  ACCESS_ACTIONS, ADMIN_CHANGES, isAccessAction, isAdminChange,
  type AccessEvent, type Warrant,
} from '../model/access.js';

export class AccessMappingError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/** How one model field is taken from a row. A plain string is shorthand for `{ field: "..." }`. */
export interface FieldSpec {
  /** Source field (JSON: a dotted path; CSV: a column name); with a list, the first one present wins. */
  field?: string | string[];
  /** A constant. */
  value?: string | number;
  /** Translates source values (compared case-insensitively); `"*"` catches every value not listed. */
  map?: Record<string, string>;
  /** Used when the source has no value. */
  default?: string | number;
  /** Splits a string into a list (targets); a list of separators is allowed. */
  split?: string | string[];
  /** Time only: `iso` (default), `epoch_s`, `epoch_ms`, or a pattern of YYYY MM DD HH mm ss SSS. */
  format?: string;
  /** Time only: UTC offset (`+01:00`, `-0500`, `Z`) for stamps that carry none. Default UTC. */
  timezone?: string;
}

export const MAPPED_FIELDS = [
  'time', 'system', 'operator', 'src_host', 'src_ip', 'action', 'targets', 'case_ref', 'records', 'bytes', 'result',
  'change', 'account', 'role',
] as const;
type MappedField = (typeof MAPPED_FIELDS)[number];

export interface AccessMapping {
  name: string;
  description?: string;
  format: 'jsonl' | 'csv';
  csv?: { delimiter?: string; header?: boolean; columns?: string[] };
  fields: Partial<Record<MappedField, string | string[] | FieldSpec>>;
  /** Where the mapping came from (a file, or `builtin:NAME`). */
  source?: string;
}

/** The mapping for the model's own JSON Lines form: every field by its own name. */
export const NATIVE_JSONL: AccessMapping = {
  name: 'jsonl', format: 'jsonl', source: 'builtin:jsonl',
  description: 'Tidewatch access-audit JSON Lines: one AccessEvent per line, by the model\'s own names.',
  fields: Object.fromEntries(MAPPED_FIELDS.map((f) => [f, f === 'targets' ? { field: f, split: ';' } : f])),
};

/** The mapping for CSV with a header row naming the model's fields (targets separated by `;`). */
export const NATIVE_CSV: AccessMapping = {
  ...NATIVE_JSONL, name: 'csv', format: 'csv', source: 'builtin:csv', csv: { delimiter: ',', header: true },
  description: 'CSV with a header row of the model\'s own field names; several targets separated by ";".',
};

/** rules/access of the installed package (dist/src/parsers -> repository root). */
export function accessRulesDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return join(d, 'rules', 'access');
}

const SPEC_KEYS = new Set(['field', 'value', 'map', 'default', 'split', 'format', 'timezone']);

/** Validates a parsed mapping document; throws AccessMappingError naming the problem. */
export function mappingFromObject(raw: unknown, file: string): AccessMapping {
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new AccessMappingError(file, 'a mapping must be a YAML mapping');
  const name = typeof o.name === 'string' ? o.name : file;
  const format = o.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new AccessMappingError(file, '`format` must be jsonl or csv');
  const fields = o.fields as Record<string, unknown>;
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw new AccessMappingError(file, '`fields` must be a mapping of model field to source');
  for (const [k, v] of Object.entries(fields)) {
    if (!(MAPPED_FIELDS as readonly string[]).includes(k)) throw new AccessMappingError(file, `\`fields.${k}\` is not a model field (one of ${MAPPED_FIELDS.join(', ')})`);
    if (typeof v === 'string') continue;
    if (Array.isArray(v)) {
      if (!v.length || !v.every((x) => typeof x === 'string')) throw new AccessMappingError(file, `\`fields.${k}\` as a list must list field names`);
      continue;
    }
    if (!v || typeof v !== 'object') throw new AccessMappingError(file, `\`fields.${k}\` must be a field name, a list of them, or a mapping`);
    for (const key of Object.keys(v)) if (!SPEC_KEYS.has(key)) throw new AccessMappingError(file, `\`fields.${k}.${key}\` is not a field option (one of ${[...SPEC_KEYS].join(', ')})`);
    const s = v as FieldSpec;
    if (s.field === undefined && s.value === undefined && s.default === undefined) throw new AccessMappingError(file, `\`fields.${k}\` needs field, value or default`);
    if (s.map !== undefined && (typeof s.map !== 'object' || Array.isArray(s.map))) throw new AccessMappingError(file, `\`fields.${k}.map\` must be a mapping`);
    if (k === 'time' && s.timezone !== undefined && parseOffset(s.timezone) === undefined) throw new AccessMappingError(file, `\`fields.time.timezone\` "${s.timezone}" is not a UTC offset like +01:00`);
    if (k === 'action' && s.map) {
      for (const [from, to] of Object.entries(s.map)) if (!isAccessAction(to)) throw new AccessMappingError(file, `\`fields.action.map\`: "${from}" maps to "${to}", which is not an action (${ACCESS_ACTIONS.join(', ')})`);
    }
    if (k === 'change' && s.map) {
      for (const [from, to] of Object.entries(s.map)) if (!isAdminChange(to) && to !== '') throw new AccessMappingError(file, `\`fields.change.map\`: "${from}" maps to "${to}", which is not a change (${ADMIN_CHANGES.join(', ')})`);
    }
  }
  for (const req of ['time', 'operator', 'action'] as const) if (!fields[req]) throw new AccessMappingError(file, `\`fields.${req}\` is required`);
  const csv = o.csv as AccessMapping['csv'];
  if (format === 'csv' && csv?.header === false && !csv.columns?.length) throw new AccessMappingError(file, 'a CSV mapping without a header row needs `csv.columns`');
  return { name, description: typeof o.description === 'string' ? o.description : undefined, format, csv, fields: fields as AccessMapping['fields'], source: file };
}

/**
 * Loads a mapping by name (`jsonl`, `csv`, or a file in rules/access without `.yml`) or by path.
 * Throws AccessMappingError for a file that is missing or does not validate.
 */
export function loadAccessMapping(nameOrPath: string): AccessMapping {
  if (nameOrPath === 'jsonl') return NATIVE_JSONL;
  if (nameOrPath === 'csv') return NATIVE_CSV;
  let file = nameOrPath;
  if (!existsSync(file)) {
    const builtin = join(accessRulesDir(), `${nameOrPath}.yml`);
    if (!/[/\\]/.test(nameOrPath) && existsSync(builtin)) file = builtin;
    else throw new AccessMappingError(nameOrPath, 'mapping not found (give a file, or one of: jsonl, csv, or a name in rules/access/)');
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AccessMappingError(file, `not valid YAML: ${(e as Error).message}`);
  }
  return mappingFromObject(raw, resolve(file) === resolve(nameOrPath) ? nameOrPath : file);
}

/** The default mapping for a file: CSV by extension (`.csv`, `.csv.gz`), JSON Lines otherwise. */
export function defaultMappingFor(path: string): AccessMapping {
  return /\.csv(\.gz)?$/i.test(path) ? NATIVE_CSV : NATIVE_JSONL;
}

// ---------------------------------------------------------------------------------------------------------------
// Time parsing

function parseOffset(tz: string): number | undefined {
  if (tz === 'Z' || tz === 'UTC' || tz === 'utc') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz.trim());
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

type TimeParser = (v: unknown) => number | undefined;

function compileTime(spec: FieldSpec): TimeParser {
  const fmt = spec.format ?? 'iso';
  const offset = spec.timezone ? parseOffset(spec.timezone)! : 0;
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN);
  if (fmt === 'epoch_s') return (v) => { const n = num(v); return Number.isFinite(n) ? Math.round(n * 1000) : undefined; };
  if (fmt === 'epoch_ms') return (v) => { const n = num(v); return Number.isFinite(n) ? Math.round(n) : undefined; };
  if (fmt === 'iso') {
    return (v) => {
      if (typeof v !== 'string') return undefined;
      const s = v.trim();
      // RFC 3339 / ISO 8601 with a date and time; a stamp without zone gets the mapping's timezone
      const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/.exec(s);
      if (!m) return undefined;
      const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
      const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, ms);
      if (!validParts(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0)) return undefined;
      const off = m[8] ? parseOffset(m[8].toUpperCase()) : offset;
      return off === undefined ? undefined : t - off;
    };
  }
  // pattern: YYYY MM DD HH mm ss SSS, anything else literal
  const order: string[] = [];
  const re = new RegExp('^' + fmt.replace(/YYYY|MM|DD|HH|mm|ss|SSS|[.*+?^${}()|[\]\\]/g, (tok) => {
    if (tok.length === 1 || !/^[YMDHmsS]+$/.test(tok)) return '\\' + tok;
    order.push(tok);
    return tok === 'YYYY' ? '(\\d{4})' : tok === 'SSS' ? '(\\d{1,3})' : '(\\d{1,2})';
  }) + '$');
  return (v) => {
    if (typeof v !== 'string') return undefined;
    const m = re.exec(v.trim());
    if (!m) return undefined;
    const p: Record<string, number> = { YYYY: 1970, MM: 1, DD: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
    order.forEach((tok, i) => { p[tok] = Number(m[i + 1]); });
    if (!validParts(p.YYYY, p.MM, p.DD, p.HH, p.mm, p.ss)) return undefined;
    return Date.UTC(p.YYYY, p.MM - 1, p.DD, p.HH, p.mm, p.ss, p.SSS) - offset;
  };
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

// ---------------------------------------------------------------------------------------------------------------
// Field compilation

type Row = Record<string, unknown>;
type Getter = (row: Row) => unknown;

function pathGetter(path: string): Getter {
  const parts = path.split('.');
  if (parts.length === 1) return (row) => row[path];
  return (row) => {
    if (path in row) return row[path]; // a flat key with dots (CSV headers like "actor.user")
    let cur: unknown = row;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Row)[p];
    }
    return cur;
  };
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function compileField(spec: string | string[] | FieldSpec): { get: Getter; spec: FieldSpec } {
  const s: FieldSpec = typeof spec === 'string' || Array.isArray(spec) ? { field: spec } : spec;
  const fields = s.field === undefined ? [] : Array.isArray(s.field) ? s.field : [s.field];
  const getters = fields.map(pathGetter);
  const map = s.map ? new Map(Object.entries(s.map).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
  const get: Getter = (row) => {
    let v: unknown = s.value;
    for (const g of getters) {
      const x = g(row);
      if (present(x)) { v = x; break; }
    }
    if (!present(v)) v = s.default;
    if (map && present(v) && typeof v !== 'object') {
      const m = map.get(String(v).toLowerCase()) ?? map.get('*');
      if (m !== undefined) v = m;
    }
    return v;
  };
  return { get, spec: s };
}

/** A mapping compiled into functions, applied to one row (a JSON object or a CSV record by column). */
export class CompiledMapping {
  private readonly f: Partial<Record<MappedField, Getter>> = {};
  private readonly time: TimeParser;
  private readonly split: string[];
  private readonly timeFormat: string;
  constructor(readonly mapping: AccessMapping) {
    for (const [k, v] of Object.entries(mapping.fields)) this.f[k as MappedField] = compileField(v!).get;
    const ts = mapping.fields.time!;
    this.time = compileTime(typeof ts === 'string' || Array.isArray(ts) ? {} : ts);
    this.timeFormat = typeof ts === 'object' && !Array.isArray(ts) && ts.format && ts.format !== 'iso' ? ts.format : 'ISO 8601';
    const tg = mapping.fields.targets;
    const sp = tg && typeof tg !== 'string' && !Array.isArray(tg) ? tg.split : undefined;
    this.split = sp === undefined ? [';'] : Array.isArray(sp) ? sp : [sp];
  }

  /** Maps a row to an event, or returns the reason it does not map. */
  apply(row: Row): AccessEvent | string {
    const f = this.f;
    const rawTime = f.time!(row);
    if (!present(rawTime)) return 'no time';
    const t = this.time(rawTime);
    if (t === undefined || !Number.isFinite(t) || Math.abs(t) > 8.64e15) return `time "${clip(rawTime)}" is not a valid ${this.timeFormat} time`;
    const operator = str(f.operator!(row));
    if (!operator) return 'no operator';
    const action = str(f.action!(row));
    if (!action) return 'no action';
    if (!isAccessAction(action)) return `action "${clip(action)}" is not one of ${ACCESS_ACTIONS.join(', ')} (map it in the mapping)`;
    const system = str(f.system?.(row));
    if (!system) return 'no system';
    const ev: AccessEvent = { time: new Date(t).toISOString(), system, operator, action, targets: [], result: action === 'login_failed' ? 'failure' : 'success' };
    const srcHost = str(f.src_host?.(row));
    if (srcHost) ev.src_host = srcHost;
    const srcIp = str(f.src_ip?.(row));
    if (srcIp) ev.src_ip = srcIp;
    const tv = f.targets?.(row);
    if (present(tv)) {
      if (Array.isArray(tv)) {
        for (const x of tv) {
          if (typeof x === 'string' || typeof x === 'number') { const s = String(x).trim(); if (s) ev.targets.push(s); }
          else return 'targets must be a list of strings';
        }
      } else if (typeof tv === 'string' || typeof tv === 'number') {
        let parts = [String(tv)];
        for (const sep of this.split) parts = parts.flatMap((p) => p.split(sep));
        for (const p of parts) { const s = p.trim(); if (s) ev.targets.push(s); }
      } else return 'targets must be a list or a string';
    }
    const caseRef = str(f.case_ref?.(row));
    if (caseRef) ev.case_ref = caseRef;
    for (const k of ['records', 'bytes'] as const) {
      const v = f[k]?.(row);
      if (!present(v)) continue;
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < 0) return `${k} "${clip(v)}" is not a non-negative number`;
      ev[k] = n;
    }
    const result = str(f.result?.(row));
    if (result) {
      const r = result.toLowerCase();
      if (r === 'success' || r === 'failure') ev.result = r;
      else return `result "${clip(result)}" is not success or failure (map it in the mapping)`;
    }
    const change = str(f.change?.(row));
    if (change) ev.change = isAdminChange(change) ? change : 'other';
    const account = str(f.account?.(row));
    if (account) ev.account = account;
    const role = str(f.role?.(row));
    if (role) ev.role = role;
    return ev;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') { const s = v.trim(); return s || undefined; }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function clip(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Line-at-a-time parser

export type AccessParseResult = { line: number; event: AccessEvent } | { line: number; error: string };

const MAX_CSV_RECORD_LINES = 200;

/**
 * Parses one physical line at a time (files, tails, stdin). Returns a result per row, or null for lines that are
 * no row (blank, the CSV header, or the first lines of a quoted CSV field that spans lines). Never throws on input.
 */
export class AccessLineParser {
  private readonly m: CompiledMapping;
  private readonly csv: boolean;
  private readonly delimiter: string;
  private columns?: string[];
  private pending?: { text: string; line: number; count: number };
  private first = true;

  constructor(readonly mapping: AccessMapping) {
    this.m = new CompiledMapping(mapping);
    this.csv = mapping.format === 'csv';
    this.delimiter = mapping.csv?.delimiter ?? ',';
    if (this.csv && mapping.csv?.header === false) this.columns = mapping.csv.columns;
    else if (this.csv && mapping.csv?.columns?.length && mapping.csv.header === undefined) this.columns = mapping.csv.columns;
  }

  line(text: string, no: number, oversized = false): AccessParseResult | null {
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (oversized) {
      this.pending = undefined;
      return { line: no, error: 'line too long (cut); not parsed' };
    }
    if (!this.csv) {
      if (!text.trim()) return null;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch (e) {
        return { line: no, error: `not valid JSON: ${(e as Error).message}` };
      }
      if (!row || typeof row !== 'object' || Array.isArray(row)) return { line: no, error: 'not a JSON object' };
      const ev = this.m.apply(row as Row);
      return typeof ev === 'string' ? { line: no, error: ev } : { line: no, event: ev };
    }
    // CSV: a record continues over lines while a quoted field is open
    let record = text;
    let line = no;
    if (this.pending) {
      record = `${this.pending.text}\n${text}`;
      line = this.pending.line;
      this.pending.count++;
      if (this.pending.count > MAX_CSV_RECORD_LINES) {
        this.pending = undefined;
        return { line, error: `unterminated quoted field (over ${MAX_CSV_RECORD_LINES} lines); record dropped` };
      }
    }
    if (quotesOpen(record)) {
      this.pending = { text: record, line, count: this.pending?.count ?? 1 };
      return null;
    }
    this.pending = undefined;
    if (!record.trim()) return null;
    let cells: string[];
    try {
      cells = this.cells(record);
    } catch (e) {
      return { line, error: `not valid CSV: ${(e as Error).message.replace(/\s+/g, ' ')}` };
    }
    if (!this.columns) {
      this.columns = cells.map((c) => c.trim());
      return null;
    }
    if (cells.length !== this.columns.length) return { line, error: `expected ${this.columns.length} columns, found ${cells.length}` };
    const row: Row = {};
    for (let i = 0; i < cells.length; i++) row[this.columns[i]] = cells[i];
    const ev = this.m.apply(row);
    return typeof ev === 'string' ? { line, error: ev } : { line, event: ev };
  }

  /** At end of input: a quoted field still open is an error. */
  end(): AccessParseResult | null {
    if (!this.pending) return null;
    const line = this.pending.line;
    this.pending = undefined;
    return { line, error: 'unterminated quoted field at end of input' };
  }

  private cells(record: string): string[] {
    // Fast path for the common record without quotes (exactly RFC 4180 for unquoted fields); csv-parse otherwise.
    if (!record.includes('"')) return record.split(this.delimiter);
    const rows = parseCsv(record, { delimiter: this.delimiter, relax_column_count: true, relax_quotes: false, skip_empty_lines: false }) as string[][];
    return rows[0] ?? [];
  }
}

function quotesOpen(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n % 2 === 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Warrant register

export class WarrantFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/**
 * Parses a warrant register: JSON `[{"case_ref","targets":[...],"valid_from","valid_until","operators":[...]}]`
 * or CSV with a header `case_ref,targets,valid_from,valid_until,operators` (lists separated by `;`).
 * Every entry is validated; a bad one is an error naming the entry (JSON index or CSV line).
 */
export function parseWarrants(text: string, file: string): Warrant[] {
  const t = text.replace(/^\ufeff/, '');
  const trimmed = t.trimStart();
  const out: Warrant[] = [];
  const iso = compileTime({});
  const check = (o: Record<string, unknown>, where: string) => {
    const case_ref = str(o.case_ref);
    if (!case_ref) throw new WarrantFileError(file, `${where}: no case_ref`);
    const list = (v: unknown, k: string): string[] => {
      if (v === undefined || v === null || v === '') return [];
      if (typeof v === 'string') return v.split(';').map((x) => x.trim()).filter(Boolean);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map((x) => String(x).trim()).filter(Boolean);
      throw new WarrantFileError(file, `${where}: ${k} must be a list of strings`);
    };
    const targets = list(o.targets, 'targets');
    if (!targets.length) throw new WarrantFileError(file, `${where} (${case_ref}): no targets`);
    const when = (k: 'valid_from' | 'valid_until') => {
      const v = iso(o[k]) ?? (typeof o[k] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(o[k] as string) ? Date.parse(`${o[k]}T00:00:00Z`) + (k === 'valid_until' ? 86_400_000 - 1 : 0) : undefined);
      if (v === undefined || Number.isNaN(v)) throw new WarrantFileError(file, `${where} (${case_ref}): ${k} "${clip(o[k])}" is not an ISO 8601 time or date`);
      return v;
    };
    const from = when('valid_from');
    const until = when('valid_until');
    if (until < from) throw new WarrantFileError(file, `${where} (${case_ref}): valid_until is before valid_from`);
    out.push({ case_ref, targets, valid_from: new Date(from).toISOString(), valid_until: new Date(until).toISOString(), operators: list(o.operators, 'operators') });
  };
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch (e) {
      throw new WarrantFileError(file, `not valid JSON: ${(e as Error).message}`);
    }
    const arr = Array.isArray(doc) ? doc : (doc as Record<string, unknown>).warrants;
    if (!Array.isArray(arr)) throw new WarrantFileError(file, 'a JSON warrant register is a list of warrants');
    arr.forEach((o, i) => {
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new WarrantFileError(file, `entry ${i}: not an object`);
      check(o as Record<string, unknown>, `entry ${i}`);
    });
    return out;
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(t, { relax_column_count: false, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof rows;
  } catch (e) {
    throw new WarrantFileError(file, `not valid CSV: ${(e as Error).message}`);
  }
  if (!rows.length) return out;
  const header = rows[0].record.map((h) => h.toLowerCase());
  for (const k of ['case_ref', 'targets', 'valid_from', 'valid_until']) {
    if (!header.includes(k)) throw new WarrantFileError(file, `the CSV header needs a \`${k}\` column (has: ${header.join(', ')})`);
  }
  for (const r of rows.slice(1)) {
    const o: Record<string, unknown> = {};
    header.forEach((h, j) => { o[h] = r.record[j]; });
    check(o, `line ${r.info.lines}`);
  }
  return out;
}
