/**
 * The Sigma engine: rules compiled once, indexed by logsource (through the pipeline's event selectors) and by
 * literal prefilters, evaluated event by event; correlation rules on top. Pure: no I/O.
 */
import type { Event, SourceRef } from '../../model/event.js';
import { EvalCtx, fieldGetter, multiGetter, type FieldGetter } from './context.js';
import { compileDetection, CompileError, NO, type RouteTest, type Test } from './compile.js';
import type { ItemEnv } from './items.js';
import { Pipeline, type Selector } from './pipeline.js';
import { LiteralScanner, SkipScanner, SKIP_MIN_LENGTH, HIT_CAP, type Scanner } from './prefilter.js';
import { CorrelationState, type CorrelationFire, type CorrelationSnapshot, type EventRef } from './correlation.js';
import { logsourceWithin, type CorrelationRule, type DetectionRule, type Logsource, type ParsedRules, type RuleMeta } from './rules.js';
import type { RuleProblem } from './yaml.js';
import { isoFromMs, lastIsoMsOf, parseTimeValue } from '../../parsers/syslog/time.js';
import { jsonEventTime } from '../../parsers/jsonl.js';
import { PLATFORMS } from '../../parsers/types.js';
import { detach } from '../../util/detach.js';

export interface EngineOptions {
  pipeline: Pipeline;
  /** `expand` placeholders (merged over the pipeline's). */
  placeholders?: Record<string, string[]>;
  /** JSON Lines: the field holding the event time. */
  timeField?: string;
  /** Logsource for events that carry no routing information (JSON Lines without `logsource`). */
  defaultLogsource?: Logsource;
}

export interface SigmaMatch {
  rule: RuleMeta;
  kind: 'detection' | 'correlation';
  /** ISO time of the evidence (the event, or the event that completed a correlation). */
  time: string;
  event: Event;
  source?: SourceRef;
  correlation?: {
    type: string;
    group: Record<string, unknown>;
    timespan: string;
    window: { start: string; end: string };
    value: number;
    events: EventRef[];
  };
}

interface CompiledRule {
  idx: number;
  meta: DetectionRule;
  test: Test;
  /** Its detection decided on the routing fields alone (NO: the route's plan leaves it out; see selectPlan). */
  onRoute: RouteTest;
  /** Literal ids for the prefilter, or null when the rule cannot be prefiltered. */
  lits: Int32Array | null;
  need: string[] | null;
  selectors: Selector[];
  alerts: boolean;
  feeds: Feed[];
}

/** A correlation fed by a rule's matches (or another correlation's fires) as its referenced rule `ref`. */
interface Feed {
  ref: number;
  node: CorrNode;
}

/**
 * The rules one logsource route tests, with the scanner for their literals: the engine's automaton, or (hot path,
 * bench/hunt round 5) a SkipScanner when the route's literals are few and all long enough to skip over text.
 * Shared by every route key with the same rules.
 */
interface RoutePlan {
  rules: CompiledRule[];
  /** null when no rule of the route has literals. */
  scanner: Scanner | null;
  /** Every rule of the route has literals (a line without any of them is done after the scan). */
  allLits: boolean;
  /**
   * Per literal id of the engine's automaton, `words` 32-bit words: bit i set when rules[i] has that literal. The
   * OR over the literals a scan found tells which rules to evaluate (hot path, bench/hunt round 7: was a test of
   * every literal of every rule, up to 40 rules on command lines).
   */
  masks: Int32Array | null;
  words: number;
}

interface CorrNode {
  /** Its own state (holds its rule); never fed when the node shares `primary`'s. */
  state: CorrelationState;
  alerts: boolean;
  feeds: Feed[];
  /**
   * hot path (bench/hunt round 8): an earlier correlation with the same definition (type, referenced rules,
   * group-by, aliases, timespan, condition, fields), whose state decides for both. Such a node is fed nothing:
   * its feeds in every list come right after the primary's and replay the fires the primary's state returned for
   * the same event (each node still emits them with its own rule and feeds its own dependents).
   */
  primary?: CorrNode;
  /** A primary that is shared: the fires its state returned last, per referenced rule (add) and for closes. */
  lastFires?: CorrelationFire[][];
  lastClosed?: CorrelationFire[];
  /** A primary that is shared: the nodes that share its state. */
  sharedBy?: CorrNode[];
}

