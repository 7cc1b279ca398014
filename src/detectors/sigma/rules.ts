/**
 * The Sigma rule model and its validation (sigma-spec sections 1-3, 8, 9, 10): detection rules, correlation
 * rules and filters, read from YAML documents with the line of every problem.
 */
import type { YamlDoc, RuleProblem } from './yaml.js';
import { loadYamlDocs } from './yaml.js';

export interface Logsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
  [custom: string]: string | undefined;
}

export interface RuleMeta {
  title: string;
  id?: string;
  name?: string;
  status?: string;
  level?: string;
  description?: string;
  author?: string;
  license?: string;
  references: string[];
  tags: string[];
  falsepositives: string[];
  date?: string;
  modified?: string;
  related: { id: string; type: string }[];
  fields: string[];
  scope: string[];
  taxonomy?: string;
  /** Top-level keys the spec does not name (kept, sigma-spec Y-5). */
  custom: Record<string, unknown>;
  file: string;
  line: number;
}

export interface DetectionRule extends RuleMeta {
  kind: 'detection';
  logsource: Logsource;
  detection: Record<string, unknown>;
  conditions: string[];
  doc: YamlDoc;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile' | 'value_median';
export type CmpOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: CorrelationType;
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  timespan: string;
  ops: [CmpOp, number][];
  field?: string[];
  percentile?: number;
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
  doc: YamlDoc;
}

export interface FilterRule {
  kind: 'filter';
  title: string;
  id?: string;
  name?: string;
  logsource: Logsource;
  /** Rule ids or names, or 'any'. */
  rules: string[] | 'any';
  detection: Record<string, unknown>;
  condition: string;
  file: string;
  line: number;
  doc: YamlDoc;
}

export type AnyRule = DetectionRule | CorrelationRule | FilterRule;

