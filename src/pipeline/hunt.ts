/**
 * Hunting with Sigma: rules and pipelines loaded once (shipped rules by default), events in, common Alerts out.
 * `HuntEngine` is what the CLI, the live service and the drill scorer share; `huntFiles` runs it over files,
 * merging several inputs by event time so correlations see one time-ordered stream.
 */
import { hash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, extname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Alert } from '../model/alert.js';
import { levelToSeverity } from '../model/alert.js';
import type { Event, SourceRef } from '../model/event.js';
import { SigmaEngine, Pipeline, parseRuleFiles, attackIds, type SigmaMatch, type ParsedRules, type RuleProblem, type Logsource } from '../detectors/sigma/index.js';
import { parseFile, parseFileEach, newCounters, type ParseCounters, type ParsedItem, type ParseFileOptions } from './parse.js';
import { completeEvent, LAZY_ROUTE_FIELDS } from '../parsers/index.js';
import type { Platform } from '../parsers/index.js';

/** A detector run on every event besides the Sigma rules (e.g. indicator matching on event IPs and domains). */
export type EventDetector = (event: Event, source?: SourceRef) => Alert[];

/** The repository's rules/ folder (shipped rules and pipelines). */
export function rulesDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'rules', 'sigma')) || existsSync(join(d, 'rules', 'pipelines'))) return join(d, 'rules');
    d = dirname(d);
  }
  return resolve('rules');
}

export const SHIPPED_RULES = (): string => join(rulesDir(), 'sigma');

/** Rule files under the given paths (files as given; folders searched for *.yml / *.yaml, sorted). */
export function findRuleFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) {
        if (n.startsWith('.')) continue;
        const q = join(p, n);
        const s = statSync(q);
        if (s.isDirectory()) walk(q);
        else if (/\.ya?ml$/i.test(n) && !n.endsWith('.test.yml')) out.push(q);
      }
    } else out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

/** Loads a pipeline by name (rules/pipelines/NAME.yml) or path. */
export function loadPipeline(nameOrPath = 'tidewatch'): Pipeline {
  const file = existsSync(nameOrPath) && statSync(nameOrPath).isFile() ? nameOrPath : join(rulesDir(), 'pipelines', `${nameOrPath.replace(/\.ya?ml$/, '')}.yml`);
  if (!existsSync(file)) throw new Error(`pipeline '${nameOrPath}' not found (looked for ${file})`);
  return new Pipeline(parseYaml(readFileSync(file, 'utf8')));
}

export interface HuntEngineOptions {
  /** Rule files or folders; default: the shipped rules (rules/sigma). */
  rules?: string[];
  /** Pipeline name or file; default `tidewatch`. */
  pipeline?: string | Pipeline;
  /** Values for the `expand` modifier. */
  placeholders?: Record<string, string[]>;
  /** JSON Lines: the field holding the event time. */
  timeField?: string;
  /** Logsource of events that carry none (JSON Lines). */
  defaultLogsource?: Logsource;
  /** Extra per-event detectors. */
  detectors?: EventDetector[];
}

/** Rule files found and parsed, shareable between engines (HuntEngine.readRules). */
export interface ReadRules {
  files: string[];
  parsed: ParsedRules;
}

export class HuntEngine {
  readonly sigma: SigmaEngine;
  readonly parsed: ParsedRules;
  readonly files: string[];
  private detectors: EventDetector[];

  constructor(opts: HuntEngineOptions = {}, texts?: { path: string; text: string }[], read?: ReadRules) {
    const rules = read ?? HuntEngine.readRules(opts.rules, texts);
    this.files = rules.files;
    this.parsed = rules.parsed;
    const pipeline = opts.pipeline instanceof Pipeline ? opts.pipeline : loadPipeline(opts.pipeline);
    this.sigma = new SigmaEngine(this.parsed, { pipeline, placeholders: opts.placeholders, timeField: opts.timeField, defaultLogsource: opts.defaultLogsource });
    this.detectors = opts.detectors ? [...opts.detectors] : [];
  }