export interface EngineStats {
  events: number;
  /** Rule evaluations after routing and prefiltering. */
  evaluated: number;
  /** Evaluations skipped because the prefilter found none of a rule's literals. */
  prefiltered: number;
  matches: number;
  typeErrors: number;
}

const KNOWN_PLATFORMS = new Set<string>(PLATFORMS);

export class SigmaEngine {
  readonly rules: CompiledRule[] = [];
  readonly correlations: CorrNode[] = [];
  readonly errors: RuleProblem[] = [];
  readonly warnings: RuleProblem[] = [];
  readonly stats: EngineStats = { events: 0, evaluated: 0, prefiltered: 0, matches: 0, typeErrors: 0 };
  /** Rules whose logsource no pipeline entry produces (they only see JSON events with a matching logsource). */
  readonly unrouted: DetectionRule[] = [];
  readonly filtersApplied: number;
  readonly scanner: LiteralScanner;
  private routeCache = new Map<string, RoutePlan>();
  /** Plans by the indexes of their rules (few distinct rule sets; each builds its scanner once). */
  private plans = new Map<string, RoutePlan>();
  private routeTree = new Map<unknown, unknown>();
  private routeTreeSize = 0;
  private ctx = new EvalCtx({});
  /** The rules (bits by position in the plan) holding a literal the last scan found: see RoutePlan.masks. */
  private cand = new Int32Array(2);
  private corrByRule = new Map<CorrelationRule, CorrNode>();
  private clock = -Infinity;
  private lastTimeStr: string | undefined;
  private lastTimeMs: number | undefined;
  /** Some correlation decides at window close (needs the event clock on every event). */
  private windowed = false;
  /** processAt: the line the source ref is made of, when a match needs one (atFile undefined otherwise). */
  private atFile: string | undefined;
  private atLine = 0;