export interface ParsedRules {
  detections: DetectionRule[];
  correlations: CorrelationRule[];
  filters: FilterRule[];
  errors: RuleProblem[];
  warnings: RuleProblem[];
  /** Documents read (rules, correlations, filters, rejected ones included). */
  documents: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const RELATED = ['derived', 'obsolete', 'merged', 'renamed', 'similar', 'correlation'];
const TAG_NAMESPACES = ['attack', 'car', 'cve', 'd3fend', 'detection', 'stp', 'tlp'];
const KNOWN_KEYS = new Set(['title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'author', 'references', 'date', 'modified', 'logsource', 'detection', 'fields', 'falsepositives', 'level', 'tags', 'scope', 'correlation', 'filter', 'generate']);
const CORR_TYPES: CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile', 'value_median'];
const OPS: CmpOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

class Problems {
  errors: RuleProblem[] = [];
  warnings: RuleProblem[] = [];
  constructor(private file: string, private doc: YamlDoc) {}
  rule?: string;
  err(path: (string | number)[], reason: string): void {
    this.errors.push({ file: this.file, line: this.doc.lineOf(path), rule: this.rule, reason });
  }
  warn(path: (string | number)[], reason: string): void {
    this.warnings.push({ file: this.file, line: this.doc.lineOf(path), rule: this.rule, reason });
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function strList(v: unknown, key: string, p: Problems, allowString = false): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string' && allowString) {
    p.warn([key], `'${key}' should be a list; read as a one-item list`);
    return [v];
  }
  if (!Array.isArray(v)) { p.err([key], `'${key}' must be a list`); return []; }
  return v.map((x) => String(x));
}

function dateText(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
}

function checkDate(key: string, v: unknown, p: Problems): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = dateText(v) as string;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  if (/^\d{4}\/\d{1,2}\/\d{1,2}$/.test(t)) { p.warn([key], `'${key}' ${t} is not in the Sigma 2 format YYYY-MM-DD`); return t; }
  p.err([key], `'${key}' must be a date YYYY-MM-DD (got ${t})`);
  return t;
}

function readMeta(v: Record<string, unknown>, file: string, doc: YamlDoc, p: Problems): RuleMeta {
  const title = v.title;
  if (title === undefined || title === null) p.err([], "missing 'title'");
  else if (typeof title !== 'string') p.err(['title'], "'title' must be a string");
  else if (title.length > 256) p.err(['title'], `'title' is longer than 256 characters (${title.length})`);
  const meta: RuleMeta = {
    title: typeof title === 'string' ? title : '', references: [], tags: [], falsepositives: [], related: [], fields: [], scope: [], custom: {}, file, line: doc.line,
  };
  if (v.id !== undefined) {
    if (typeof v.id !== 'string' || !UUID.test(v.id)) p.err(['id'], `'id' must be a UUID (got ${JSON.stringify(v.id)})`);
    else meta.id = v.id.toLowerCase();
  }
  p.rule = meta.id ?? (meta.title || undefined);
  if (v.name !== undefined) {
    if (typeof v.name !== 'string' || !v.name) p.err(['name'], "'name' must be a non-empty string");
    else meta.name = v.name;
  }
  if (v.status !== undefined) {
    const s = String(v.status).toLowerCase();
    if (!STATUSES.includes(s)) p.err(['status'], `'status' must be one of ${STATUSES.join(', ')} (got ${String(v.status)})`);
    else meta.status = s;
  }
  if (v.level !== undefined) {
    const s = String(v.level).toLowerCase();
    if (!LEVELS.includes(s)) p.err(['level'], `'level' must be one of ${LEVELS.join(', ')} (got ${String(v.level)})`);
    else meta.level = s;
  }
  if (v.description !== undefined) {
    if (typeof v.description !== 'string') p.err(['description'], "'description' must be a string");
    else if (v.description.length > 65535) p.err(['description'], "'description' is longer than 65,535 characters");
    else meta.description = v.description;
  }
  if (v.author !== undefined) meta.author = Array.isArray(v.author) ? v.author.map(String).join(', ') : String(v.author);
  if (v.license !== undefined) meta.license = String(v.license);
  meta.references = strList(v.references, 'references', p);
  meta.fields = strList(v.fields, 'fields', p);
  meta.scope = strList(v.scope, 'scope', p);
  meta.falsepositives = strList(v.falsepositives, 'falsepositives', p, true);
  meta.date = checkDate('date', v.date, p);
  meta.modified = checkDate('modified', v.modified, p);
  if (v.taxonomy !== undefined) {
    meta.taxonomy = String(v.taxonomy);
    if (meta.taxonomy !== 'sigma') p.err(['taxonomy'], `taxonomy '${meta.taxonomy}' is not supported (only 'sigma' field names are mapped)`);
  }
  if (v.related !== undefined) {
    if (!Array.isArray(v.related)) p.err(['related'], "'related' must be a list of {id, type}");
    else v.related.forEach((r, i) => {
      if (!isMap(r) || typeof r.id !== 'string' || typeof r.type !== 'string') { p.err(['related', i], "'related' entries need 'id' and 'type'"); return; }
      if (!RELATED.includes(r.type)) p.err(['related', i, 'type'], `related type must be one of ${RELATED.join(', ')} (got ${r.type})`);
      if (!UUID.test(r.id)) p.warn(['related', i, 'id'], `related id is not a UUID: ${r.id}`);
      meta.related.push({ id: r.id, type: r.type });
    });
  }
  if (v.tags !== undefined) {
    if (!Array.isArray(v.tags)) p.err(['tags'], "'tags' must be a list");
    else v.tags.forEach((t, i) => {
      const s = String(t);
      const dot = s.indexOf('.');
      if (dot <= 0 || dot === s.length - 1) { p.err(['tags', i], `tag '${s}' must be namespace.value`); return; }
      if (!/^[a-z0-9_-]+\.[a-z0-9_.-]+$/.test(s)) p.warn(['tags', i], `tag '${s}' should be lower case letters, digits, _ and - with a dot`);
      if (!TAG_NAMESPACES.includes(s.slice(0, dot).toLowerCase())) p.warn(['tags', i], `unknown tag namespace '${s.slice(0, dot)}'`);
      meta.tags.push(s.toLowerCase());
    });
  }
  for (const k of Object.keys(v)) if (!KNOWN_KEYS.has(k)) meta.custom[k] = v[k];
  return meta;
}

function readLogsource(v: unknown, p: Problems, path: string[] = ['logsource']): Logsource | undefined {
  if (!isMap(v)) { p.err(path, "'logsource' must be a map"); return undefined; }
  const ls: Logsource = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') { p.err([...path, k], `logsource '${k}' must be a string`); continue; }
    ls[k] = k === 'definition' ? x : x.toLowerCase();
  }
  if (!ls.category && !ls.product && !ls.service) { p.err(path, "'logsource' needs at least one of category, product, service"); return undefined; }
  return ls;
}

/** Parses `<integer><unit>` (s, m, h, d, and w; M and y with a warning). */
export function parseTimespan(t: unknown, p?: Problems): number | undefined {
  if (typeof t !== 'string') return undefined;
  const m = /^(\d+)(s|m|h|d|w|M|y)$/.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30.44 * 86400e3, y: 365.24 * 86400e3 };
  if ((m[2] === 'M' || m[2] === 'y') && p) p.warn(['correlation', 'timespan'], `timespan unit '${m[2]}' is not in the Sigma specification (read as ${m[2] === 'M' ? '30.44 days' : '365.24 days'})`);
  return n * unit[m[2]];
}