  /**
   * Finds, reads and parses rule files (or `texts`) once. Parsed rules are read-only: several engines built from
   * them with `fromRead` compile their own evaluators and keep their own correlation state (a scale-out detector
   * builds one engine per partition; parsing is about two thirds of building one).
   */
  static readRules(rules?: string[], texts?: { path: string; text: string }[]): ReadRules {
    const files = texts ? texts.map((t) => t.path) : findRuleFiles(rules?.length ? rules : [SHIPPED_RULES()]);
    const sources = texts ?? files.map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
    return { files, parsed: parseRuleFiles(sources) };
  }

  /** Builds an engine from rules read by `readRules` (the options' `rules` are not read again). */
  static fromRead(read: ReadRules, opts: HuntEngineOptions = {}): HuntEngine {
    return new HuntEngine(opts, undefined, read);
  }

  /** Builds an engine from rule texts (tests, drills, rules kept in a store). */
  static fromTexts(texts: { path: string; text: string }[], opts: HuntEngineOptions = {}): HuntEngine {
    return new HuntEngine(opts, texts);
  }

  get errors(): RuleProblem[] { return this.sigma.errors; }
  get warnings(): RuleProblem[] { return this.sigma.warnings; }

  /** Adds a per-event detector (its alerts are returned by process() beside the Sigma alerts). */
  addDetector(d: EventDetector): void {
    this.detectors.push(d);
  }

  /**
   * Evaluates one event (an event without alerts gets a shared, frozen empty array). `complete`: for an event of a
   * lazy parse (see huntFiles), called before anything reads more than its routing fields.
   */
  process(event: Event, source?: SourceRef, complete?: (ev: Event) => void): Alert[] {
    const ms = this.sigma.process(event, source, complete);
    let out: Alert[] | undefined;
    if (ms.length) out = ms.map(toAlert);
    if (complete !== undefined && this.detectors.length) complete(event);
    for (const d of this.detectors) {
      const a = d(event, source);
      if (a.length) (out ??= []).push(...a);
    }
    return out ?? NO_ALERTS;
  }

  /**
   * process() of an event read from `file` at `line` (huntFiles): the same alerts, with the source ref
   * `{ file, line }` made only when something alerts or a correlation keeps the event. hot path (bench/hunt
   * round 8): a ref per line was about 3% of the hunt's garbage.
   */
  processAt(event: Event, file: string, line: number, complete?: (ev: Event) => void): Alert[] {
    if (this.detectors.length) return this.process(event, { file, line }, complete);
    const ms = this.sigma.processAt(event, file, line, complete);
    return ms.length ? ms.map(toAlert) : NO_ALERTS;
  }

  /** Pending correlation decisions (windows still open at the end of the input). */
  flush(): Alert[] {
    return this.sigma.flush().map(toAlert);
  }

  /** Correlation state as JSON (scale-out detectors save it per partition and batch). */
  snapshot(): unknown {
    return this.sigma.snapshot();
  }

  restore(state: unknown): void {
    this.sigma.restore(state as ReturnType<SigmaEngine['snapshot']>);
  }
}

/** What process() returns for an event without alerts (hot path, bench/hunt round 8: was a new array per event). */
const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];

const IP_FIELDS = ['src_ip', 'dst_ip', 'nas', 'local_ip', 'remote_ip', 'neighbor'];
const ACCOUNT_FIELDS = ['user', 'target_user', 'run_as'];

function isIpLike(v: unknown): v is string {
  return typeof v === 'string' && (/^\d{1,3}(\.\d{1,3}){3}$/.test(v) || (/^[0-9a-f:]+$/i.test(v) && v.includes(':')));
}

/** Actors and targets of an event, for incident correlation. */
export function entitiesOf(ev: Event): NonNullable<Alert['entities']> {
  const ips = new Set<string>(), accounts = new Set<string>(), devices = new Set<string>();
  for (const f of IP_FIELDS) { const v = ev[f]; if (isIpLike(v)) ips.add(v); }
  for (const f of ACCOUNT_FIELDS) { const v = ev[f]; if (typeof v === 'string' && v && v !== '-') accounts.add(v); }
  if (typeof ev.host === 'string' && ev.host) devices.add(ev.host);
  const out: NonNullable<Alert['entities']> = {};
  if (ips.size) out.ips = [...ips];
  if (accounts.size) out.accounts = [...accounts];
  if (devices.size) out.devices = [...devices];
  return out;
}