  constructor(parsed: ParsedRules, private opts: EngineOptions) {
    this.errors.push(...parsed.errors);
    this.warnings.push(...parsed.warnings);
    const pipeline = opts.pipeline;
    const placeholders = { ...pipeline.placeholders, ...(opts.placeholders ?? {}) };

    // ids and names must be unique across the set
    const byKey = new Map<string, DetectionRule | CorrelationRule>();
    const keep = (r: DetectionRule | CorrelationRule): boolean => {
      for (const k of [r.id, r.name]) {
        if (!k) continue;
        const prev = byKey.get(k);
        if (prev) {
          this.errors.push({ file: r.file, line: r.doc.lineOf([k === r.id ? 'id' : 'name']), rule: r.id ?? r.title, reason: `${k === r.id ? 'id' : 'name'} '${k}' is already used by ${prev.file}` });
          return false;
        }
      }
      for (const k of [r.id, r.name]) if (k) byKey.set(k, r);
      return true;
    };

    const routeFields = new Set(pipeline.routeFields);
    const envFor = (meta: DetectionRule): ItemEnv => ({
      getter: (f) => multiGetter(pipeline.fieldNames(meta.logsource, f)),
      // a dotted name would also be looked up as a path into nested objects, which the route does not fix
      routed: (f) => pipeline.fieldNames(meta.logsource, f).every((n) => routeFields.has(n) && !n.includes('.')),
      mapped: (f) => pipeline.fieldNames(meta.logsource, f),
      placeholders,
      verbatim: pipeline.verbatim,
      warn: (msg) => this.warnings.push({ file: meta.file, line: meta.doc.line, rule: meta.id ?? meta.title, reason: msg }),
    });

    for (const d of parsed.detections) {
      if (!keep(d)) continue;
      let compiled;
      try {
        compiled = compileDetection(d.detection, d.conditions, envFor(d));
      } catch (e) {
        if (e instanceof CompileError) {
          this.errors.push({ file: d.file, line: d.doc.lineOf(e.path), rule: d.id ?? d.title, reason: e.message });
          continue;
        }
        throw e;
      }
      const selectors = pipeline.selectorsFor(d.logsource);
      if (!selectors.length) this.unrouted.push(d);
      this.rules.push({ idx: this.rules.length, meta: d, test: compiled.test, onRoute: compiled.onRoute, need: compiled.need, lits: null, selectors, alerts: true, feeds: [] });
    }

    // filters: AND their condition into every rule they apply to (F-1), with the filter's identifiers compiled per rule
    let applied = 0;
    for (const f of parsed.filters) {
      const refs = f.rules === 'any' ? undefined : new Set(f.rules.map((x) => x.toLowerCase()));
      const found = new Set<string>();
      for (const r of this.rules) {
        const hit = !refs || (r.meta.id && refs.has(r.meta.id)) || (r.meta.name && refs.has(r.meta.name.toLowerCase()));
        if (!hit) continue;
        if (refs) { if (r.meta.id && refs.has(r.meta.id)) found.add(r.meta.id); if (r.meta.name) found.add(r.meta.name.toLowerCase()); }
        if (!logsourceWithin(f.logsource, r.meta.logsource)) continue;
        try {
          const fc = compileDetection(f.detection, [f.condition], { ...envFor(r.meta), warn: (msg) => this.warnings.push({ file: f.file, line: f.line, rule: f.id ?? f.title, reason: msg }) }, 'filter');
          const orig = r.test, ft = fc.test;
          r.test = (c) => orig(c) && ft(c);
          applied++;
        } catch (e) {
          if (e instanceof CompileError) { this.errors.push({ file: f.file, line: f.doc.lineOf(e.path), rule: f.id ?? f.title, reason: e.message }); break; }
          throw e;
        }
      }
      if (refs) for (const x of refs) if (!found.has(x)) this.warnings.push({ file: f.file, line: f.line, rule: f.id ?? f.title, reason: `filter names rule '${x}', which is not loaded` });
    }
    this.filtersApplied = applied;

    // correlations: resolve references (detections and other correlations), detect cycles, wire feeds
    const corrs = parsed.correlations.filter((c) => keep(c));
    const detByKey = new Map<string, CompiledRule>();
    for (const r of this.rules) { if (r.meta.id) detByKey.set(r.meta.id, r); if (r.meta.name) detByKey.set(r.meta.name, r); }
    const corrByKey = new Map<string, CorrelationRule>();
    for (const c of corrs) { if (c.id) corrByKey.set(c.id, c); if (c.name) corrByKey.set(c.name, c); }
    const bad = new Set<CorrelationRule>();
    for (const c of corrs) {
      for (const [i, ref] of c.rules.entries()) {
        const k = ref.toLowerCase();
        if (!detByKey.has(ref) && !detByKey.has(k) && !corrByKey.has(ref) && !corrByKey.has(k)) {
          const rejected = byKey.has(ref) || byKey.has(k);
          this.errors.push({ file: c.file, line: c.doc.lineOf(['correlation', 'rules', i]), rule: c.id ?? c.title, reason: `correlation refers to rule '${ref}', which is ${rejected ? 'rejected' : 'not loaded'}` });
          bad.add(c);
        }
      }
    }
    // cycles
    const visiting = new Set<CorrelationRule>(), done = new Set<CorrelationRule>();
    const visit = (c: CorrelationRule, path: string[]): void => {
      if (done.has(c)) return;
      if (visiting.has(c)) {
        this.errors.push({ file: c.file, line: c.doc.lineOf(['correlation', 'rules']), rule: c.id ?? c.title, reason: `correlation references form a cycle: ${[...path, c.name ?? c.title].join(' -> ')}` });
        bad.add(c);
        return;
      }
      visiting.add(c);
      for (const ref of c.rules) { const d = corrByKey.get(ref) ?? corrByKey.get(ref.toLowerCase()); if (d) visit(d, [...path, c.name ?? c.title]); }
      visiting.delete(c);
      done.add(c);
    };
    for (const c of corrs) visit(c, []);
    // a correlation that depends on a bad one is bad too
    let changed = true;
    while (changed) {
      changed = false;
      for (const c of corrs) {
        if (bad.has(c)) continue;
        if (c.rules.some((ref) => { const d = corrByKey.get(ref) ?? corrByKey.get(ref.toLowerCase()); return d !== undefined && bad.has(d); })) {
          this.errors.push({ file: c.file, line: c.doc.lineOf(['correlation', 'rules']), rule: c.id ?? c.title, reason: 'correlation refers to a correlation that was rejected' });
          bad.add(c);
          changed = true;
        }
      }
    }
    for (const c of corrs) {
      if (bad.has(c)) continue;
      const groupGetters: FieldGetter[][] = [];
      const valueGetters: FieldGetter[][] = [];
      let ok = true;
      for (const ref of c.rules) {
        const det = detByKey.get(ref) ?? detByKey.get(ref.toLowerCase());
        const refName = det ? det.meta.name : (corrByKey.get(ref) ?? corrByKey.get(ref.toLowerCase()))?.name;
        const getter = (field: string): FieldGetter => (det ? multiGetter(pipeline.fieldNames(det.meta.logsource, field)) : fieldGetter(field));
        const gs: FieldGetter[] = [];
        for (const g of c.groupBy) {
          const alias = c.aliases[g];
          let field = g;
          if (alias) {
            const f = (refName && alias[refName]) ?? alias[ref];
            if (!f) {
              this.errors.push({ file: c.file, line: c.doc.lineOf(['correlation', 'aliases', g]), rule: c.id ?? c.title, reason: `alias '${g}' names no field for rule '${ref}' (aliases map rule names to fields)` });
              ok = false;
              break;
            }
            field = f;
          }
          gs.push(getter(field));
        }
        groupGetters.push(gs);
        valueGetters.push(c.field && c.type !== 'temporal' && c.type !== 'temporal_ordered' && c.type !== 'event_count' ? c.field.map(getter) : []);
      }
      if (!ok) continue;
      const node: CorrNode = { state: new CorrelationState(c, groupGetters, valueGetters), alerts: true, feeds: [] };
      this.correlations.push(node);
      this.corrByRule.set(c, node);
    }
    this.windowed = this.correlations.some((c) => !c.state.monotone);
    // feeds and generate
    const referencedBy = new Map<object, CorrelationRule[]>();
    const targetOf = (ref: string): CompiledRule | CorrNode | undefined => {
      const det = detByKey.get(ref) ?? detByKey.get(ref.toLowerCase());
      const cr = corrByKey.get(ref) ?? corrByKey.get(ref.toLowerCase());
      return det ?? (cr ? this.corrByRule.get(cr) : undefined);
    };
    // correlations with the same definition share the first one's state (see CorrNode.primary)
    const targetIds = new Map<object, number>();
    const byDefinition = new Map<string, CorrNode>();
    for (const node of this.correlations) {
      const c = node.state.corr;
      const targets = c.rules.map((ref) => {
        const t = targetOf(ref);
        if (t === undefined) return -1;
        let id = targetIds.get(t);
        if (id === undefined) { id = targetIds.size; targetIds.set(t, id); }
        return id;
      });
      const def = JSON.stringify([c.type, c.rules, targets, c.groupBy, c.aliases, c.timespanMs, c.ops, c.field ?? null, c.percentile ?? null]);
      const first = byDefinition.get(def);
      if (first === undefined) { byDefinition.set(def, node); continue; }
      node.primary = first;
      node.state.follow(first.state);
      first.lastFires ??= c.rules.map(() => []);
      first.lastClosed ??= [];
      (first.sharedBy ??= []).push(node);
    }
    for (const node of this.correlations) {
      const c = node.state.corr;
      c.rules.forEach((ref, i) => {
        const target = targetOf(ref);
        if (!target) return;
        target.feeds.push({ ref: i, node });
        const list = referencedBy.get(target) ?? [];
        list.push(c);
        referencedBy.set(target, list);
      });
    }
    for (const r of this.rules) { const by = referencedBy.get(r); if (by) r.alerts = by.some((c) => c.generate); }
    for (const n of this.correlations) { const by = referencedBy.get(n); if (by) n.alerts = by.some((c) => c.generate); }

    // prefilter: literal ids per rule
    const litIndex = new Map<string, number>();
    const lits: string[] = [];
    for (const r of this.rules) {
      if (!r.need || !r.need.length || r.need.some((x) => x.length < 3 || /[^\x20-\x7e]/.test(x))) continue;
      r.lits = Int32Array.from(r.need.map((x) => {
        let id = litIndex.get(x);
        if (id === undefined) { id = lits.length; lits.push(x); litIndex.set(x, id); }
        return id;
      }));
    }
    this.scanner = new LiteralScanner(lits);
  }