function readDetection(v: Record<string, unknown>, p: Problems, key = 'detection'): { detection: Record<string, unknown>; conditions: string[] } | undefined {
  const det = v[key];
  if (!isMap(det)) { p.err([key], `'${key}' must be a map of search identifiers and a condition`); return undefined; }
  const conds = det.condition;
  let conditions: string[] = [];
  if (conds === undefined || conds === null) p.err([key], `'${key}' has no 'condition'`);
  else if (typeof conds === 'string') conditions = [conds];
  else if (Array.isArray(conds) && conds.every((c) => typeof c === 'string') && conds.length) conditions = conds as string[];
  else p.err([key, 'condition'], "'condition' must be a string or a list of strings");
  const ids = Object.keys(det).filter((k) => k !== 'condition');
  if (ids.length === 0) p.err([key], 'no search identifiers (a detection needs at least one besides the condition)');
  for (const id of ids) if (!/^[A-Za-z0-9_-]+$/.test(id)) p.err([key, id], `search identifier '${id}' may only use letters, digits, _ and -`);
  const detection: Record<string, unknown> = {};
  for (const id of ids) detection[id] = det[id];
  return { detection, conditions };
}

/** Reads every document of one file. */
export function parseRuleFile(file: string, text: string): ParsedRules {
  const out: ParsedRules = { detections: [], correlations: [], filters: [], errors: [], warnings: [], documents: 0 };
  const y = loadYamlDocs(file, text);
  out.errors.push(...y.errors);
  for (const doc of y.docs) {
    out.documents++;
    const p = new Problems(file, doc);
    const v = doc.value;
    if (!isMap(v)) { p.err([], 'a rule document must be a map'); out.errors.push(...p.errors); continue; }
    if (v.action !== undefined) {
      p.rule = typeof v.title === 'string' ? v.title : undefined;
      p.err(['action'], `Sigma 1.x collection action '${String(v.action)}' is not supported; write one self-contained rule per document`);
      out.errors.push(...p.errors);
      continue;
    }
    if (v.correlation !== undefined) {
      const r = readCorrelation(v, file, doc, p);
      if (r && !p.errors.length) out.correlations.push(r);
    } else if (v.filter !== undefined) {
      const r = readFilter(v, file, doc, p);
      if (r && !p.errors.length) out.filters.push(r);
    } else {
      const meta = readMeta(v, file, doc, p);
      const ls = v.logsource === undefined ? (p.err([], "missing 'logsource'"), undefined) : readLogsource(v.logsource, p);
      const det = v.detection === undefined ? (p.err([], "missing 'detection'"), undefined) : readDetection(v, p);
      if (v.generate !== undefined) p.warn(['generate'], "'generate' only has a meaning on correlation rules");
      if (ls && det && !p.errors.length) out.detections.push({ ...meta, kind: 'detection', logsource: ls, detection: det.detection, conditions: det.conditions, doc });
    }
    out.errors.push(...p.errors);
    out.warnings.push(...p.warnings);
  }
  return out;
}