const attackCache = new WeakMap<string[], string[]>();

/** attackIds of a rule's tags, computed once per rule (a regular expression per tag and alert before); a fresh copy each. */
function attackIdsOf(tags: string[]): string[] {
  let ids = attackCache.get(tags);
  if (ids === undefined) { ids = attackIds(tags); attackCache.set(tags, ids); }
  return ids.slice();
}

/** A Sigma match as the common Alert (detector `sigma`, ATT&CK ids from the rule's tags). */
export function toAlert(m: SigmaMatch): Alert {
  const r = m.rule;
  const ruleId = r.id ?? r.name ?? r.title;
  const src = m.source;
  // hot path (every alert; bench/hunt round 5): the one-shot hash (Node 20.12+) is the same SHA-1 of the same UTF-8
  // text without a Hash object per alert: about 0.35 instead of 1 us
  const id = hash('sha1', `sigma|${ruleId}|${src?.file ?? ''}|${src?.line ?? ''}|${m.time}|${m.correlation ? JSON.stringify(m.correlation.group) : ''}`, 'hex').slice(0, 16);
  const level = r.level ?? (m.kind === 'correlation' ? 'high' : 'medium');
  const entities = entitiesOf(m.event);
  const alert: Alert = {
    id,
    time: m.time,
    detector: 'sigma',
    rule: { id: ruleId, title: r.title, level: levelToSeverity(level), tags: r.tags, author: r.author, kind: m.kind },
    severity: levelToSeverity(level),
    attack: attackIdsOf(r.tags),
    device: typeof m.event.host === 'string' ? m.event.host : undefined,
    entities,
    source: src,
    event: m.event,
    reasons: r.description ? [r.description.trim()] : undefined,
  };
  if (m.correlation) {
    alert.correlation = m.correlation;
    const c = m.correlation;
    const grp = Object.entries(c.group).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    alert.reasons = [`${c.type} over ${c.timespan}${grp ? ` for ${grp}` : ''}: ${c.value} (${c.events.length} events, ${c.window.start} to ${c.window.end})`, ...(alert.reasons ?? [])];
    if (src) alert.source = { ...src, lines: c.events.filter((e) => e.file === src.file && e.line !== undefined).map((e) => e.line as number) };
  }
  return alert;
}

// ---- batch over files ------------------------------------------------------------------------------------

export interface HuntFilesOptions {
  engine: HuntEngine;
  /** Keep only events at or after / before these times (epoch ms). Events without a time are left out then. */
  since?: number;
  until?: number;
  platform?: Platform;
  timeField?: string;
  onAlert: (a: Alert) => void | Promise<void>;
  /** Called for lines that did not parse. */
  onError?: (item: ParsedItem) => void;
  counters?: ParseCounters;
}

export interface HuntSummary {
  files: number;
  lines: number;
  events: number;
  unparsed: number;
  /** Events left out by --since/--until (or without a time while those are set). */
  outOfRange: number;
  alerts: number;
  /** Inputs that could not be opened: path -> reason. */
  failed: Record<string, string>;
}

interface Head {
  it: AsyncGenerator<ParsedItem[]>;
  batch: ParsedItem[];
  i: number;
  t: number;
  path: string;
}

function itemTime(engine: HuntEngine, it: ParsedItem, prev: number): number {
  if (!it.event) return prev;
  const t = engine.sigma.timeOf(it.event);
  return t === undefined ? prev : t;
}

/**
 * Input paths with folders expanded to the files under them (recursively, sorted, hidden entries skipped);
 * `-` and everything else as given (an unreadable path is reported by huntFiles as failed).
 */
export function expandInputs(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const n of readdirSync(p).sort()) {
      if (n.startsWith('.')) continue;
      const q = join(p, n);
      let st;
      try { st = statSync(q); } catch { out.push(q); continue; }
      if (st.isDirectory()) walk(q);
      else if (st.isFile()) out.push(q);
    }
  };
  for (const p of paths) {
    let dir = false;
    try { dir = p !== '-' && statSync(p).isDirectory(); } catch { /* reported when opened */ }
    if (dir) walk(p);
    else out.push(p);
  }
  return out;
}