  /**
   * Hot path for parsed device events: the route cached in a tree of maps keyed by the values of the pipeline's
   * routing fields (no key string or closure per event).
   */
  private routeParsed(ev: Event, f: string[]): RoutePlan {
    const last = f.length - 1;
    let node = this.routeTree;
    for (let i = 0; i < last; i++) {
      const v = ev[f[i]];
      let nx = node.get(v) as Map<unknown, unknown> | undefined;
      if (nx === undefined) { nx = new Map(); node.set(ownKey(v), nx); }
      node = nx;
    }
    const v = ev[f[last]];
    let plan = node.get(v) as RoutePlan | undefined;
    if (plan === undefined) {
      plan = this.selectPlan(ev);
      if (++this.routeTreeSize > 50_000) { this.routeTree = new Map(); this.routeTreeSize = 0; }
      node.set(ownKey(v), plan);
    }
    return plan;
  }

  /**
   * The plan of the rules whose pipeline selectors match a parsed event, without those whose detection is false
   * on its routing fields alone (CompiledDetection.onRoute: every event of the route has the same values there).
   * Apart from routeParsed: its closures need a context.
   */
  private selectPlan(ev: Event): RoutePlan {
    const ctx = new EvalCtx(ev);
    return this.planFor(this.rules.filter((r) => r.selectors.some((s) => s.matches(ev)) && r.onRoute(ctx) !== NO));
  }

