/**
 * Access monitoring wiring: audit files -> mapped events -> learning (models into the store) or checking
 * (AccessMonitor -> alerts). Library functions shared by `tidewatch access`, the live service and the drill scorer.
 */
import { readFile } from 'node:fs/promises';
import type { AccessEvent, Warrant } from '../model/access.js';
import type { SourceRef } from '../model/event.js';
import type { Store } from '../store/store.js';
import { openInput, readLineBatches } from '../sources/lines.js';
import {
  AccessLineParser, defaultMappingFor, loadAccessMapping, parseWarrants, type AccessMapping,
} from '../parsers/access.js';
import { learnAccessModels, usualHours, type AccessModelSet, type ModelParams, type OperatorModel } from '../detectors/access/model.js';

export { AccessMonitor, DEFAULT_RULE_PARAMS } from '../detectors/access/monitor.js';
export type { AccessMonitorOptions, AccessRuleParams, AccessSiteFacts } from '../detectors/access/monitor.js';
export { WarrantRegister, normalizeTarget, maskTarget } from '../detectors/access/warrants.js';
export { accessAlertRecord } from '../detectors/access/alerts.js';
export { DEFAULT_MODEL_PARAMS } from '../detectors/access/model.js';
export type { AccessModelSet, ModelParams, OperatorModel } from '../detectors/access/model.js';
export { loadAccessMapping, AccessLineParser } from '../parsers/access.js';
export type { AccessMapping } from '../parsers/access.js';

export interface AccessRecord {
  event: AccessEvent;
  source: SourceRef;
}

export interface AccessReadError {
  source: SourceRef;
  error: string;
}

export interface AccessReadResult {
  records: AccessRecord[];
  /** The first `maxErrors` rows that did not map (with file and line); `counts.errors` has them all. */
  errors: AccessReadError[];
  counts: { files: number; lines: number; events: number; errors: number; per_file: { file: string; events: number; errors: number }[] };
}

function resolveMapping(path: string, mapping?: AccessMapping | string): AccessMapping {
  if (!mapping) return defaultMappingFor(path);
  return typeof mapping === 'string' ? loadAccessMapping(mapping) : mapping;
}

/**
 * Reads access-audit rows from one file (`-` for stdin; gzip detected) in batches. A row that does not map
 * comes out as an error naming the line; reading goes on. Missing or unreadable files throw (naming the file).
 */