/** Runs the engine over files (folders: every file under them); several files are merged by event time. */
export async function huntFiles(inputs: string[], opts: HuntFilesOptions): Promise<HuntSummary> {
  const paths: string[] = [];
  const empty: string[] = [];
  for (const i of inputs) { const e = expandInputs([i]); if (!e.length) empty.push(i); paths.push(...e); }
  const counters = opts.counters ?? newCounters();
  const sum: HuntSummary = { files: paths.length, lines: 0, events: 0, unparsed: 0, outOfRange: 0, alerts: 0, failed: {} };
  for (const e of empty) sum.failed[e] = 'folder holds no files';
  const engine = opts.engine;
  const timed = opts.since !== undefined || opts.until !== undefined;
  const emit = async (alerts: Alert[]) => {
    for (const a of alerts) { sum.alerts++; const r = opts.onAlert(a); if (r) await r; }
  };
  let complete: ((ev: Event) => void) | undefined;
  // hot path: synchronous per line; a promise only when there are alerts to hand over
  const handleEvent = (event: Event | undefined, file: string, line: number, error?: string): Promise<void> | undefined => {
    if (!event) { sum.unparsed++; opts.onError?.({ file, line, error }); return undefined; }
    if (timed) {
      const t = engine.sigma.timeOf(event);
      if (t === undefined || (opts.since !== undefined && t < opts.since) || (opts.until !== undefined && t >= opts.until)) { sum.outOfRange++; return undefined; }
    }
    sum.events++;
    const alerts = engine.processAt(event, file, line, complete);
    return alerts.length ? emit(alerts) : undefined;
  };
  const handle = (it: ParsedItem) => handleEvent(it.event, it.file, it.line, it.error);
  // small batches: parsed events are handled while still young (4096-event batches outlived scavenges and made
  // the GC copy and promote them; bench/hunt)
  const parseOpts: ParseFileOptions = { platform: opts.platform, timeField: opts.timeField, batchSize: 256 };
  if (paths.length === 1) {
    // hot path: one input, lines handed over without a ParsedItem each (bench/hunt)
    const file = paths[0];
    // hot path (bench/hunt round 7): each line is handled before the next is parsed, so the parse may leave the
    // message's fields and time until a rule reads them (44% of the bench's lines never are)
    if (!timed && engine.sigma.lazyRouting(LAZY_ROUTE_FIELDS)) { complete = completeEvent; parseOpts.lazy = true; }
    try {
      await parseFileEach(file, parseOpts, counters, (event, line, error) => handleEvent(event, file, line, error));
    } catch (e) {
      sum.failed[file] = (e as Error).message;
    }
  } else {
    // k-way merge by event time (each input is assumed to be in time order, as logs are)
    const heads: Head[] = [];
    for (const p of paths) {
      try {
        const it = parseFile(p, parseOpts, counters);
        const first = await it.next();
        if (first.done || !first.value.length) continue;
        heads.push({ it, batch: first.value, i: 0, t: itemTime(engine, first.value[0], -Infinity), path: p });
      } catch (e) {
        sum.failed[p] = (e as Error).message;
      }
    }
    while (heads.length) {
      let k = 0;
      for (let j = 1; j < heads.length; j++) if (heads[j].t < heads[k].t) k = j;
      const h = heads[k];
      const p = handle(h.batch[h.i]);
      if (p) await p;
      h.i++;
      if (h.i >= h.batch.length) {
        let next: IteratorResult<ParsedItem[]>;
        try {
          next = await h.it.next();
        } catch (e) {
          sum.failed[h.path] = (e as Error).message;
          heads.splice(k, 1);
          continue;
        }
        if (next.done) { heads.splice(k, 1); continue; }
        h.batch = next.value;
        h.i = 0;
      }
      h.t = itemTime(engine, h.batch[h.i], h.t);
    }
  }
  await emit(engine.flush());
  sum.lines = counters.lines;
  return sum;
}

/** A readable name for a rule file (used in summaries). */
export function ruleFileLabel(path: string): string {
  return basename(path, extname(path));
}