  /** The rules an event is tested against (logsource routing), cached per route key. */
  private route(ev: Event): RoutePlan {
    // hot path (bench/hunt round 5): the other cases live in routeOther, whose closures made this function allocate
    // a context object on every call (about 90 bytes of garbage per line)
    if (ev.logsource === undefined && typeof ev.platform === 'string' && typeof ev.kind === 'string' && KNOWN_PLATFORMS.has(ev.platform)) {
      const f = this.opts.pipeline.routeFields;
      if (f.length) return this.routeParsed(ev, f);
    }
    return this.routeOther(ev);
  }

  /** route() for events with a logsource, JSON events and anything else: cached per route key string. */
  private routeOther(ev: Event): RoutePlan {
    const ls = ev.logsource as Logsource | undefined;
    let key: string;
    let pick: (r: CompiledRule) => boolean;
    if (ls && typeof ls === 'object') {
      key = `L${ls.category ?? ''}\u0001${ls.product ?? ''}\u0001${ls.service ?? ''}`;
      pick = (r) => logsourceWithin(r.meta.logsource, lower(ls));
    } else if (typeof ev.platform === 'string' && typeof ev.kind === 'string' && KNOWN_PLATFORMS.has(ev.platform)) {
      key = 'P' + this.opts.pipeline.routeKey(ev);
      pick = (r) => r.selectors.some((s) => s.matches(ev));
    } else if (typeof ev._path === 'string') {
      const zl: Logsource = { product: 'zeek', service: ev._path.toLowerCase() };
      key = `Z${zl.service}`;
      pick = (r) => logsourceWithin(r.meta.logsource, zl);
    } else if (this.opts.defaultLogsource) {
      const dl = this.opts.defaultLogsource;
      key = 'D';
      pick = (r) => logsourceWithin(r.meta.logsource, dl);
    } else {
      key = '*';
      pick = () => true;
    }
    let plan = this.routeCache.get(key);
    if (!plan) {
      plan = this.planFor(this.rules.filter(pick));
      if (this.routeCache.size > 50_000) this.routeCache.clear();
      this.routeCache.set(detach(key), plan); // the key holds slices of the input chunk
    }
    return plan;
  }