function readCorrelation(v: Record<string, unknown>, file: string, doc: YamlDoc, p: Problems): CorrelationRule | undefined {
  const meta = readMeta(v, file, doc, p);
  if (v.logsource !== undefined || v.detection !== undefined) p.err([], 'a correlation rule has no logsource or detection');
  const c = v.correlation;
  if (!isMap(c)) { p.err(['correlation'], "'correlation' must be a map"); return undefined; }
  const type = c.type as CorrelationType;
  if (c.type === undefined) p.err(['correlation'], "correlation without 'type'");
  else if (!CORR_TYPES.includes(type)) p.err(['correlation', 'type'], `unknown correlation type '${String(c.type)}' (one of ${CORR_TYPES.join(', ')})`);
  let rules: string[] = [];
  if (c.rules === undefined) p.err(['correlation'], "correlation without 'rules'");
  else if (typeof c.rules === 'string') rules = [c.rules];
  else if (Array.isArray(c.rules) && c.rules.length && c.rules.every((x) => typeof x === 'string')) rules = c.rules as string[];
  else p.err(['correlation', 'rules'], "'rules' must be a list of rule ids or names");
  let groupBy: string[] = [];
  if (c['group-by'] !== undefined) {
    if (Array.isArray(c['group-by']) && c['group-by'].every((x) => typeof x === 'string')) groupBy = c['group-by'] as string[];
    else if (typeof c['group-by'] === 'string') groupBy = [c['group-by']];
    else p.err(['correlation', 'group-by'], "'group-by' must be a list of field names");
  }
  let timespanMs = 0;
  if (c.timespan === undefined) p.err(['correlation'], "correlation without 'timespan'");
  else {
    const t = parseTimespan(c.timespan, p);
    if (t === undefined || t <= 0) p.err(['correlation', 'timespan'], `malformed timespan '${String(c.timespan)}' (an integer and a unit s, m, h or d, e.g. 90m)`);
    else timespanMs = t;
  }
  const ops: [CmpOp, number][] = [];
  let field: string[] | undefined;
  let percentile: number | undefined;
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (c.condition === undefined) {
    if (!temporal) p.err(['correlation'], `correlation type '${type}' needs a 'condition'`);
  } else if (typeof c.condition === 'string') {
    p.err(['correlation', 'condition'], 'a boolean condition over rule names (pySigma extension) is not supported; use a map such as {gte: 2}');
  } else if (!isMap(c.condition)) {
    p.err(['correlation', 'condition'], "'condition' must be a map such as {gte: 5}");
  } else {
    for (const [k, x] of Object.entries(c.condition)) {
      if (k === 'field') {
        if (typeof x === 'string') field = [x];
        else if (Array.isArray(x) && x.every((y) => typeof y === 'string')) field = x as string[];
        else p.err(['correlation', 'condition', 'field'], "'field' must be a field name or a list of names");
      } else if (k === 'percentile') {
        if (typeof x !== 'number' || x < 0 || x > 100) p.err(['correlation', 'condition', 'percentile'], "'percentile' must be a number from 0 to 100");
        else percentile = x;
      } else if ((OPS as string[]).includes(k)) {
        if (typeof x !== 'number' || !Number.isFinite(x)) p.err(['correlation', 'condition', k], `condition '${k}' needs a number`);
        else ops.push([k as CmpOp, x]);
      } else p.err(['correlation', 'condition', k], `unknown condition operator '${k}' (one of ${OPS.join(', ')}, field)`);
    }
    if (!ops.length) p.err(['correlation', 'condition'], 'condition needs an operator (gt, gte, lt, lte, eq, neq)');
    if (ops.length > 2) p.err(['correlation', 'condition'], 'condition may hold at most two operators (a range)');
    const valueType = type === 'value_count' || type?.startsWith('value_');
    if (valueType && !field) p.err(['correlation', 'condition'], `correlation type '${type}' needs condition.field`);
    if (!valueType && field) p.warn(['correlation', 'condition', 'field'], `'field' has no meaning for '${type}'`);
    if (type === 'value_percentile' && percentile === undefined) p.err(['correlation', 'condition'], "'value_percentile' needs condition.percentile (the P of the P-th percentile)");
  }
  const aliases: Record<string, Record<string, string>> = {};
  if (c.aliases !== undefined) {
    if (!isMap(c.aliases)) p.err(['correlation', 'aliases'], "'aliases' must be a map");
    else for (const [alias, m] of Object.entries(c.aliases)) {
      if (!isMap(m) || !Object.values(m).every((x) => typeof x === 'string')) { p.err(['correlation', 'aliases', alias], `alias '${alias}' must map rule names to field names`); continue; }
      aliases[alias] = m as Record<string, string>;
    }
  }
  let generate = false;
  const g = v.generate ?? c.generate;
  if (g !== undefined) {
    if (typeof g !== 'boolean') p.err(['generate'], "'generate' must be true or false");
    else generate = g;
  }
  if (!groupBy.length && (type === 'event_count' || type === 'value_count')) p.warn(['correlation'], 'no group-by: all events form one group');
  return { ...meta, kind: 'correlation', type, rules, groupBy, timespanMs, timespan: String(c.timespan), ops, field, percentile, aliases, generate, doc };
}