export async function* iterateAccessFile(path: string, mapping?: AccessMapping | string): AsyncGenerator<(AccessRecord | AccessReadError)[]> {
  const parser = new AccessLineParser(resolveMapping(path, mapping));
  let input;
  try {
    input = await openInput(path);
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  for await (const batch of readLineBatches(input)) {
    const out: (AccessRecord | AccessReadError)[] = [];
    for (const l of batch) {
      const r = parser.line(l.text, l.no, l.oversized);
      if (!r) continue;
      if ('event' in r) out.push({ event: r.event, source: { file: path, line: r.line } });
      else out.push({ error: r.error, source: { file: path, line: r.line } });
    }
    if (out.length) yield out;
  }
  const end = parser.end();
  if (end && 'error' in end) yield [{ error: end.error, source: { file: path, line: end.line } }];
}

/**
 * Reads every file fully. With `mapping` (a mapping, or a name/path for `loadAccessMapping`) every file uses it;
 * without, `.csv` files use the native CSV mapping and others the native JSON Lines one.
 * Records come back sorted by event time (stable, so each file's order is kept for equal times).
 */
export async function readAccessFiles(paths: readonly string[], mapping?: AccessMapping | string, opts: { maxErrors?: number; sort?: boolean } = {}): Promise<AccessReadResult> {
  const maxErrors = opts.maxErrors ?? 1000;
  const res: AccessReadResult = { records: [], errors: [], counts: { files: 0, lines: 0, events: 0, errors: 0, per_file: [] } };
  const m = typeof mapping === 'string' ? loadAccessMapping(mapping) : mapping;
  for (const p of paths) {
    const pf = { file: p, events: 0, errors: 0 };
    res.counts.files++;
    for await (const batch of iterateAccessFile(p, m)) {
      for (const r of batch) {
        if ('event' in r) {
          res.records.push(r);
          pf.events++;
        } else {
          pf.errors++;
          if (res.errors.length < maxErrors) res.errors.push(r);
        }
        if (r.source.line && r.source.line > res.counts.lines) res.counts.lines = r.source.line;
      }
    }
    res.counts.events += pf.events;
    res.counts.errors += pf.errors;
    res.counts.per_file.push(pf);
  }
  if (opts.sort !== false) sortByTime(res.records);
  return res;
}

/** Stable sort by event time (ISO strings of one form sort as text; parsed to be safe with offsets). */
export function sortByTime(records: AccessRecord[]): void {
  const keyed = records.map((r, i) => ({ r, i, t: Date.parse(r.event.time) }));
  keyed.sort((a, b) => a.t - b.t || a.i - b.i);
  for (let i = 0; i < keyed.length; i++) records[i] = keyed[i].r;
}

/** Learns the per-operator behaviour models from history (events or read records). */
export function learnModels(events: Iterable<AccessEvent | AccessRecord>, params: Partial<ModelParams> = {}, now = new Date()): AccessModelSet {
  function* evs() {
    for (const x of events) yield 'event' in x && 'source' in x ? (x as AccessRecord).event : (x as AccessEvent);
  }
  return learnAccessModels(evs(), params, now);
}

/** Loads a warrant register file (JSON or CSV, detected from the content). Throws WarrantFileError naming the problem. */
export async function loadWarrants(path: string): Promise<Warrant[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseWarrants(text, path);
}

// ---- models in the store (documents of kind `access-model`: one per operator plus `_meta`)

const DOC_KIND = 'access-model';
const META = '_meta';

interface ModelMeta extends Omit<AccessModelSet, 'operators'> {
  operator_keys: string[];
}

/** Replaces the stored model set with `set`. */
export async function saveModels(store: Store, set: AccessModelSet): Promise<void> {
  const old = await store.listDocs<unknown>(DOC_KIND);
  const keys = Object.keys(set.operators);
  for (const k of keys) await store.putDoc(DOC_KIND, `op:${k}`, { learned_at: set.learned_at, model: set.operators[k] });
  const keep = new Set(keys.map((k) => `op:${k}`));
  for (const d of old) if (d.key !== META && !keep.has(d.key)) await store.deleteDoc(DOC_KIND, d.key);
  const { operators: _ops, ...rest } = set;
  const meta: ModelMeta = { ...rest, operator_keys: keys };
  await store.putDoc(DOC_KIND, META, meta);
}

/** The stored model set, or undefined when `access learn` has not run. */
export async function loadModels(store: Store): Promise<AccessModelSet | undefined> {
  const meta = await store.getDoc<ModelMeta>(DOC_KIND, META);
  if (!meta) return undefined;
  const docs = await store.listDocs<{ learned_at: string; model: OperatorModel }>(DOC_KIND);
  const operators: Record<string, OperatorModel> = {};
  for (const d of docs) {
    if (!d.key.startsWith('op:') || d.doc.learned_at !== meta.learned_at) continue;
    operators[d.key.slice(3)] = d.doc.model;
  }
  const { operator_keys: _k, ...rest } = meta;
  return { ...rest, operators };
}

/** A readable summary of one operator's model (the CLI's table, the service's `GET /api/v1/access/operators`). */
export function operatorProfile(m: OperatorModel) {
  const top = (rec: Record<string, number>, n = 5) => Object.entries(rec).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    operator: m.operator,
    first: m.first,
    last: m.last,
    weeks: m.weeks,
    active_hours: m.active_hours,
    active_days: m.active_days,
    usual_hours: usualHours(m),
    p99: {
      searches_per_hour: r(m.hour.searches.p99),
      targets_per_hour: r(m.hour.targets.p99),
      records_per_hour: r(m.hour.records.p99),
      export_bytes: Math.round(Math.max(m.export_size.p99, m.export_size.p99_fit ?? 0)),
      searches_per_day: r(Math.max(m.day.searches_day.p99, m.day.searches_day.p99_fit ?? 0)),
      targets_per_day: r(Math.max(m.day.targets_day.p99, m.day.targets_day.p99_fit ?? 0)),
    },
    sources: top(m.hosts),
    systems: top(m.systems),
    actions: top(m.actions, 10),
  };
}

/** The operators with their learned profiles, for the live service's access capability. */
export async function accessOperators(store: Store): Promise<{ operator: string; profile: ReturnType<typeof operatorProfile> }[]> {
  const set = await loadModels(store);
  if (!set) return [];
  return Object.values(set.operators).sort((a, b) => a.operator.localeCompare(b.operator)).map((m) => ({ operator: m.operator, profile: operatorProfile(m) }));
}