  /** The plan of a route's rules (one per distinct rule set). */
  private planFor(rules: CompiledRule[]): RoutePlan {
    const key = rules.map((r) => r.idx).join(',');
    let plan = this.plans.get(key);
    if (plan) return plan;
    const ids = [...new Set(rules.flatMap((r) => (r.lits ? [...r.lits] : [])))];
    let scanner: Scanner | null = null;
    if (ids.length) {
      const lits = ids.map((id) => this.scanner.literals[id]);
      // a few long literals: skip over the text; else (short ones, or many) the automaton's one pass
      scanner = ids.length <= 64 && lits.every((l) => l.length >= SKIP_MIN_LENGTH) ? new SkipScanner(lits, ids, this.scanner) : this.scanner;
    }
    const words = (rules.length + 31) >>> 5;
    let masks: Int32Array | null = null;
    if (scanner) {
      masks = new Int32Array(this.scanner.literals.length * words);
      rules.forEach((r, i) => { if (r.lits) for (const id of r.lits) masks![id * words + (i >>> 5)] |= 1 << (i & 31); });
      if (words > this.cand.length) this.cand = new Int32Array(words);
    }
    plan = { rules, scanner, allLits: rules.length > 0 && rules.every((r) => r.lits !== null), masks, words };
    // bounded like the route caches (each SkipScanner holds a 16 KB table); plans in use stay with their routes
    if (this.plans.size > 1000) this.plans.clear();
    this.plans.set(key, plan);
    return plan;
  }

  /** Event time in ms (our parsers: `time`; JSON Lines: the time field), or undefined. */
  timeOf(ev: Event): number | undefined {
    if (this.opts.timeField) return jsonEventTime(ev, this.opts.timeField);
    const t = ev.time;
    if (typeof t === 'string') {
      // hot path (every event that feeds a correlation): consecutive events often share the stamp
      if (t === this.lastTimeStr) return this.lastTimeMs;
      // hot path (bench/hunt round 6): the parser made this string from ms just now (no Date.parse of it)
      let ms = lastIsoMsOf(t);
      if (ms !== undefined) { this.lastTimeStr = t; this.lastTimeMs = ms; return ms; }
      ms = Date.parse(t);
      if (Number.isNaN(ms)) ms = parseTimeValue(t);
      this.lastTimeStr = t;
      this.lastTimeMs = ms;
      return ms;
    }
    if (typeof t === 'number') return parseTimeValue(t);
    return jsonEventTime(ev);
  }

  /**
   * Whether an event of a lazy parse (ParseContext.lazy) can be routed before it is completed: the pipeline routes
   * on fields such a parse has set already, and no correlation needs every event's time.
   */
  lazyRouting(readyFields: ReadonlySet<string>): boolean {
    return !this.windowed && this.opts.timeField === undefined && this.opts.pipeline.routeFields.every((f) => readyFields.has(f));
  }

  /**
   * Evaluates one event; returns the detections that alert and the correlations it completes. `complete`, for an
   * event of a lazy parse when lazyRouting() said yes, is called before any rule reads the event (never when
   * routing and the literal scan leave no rule to evaluate).
   */
  process(ev: Event, source?: SourceRef, complete?: (ev: Event) => void): SigmaMatch[] {
    this.atFile = undefined;
    return this.run(ev, source, complete);
  }

  /**
   * process() of an event read from `file` at `line`: its source ref `{ file, line }` is made only when a match
   * needs it. hot path (bench/hunt round 8): huntFiles made one per line, and 97% of the lines match nothing.
   */
  processAt(ev: Event, file: string, line: number, complete?: (ev: Event) => void): SigmaMatch[] {
    this.atFile = file;
    this.atLine = line;
    return this.run(ev, undefined, complete);
  }