function readFilter(v: Record<string, unknown>, file: string, doc: YamlDoc, p: Problems): FilterRule | undefined {
  const title = v.title;
  if (typeof title !== 'string' || !title) p.err([], "a filter needs a 'title'");
  p.rule = typeof v.id === 'string' ? v.id : typeof title === 'string' ? title : undefined;
  if (v.id !== undefined && (typeof v.id !== 'string' || !UUID.test(v.id))) p.err(['id'], `'id' must be a UUID (got ${JSON.stringify(v.id)})`);
  if (v.level !== undefined || v.status !== undefined) p.warn([], "a filter has no 'level' or 'status'");
  const ls = v.logsource === undefined ? (p.err([], "a filter needs a 'logsource'"), undefined) : readLogsource(v.logsource, p);
  const f = v.filter;
  if (!isMap(f)) { p.err(['filter'], "'filter' must be a map"); return undefined; }
  let rules: string[] | 'any' = 'any';
  if (f.rules === undefined) p.err(['filter'], "a filter needs 'rules' (a list of rule ids or names, or 'any')");
  else if (f.rules === 'any' || (Array.isArray(f.rules) && f.rules.length === 0)) rules = 'any';
  else if (typeof f.rules === 'string') rules = [f.rules];
  else if (Array.isArray(f.rules) && f.rules.every((x) => typeof x === 'string')) rules = f.rules as string[];
  else p.err(['filter', 'rules'], "'rules' must be a list of rule ids or names, or 'any'");
  if (Array.isArray(f.condition)) p.err(['filter', 'condition'], 'a filter condition must be one string, not a list');
  const fv: Record<string, unknown> = { ...f };
  delete fv.rules;
  const det = readDetection({ filter: fv }, p, 'filter');
  if (!det || !ls) return undefined;
  const condition = det.conditions[0] ?? '';
  if (condition && !/\bnot\b/.test(condition)) p.warn(['filter', 'condition'], "filter condition has no 'not': it keeps only the events it selects (filters are ANDed with the rule's condition)");
  return { kind: 'filter', title: String(title), id: typeof v.id === 'string' ? v.id.toLowerCase() : undefined, name: typeof v.name === 'string' ? v.name : undefined, logsource: ls, rules, detection: det.detection, condition, file, line: doc.line, doc };
}

/** Parses several files into one set (no cross-file checks yet). */
export function parseRuleFiles(files: { path: string; text: string }[]): ParsedRules {
  const out: ParsedRules = { detections: [], correlations: [], filters: [], errors: [], warnings: [], documents: 0 };
  for (const f of files) {
    const r = parseRuleFile(f.path, f.text);
    out.detections.push(...r.detections);
    out.correlations.push(...r.correlations);
    out.filters.push(...r.filters);
    out.errors.push(...r.errors);
    out.warnings.push(...r.warnings);
    out.documents += r.documents;
  }
  return out;
}

/** ATT&CK technique ids from tags (`attack.t1136.001` -> `T1136.001`). */
export function attackIds(tags: string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m) out.push(m[1].toUpperCase());
  }
  return out;
}

/** L-4 containment: every attribute `inner` names equals the one in `outer`. */
export function logsourceWithin(inner: Logsource, outer: Logsource): boolean {
  for (const k of ['category', 'product', 'service'] as const) {
    const v = inner[k];
    if (v !== undefined && outer[k] !== v) return false;
  }
  return true;
}