  private run(ev: Event, source: SourceRef | undefined, complete: ((ev: Event) => void) | undefined): SigmaMatch[] {
    this.stats.events++;
    const plan = this.route(ev);
    const cands = plan.rules;
    let out: SigmaMatch[] | undefined;
    // processAt: the ref of this line, once made for an alert (the same object for all of this event's alerts)
    let atRef: SourceRef | undefined;
    const n = cands.length;
    const raw = ev.raw;
    // -1: not scanned yet; else the number of literal occurrences the route's scanner found
    let hits = -1;
    // the candidate bits in this.cand are those of this line (else each rule's literals are looked up in `seen`)
    let masked = false;
    // hot path (bench/hunt round 6): a line holding none of the literals of a route whose rules all have literals
    // (42% of the bench's lines) is done here, without walking the rules
    if (plan.allLits && typeof raw === 'string') {
      hits = (plan.scanner as Scanner).scan(raw);
      if (hits === 0) this.stats.prefiltered += n;
      else masked = this.candidates(plan, hits);
    }
    if (n && hits !== 0) {
      const seen = this.scanner.seen;
      const cand = this.cand;
      let ctxReady = false;
      for (let i = 0; i < n; i++) {
        const r = cands[i];
        const lits = r.lits;
        if (lits !== null && typeof raw === 'string') {
          if (hits < 0) {
            hits = (plan.scanner as Scanner).scan(raw);
            if (hits > 0) masked = this.candidates(plan, hits);
          }
          // hot path: most lines hold none of the route's literals, and then no rule with literals is looked into
          if (hits === 0) { this.stats.prefiltered++; continue; }
          let hit = false;
          if (masked) hit = (cand[i >>> 5] & (1 << (i & 31))) !== 0;
          else {
            const e = this.scanner.epoch;
            for (let j = 0; j < lits.length; j++) if (seen[lits[j]] === e) { hit = true; break; }
          }
          if (!hit) { this.stats.prefiltered++; continue; }
        }
        if (!ctxReady) {
          if (complete !== undefined) complete(ev);
          this.ctx.reset(ev);
          ctxReady = true;
        }
        this.stats.evaluated++;
        if (!r.test(this.ctx)) continue;
        this.stats.matches++;
        out ??= [];
        const t = r.feeds.length ? this.timeOf(ev) : undefined;
        const iso = this.isoOf(ev, t);
        if (r.alerts) {
          if (atRef === undefined && this.atFile !== undefined) atRef = { file: this.atFile, line: this.atLine };
          out.push({ rule: r.meta, kind: 'detection', time: iso, event: ev, source: source ?? atRef });
        }
        // hot path (bench/hunt round 9): correlations keep processAt's line as file and number, the ref object is
        // made only for an alert (most matches only feed a correlation)
        for (const f of r.feeds) this.feed(f, ev, t, iso, source, this.atFile, this.atLine, out);
      }
      if (ctxReady) this.stats.typeErrors += this.ctx.typeErrors;
    }
    // the event clock closes windows of undecidable-until-closed correlations
    if (this.windowed) {
      if (complete !== undefined) complete(ev);
      const t = this.timeOf(ev);
      if (t !== undefined && t > this.clock) {
        this.clock = t;
        for (const c of this.correlations) {
          if (c.state.monotone) continue;
          const fires = this.closeWindows(c, t);
          if (fires.length) { out ??= []; for (const f of fires) this.emitFire(c, f, out); }
        }
      }
    }
    return out ?? EMPTY;
  }

  /**
   * Fills this.cand with the rules of `plan` that hold a literal the scan found (hits > 0); false when the scan
   * found more literals than it recorded (the caller then tests each rule's literals).
   */
  private candidates(plan: RoutePlan, hits: number): boolean {
    if (hits > HIT_CAP || plan.masks === null) return false;
    const w = plan.words, masks = plan.masks, cand = this.cand, ids = this.scanner.hitIds;
    for (let k = 0; k < w; k++) cand[k] = 0;
    for (let h = 0; h < hits; h++) {
      const base = ids[h] * w;
      for (let k = 0; k < w; k++) cand[k] |= masks[base + k];
    }
    return true;
  }

  private isoOf(ev: Event, t?: number): string {
    if (typeof ev.time === 'string' && ev.time.endsWith('Z') && ev.time.length === 24) return ev.time;
    const ms = t ?? this.timeOf(ev);
    return ms === undefined ? new Date().toISOString() : isoFromMs(ms);
  }

  /** Feeds a match to a correlation: its source ref is `source`, else (processAt) `{ file, line }` if file is given. */
  private feed(fd: Feed, ev: Event, t: number | undefined, iso: string, source: SourceRef | undefined, file: string | undefined, line: number, out: SigmaMatch[]): void {
    const node = fd.node;
    let fires: CorrelationFire[];
    // a node sharing a primary's state: the primary's feed from this same list came just before, for this event
    if (node.primary !== undefined) fires = (node.primary.lastFires as CorrelationFire[][])[fd.ref];
    else {
      fires = node.state.add(fd.ref, ev, t, iso, source, file, line);
      if (node.lastFires !== undefined) node.lastFires[fd.ref] = fires;
    }
    if (!fires.length) return;
    for (const f of fires) this.emitFire(node, f, out);
  }

  /**
   * The windows of a node's state that close at `now` (undefined: at the end of the input, flush); a node sharing a
   * primary's state gets what the primary's returned just before.
   */
  private closeWindows(node: CorrNode, now: number | undefined): CorrelationFire[] {
    if (node.primary !== undefined) return node.primary.lastClosed as CorrelationFire[];
    const fires = now === undefined ? node.state.flush() : node.state.closeWindows(now);
    if (node.lastClosed !== undefined) node.lastClosed = fires;
    return fires;
  }

  private emitFire(node: CorrNode, f: CorrelationFire, out: SigmaMatch[]): void {
    const c = node.state.corr;
    const iso = isoFromMs(f.time);
    const event: Event = { time: iso, ...f.group };
    if (f.last) {
      for (const k of ['host', 'user', 'src_ip']) if (event[k] === undefined && f.last[k] !== undefined) event[k] = f.last[k];
    }
    const m: SigmaMatch = {
      rule: c, kind: 'correlation', time: iso, event, source: f.source,
      correlation: { type: c.type, group: f.group, timespan: c.timespan, window: { start: isoFromMs(f.windowStart), end: isoFromMs(f.windowEnd) }, value: f.value, events: f.events },
    };
    if (node.alerts) out.push(m);
    for (const fd of node.feeds) this.feed(fd, event, f.time, iso, f.source, undefined, 0, out);
  }

  /** End of input: decides correlations that wait for their window to close. */
  flush(): SigmaMatch[] {
    const out: SigmaMatch[] = [];
    for (const c of this.correlations) for (const f of this.closeWindows(c, undefined)) this.emitFire(c, f, out);
    return out;
  }

  /** Correlation state (open windows per rule id) and the event clock, as JSON. */
  snapshot(): { clock: number | null; correlations: Record<string, CorrelationSnapshot> } {
    const correlations: Record<string, CorrelationSnapshot> = {};
    // a node sharing a primary's state saves that state under its own id too (what its own state held before)
    for (const c of this.correlations) correlations[c.state.corr.id ?? c.state.corr.name ?? c.state.corr.title] = (c.primary ?? c).state.snapshot();
    return { clock: Number.isFinite(this.clock) ? this.clock : null, correlations };
  }

  /** Restores what snapshot() returned; correlations no longer loaded are ignored, new ones start empty. */
  restore(s: { clock: number | null; correlations: Record<string, CorrelationSnapshot> }): void {
    this.clock = s.clock ?? -Infinity;
    const idOf = (c: CorrNode) => c.state.corr.id ?? c.state.corr.name ?? c.state.corr.title;
    for (const c of this.correlations) {
      if (c.primary !== undefined) continue;
      // a shared state: its own id's, else the first of the nodes sharing it that was saved
      let st = s.correlations[idOf(c)];
      if (!st && c.sharedBy) for (const o of c.sharedBy) { st = s.correlations[idOf(o)]; if (st) break; }
      if (st) c.state.restore(st);
    }
  }

  /** Rules loaded (detections and correlations). */
  get ruleCount(): number {
    return this.rules.length + this.correlations.length;
  }

  /** Literal strings the prefilter scans for (for benchmarks and diagnostics). */
  get literals(): string[] {
    return this.scanner.literals;
  }
}

const EMPTY: SigmaMatch[] = [];

/** A map key that does not keep the input chunk alive (event strings are slices of it). */
function ownKey(v: unknown): unknown {
  return typeof v === 'string' ? detach(v) : v;
}

function lower(ls: Logsource): Logsource {
  const o: Logsource = {};
  for (const k of ['category', 'product', 'service'] as const) if (typeof ls[k] === 'string') o[k] = (ls[k] as string).toLowerCase();
  return o;
}
