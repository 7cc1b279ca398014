// The correlation state as it was before bench/hunt round 9 (group, values, entries and entry objects per
// group), kept verbatim as the oracle of correlation-slots.test.ts: the typed-array state must give the same fires
// and the same snapshots for the same inserts. Not used by the product.
import type { Event, SourceRef } from '../../../src/model/event.js';
import type { FieldGetter } from '../../../src/detectors/sigma/context.js';
import type { CorrelationRule, CmpOp } from '../../../src/detectors/sigma/rules.js';
import type { CorrelationFire, CorrelationCounters, CorrelationSnapshot } from '../../../src/detectors/sigma/correlation.js';
import { checkOps, groupKey, percentile } from '../../../src/detectors/sigma/correlation.js';
import { detach } from '../../../src/util/detach.js';

interface Entry {
  t: number;
  ref: number;
  v: unknown;
  src?: SourceRef;
  evTime: string;
}

interface Group {
  key: unknown;
  values: unknown[];
  entries: Entry[];
  maxT: number;
  windowStart: number;
}

const MAX_REFS = 50;

function own<T>(v: T): T {
  return (typeof v === 'string' ? detach(v) : v) as T;
}

const NO_FIRES: CorrelationFire[] = [];
Object.freeze(NO_FIRES);

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

function keyOf1(v: unknown): unknown {
  if (typeof v === 'string') return v.charCodeAt(0) === 0 ? '\u0000S' + v : v;
  if (v !== null && typeof v === 'object') return '\u0000J' + JSON.stringify(v);
  return v;
}

export class ReferenceCorrelationState {
  /** Open groups by key (for monotone correlations: those touched since the last rotation; see rotate()). */
  groups = new Map<unknown, Group>();
  /** Monotone correlations: groups last touched in the previous generation. */
  private older = new Map<unknown, Group>();
  private genNow = -Infinity;
  counters: CorrelationCounters = { missingGroupField: 0, missingValue: 0, missingTime: 0 };
  readonly monotone: boolean;
  private readonly ops: [CmpOp, number][];
  private inserts = 0;
  private now = -Infinity;
  private scratch: unknown[] = [];

  /**
   * @param groupGetters per referenced rule (index in corr.rules): one getter per group-by field
   * @param valueGetters per referenced rule: getters of condition.field (value_* types), else empty
   */
  constructor(readonly corr: CorrelationRule, private groupGetters: FieldGetter[][], private valueGetters: FieldGetter[][]) {
    const n = corr.rules.length;
    this.ops = corr.ops.length ? corr.ops : [['gte', n]];
    const growing = corr.type === 'event_count' || corr.type === 'value_count' || corr.type === 'value_sum' || corr.type === 'temporal' || corr.type === 'temporal_ordered';
    this.monotone = growing && this.ops.every(([op]) => op === 'gt' || op === 'gte');
  }

  /**
   * This state is never fed: the engine decides with `primary` (a correlation with the same definition; see
   * SigmaEngine), whose counters it reports.
   */
  follow(primary: ReferenceCorrelationState): void {
    this.counters = primary.counters;
  }

  private valueOf(g: Entry[], start: number, end: number): number {
    const c = this.corr;
    if (c.type === 'event_count') {
      // hot path (every add of a burst rule): count without building the window
      let k = 0;
      for (let i = 0; i < g.length; i++) { const t = g[i].t; if (t >= start && t <= end) k++; }
      return k;
    }
    if (c.type === 'value_count') {
      // distinct values in the window; primitives are told apart by a Set as JSON would tell them apart
      // hot path (every add of a value_count rule): small windows are counted by comparison in a reused scratch
      // list, without a Set per event
      const xs = this.scratch;
      xs.length = 0;
      for (let i = 0; i < g.length; i++) {
        const e = g[i];
        if (e.t < start || e.t > end) continue;
        xs.push(e.v !== null && typeof e.v === 'object' ? '\u0000' + JSON.stringify(e.v) : e.v);
      }
      if (xs.length > 32) return new Set(xs).size;
      let k = 0;
      for (let i = 0; i < xs.length; i++) {
        let j = 0;
        const x = xs[i];
        while (j < i && !sameValueZero(xs[j], x)) j++;
        if (j === i) k++;
      }
      xs.length = 0;
      return k;
    }
    if (c.type === 'temporal' && c.rules.length <= 30) {
      // distinct referenced rules in the window, as a bit set (no Set or window array per event)
      let seen = 0, k = 0;
      for (let i = 0; i < g.length; i++) {
        const e = g[i];
        if (e.t < start || e.t > end) continue;
        const bit = 1 << e.ref;
        if ((seen & bit) === 0) { seen |= bit; k++; }
      }
      return k;
    }
    if (c.type === 'temporal_ordered') {
      // how many referenced rules matched in order inside the window (entries are in time order)
      let pos = start, k = 0;
      for (let r = 0; r < c.rules.length; r++) {
        // the first entry of rule r at or after the previous one's time (same search as the general case below)
        let i = 0;
        while (i < g.length && !(g[i].ref === r && g[i].t >= pos && g[i].t >= start && g[i].t <= end)) i++;
        if (i >= g.length) break;
        pos = g[i].t;
        k++;
      }
      return k;
    }
    const win = g.filter((e) => e.t >= start && e.t <= end);
    switch (c.type) {
      case 'temporal': return new Set(win.map((e) => e.ref)).size;
      default: {
        const xs = win.map((e) => e.v as number);
        if (!xs.length) return NaN;
        if (c.type === 'value_sum') return xs.reduce((a, b) => a + b, 0);
        if (c.type === 'value_avg') return xs.reduce((a, b) => a + b, 0) / xs.length;
        const sorted = xs.slice().sort((a, b) => a - b);
        return percentile(sorted, c.type === 'value_median' ? 50 : (c.percentile ?? 50));
      }
    }
  }

  private fire(g: Group, start: number, end: number, value: number, last?: Event): CorrelationFire {
    const inWin = g.entries.filter((e) => e.t >= start && e.t <= end);
    const group: Record<string, unknown> = {};
    this.corr.groupBy.forEach((f, i) => { group[f] = g.values[i]; });
    const lastE = inWin[inWin.length - 1];
    return {
      corr: this.corr,
      time: lastE ? lastE.t : end,
      group,
      windowStart: inWin[0]?.t ?? start,
      windowEnd: lastE?.t ?? end,
      value,
      events: inWin.slice(-MAX_REFS).map((e) => ({ time: e.evTime, rule: this.corr.rules[e.ref], file: e.src?.file, line: e.src?.line })),
      source: lastE?.src,
      last,
    };
  }

  /** A match of referenced rule `ref` on `ev` at time `t` (ms). Returns fires decided now. */
  add(ref: number, ev: Event, t: number | undefined, evTime: string, src?: SourceRef): CorrelationFire[] {
    if (t === undefined || !Number.isFinite(t)) { this.counters.missingTime++; return NO_FIRES; }
    // hot path (every match of a helper rule; 20% of the lines of bench/hunt): the group is looked up by a key
    // built from the group-by values without an array or JSON per event; the values are copied (own) only when
    // a new group is created. Was: values array + JSON.stringify key + splice per event, 8% of the profile.
    const gg = this.groupGetters[ref];
    let key: unknown = '';
    let v0: unknown;
    if (gg.length === 1) {
      v0 = gg[0](ev);
      if (v0 === undefined || v0 === null || v0 === '') { this.counters.missingGroupField++; return NO_FIRES; }
      key = keyOf1(v0);
    } else if (gg.length > 1) {
      let k = '';
      let plain = true;
      for (let i = 0; i < gg.length; i++) {
        const v = gg[i](ev);
        if (v === undefined || v === null || v === '') { this.counters.missingGroupField++; return NO_FIRES; }
        if (plain && typeof v === 'string' && v.indexOf('\u0000') < 0 && v.indexOf('\u0001') < 0) k = i === 0 ? v : k + '\u0001' + v;
        else plain = false;
      }
      key = plain ? k : '\u0000' + JSON.stringify(gg.map((g) => g(ev)));
    }
    let v: unknown;
    const vg = this.valueGetters[ref];
    if (vg.length) {
      const vals = vg.map((g) => g(ev));
      if (vals.some((x) => x === undefined || x === null)) { this.counters.missingValue++; return NO_FIRES; }
      if (this.corr.type === 'value_count') v = vals.length === 1 ? own(vals[0]) : vals.map(own);
      else {
        const n = typeof vals[0] === 'number' ? vals[0] : Number(vals[0]);
        if (!Number.isFinite(n)) { this.counters.missingValue++; return NO_FIRES; }
        v = n;
      }
    }
    let out: CorrelationFire[] | undefined;
    if (t > this.now) {
      this.now = t;
      if (!this.monotone) { const c = this.closeWindows(t); if (c.length) out = c; }
    }
    let g = this.groups.get(key);
    if (g === undefined && this.older.size !== 0) {
      g = this.older.get(key);
      if (g !== undefined) { this.older.delete(key); this.groups.set(key, g); }
    }
    const e: Entry = { t, ref, v, src, evTime };
    let entries: Entry[];
    if (!g) {
      // hot path (bench/hunt round 5): a new group's entry list is made holding its entry (an empty list that is
      // pushed to gets room for 17; most groups keyed by source address never see a second event), and one copy
      // of a single group-by value serves as key and value
      let values: unknown[];
      let gkey: unknown;
      if (gg.length === 1) { const o = own(v0); values = [o]; gkey = keyOf1(o); }
      else { values = gg.map((x) => own(x(ev))); gkey = own(key); }
      entries = [e];
      g = { key: gkey, values, entries, maxT: t, windowStart: t };
      this.groups.set(gkey, g);
    } else {
      // insert keeping time order (inputs are mostly ordered: append, else search from the end)
      entries = g.entries;
      let i = entries.length;
      if (i === 0 || entries[i - 1].t <= t) entries.push(e);
      else {
        while (i > 0 && entries[i - 1].t > t) i--;
        entries.splice(i, 0, e);
      }
    }
    if (t > g.maxT) g.maxT = t;
    const span = this.corr.timespanMs;
    if (this.monotone) {
      // sliding window ending at this event
      let drop = 0;
      const from = g.maxT - span;
      while (drop < entries.length && entries[drop].t < from) drop++;
      if (drop) entries.splice(0, drop);
      const start = t - span;
      const val = this.valueOf(entries, start, t);
      if (checkOps(this.ops, val)) {
        (out ??= []).push(this.fire(g, start, t, val, ev));
        g.entries = entries.filter((x) => x.t > t);
      }
    } else if (entries.length === 1) g.windowStart = entries[0].t;
    ++this.inserts;
    if (this.monotone && this.now > this.genNow + span) this.rotate();
    return out ?? NO_FIRES;
  }

  /** Closes windows that ended before `now` (event clock); returns their decisions. */
  closeWindows(now: number): CorrelationFire[] {
    if (this.monotone) return [];
    const out: CorrelationFire[] = [];
    const span = this.corr.timespanMs;
    for (const g of this.groups.values()) {
      while (g.entries.length && now > g.windowStart + span) {
        const end = g.windowStart + span;
        const val = this.valueOf(g.entries, g.windowStart, end);
        if (!Number.isNaN(val) && checkOps(this.ops, val)) out.push(this.fire(g, g.windowStart, end, val));
        g.entries = g.entries.filter((x) => x.t > end);
        if (g.entries.length) g.windowStart = g.entries[0].t;
      }
      if (!g.entries.length) this.groups.delete(g.key);
    }
    return out;
  }

  /** End of input: decide every open window. */
  flush(): CorrelationFire[] {
    if (this.monotone) { this.groups.clear(); this.older.clear(); return []; }
    const out = this.closeWindows(Infinity);
    this.groups.clear();
    return out;
  }

  /** The open windows as JSON (scale-out: a partition's state moves with it to another detector process). */
  snapshot(): CorrelationSnapshot {
    return { now: Number.isFinite(this.now) ? this.now : null, inserts: this.inserts, groups: [...this.older.values(), ...this.groups.values()] };
  }

  restore(s: CorrelationSnapshot): void {
    this.now = s.now ?? -Infinity;
    this.inserts = s.inserts;
    this.groups.clear();
    this.older.clear();
    this.genNow = this.now;
    // the key is rebuilt from the values (snapshots of earlier versions keyed groups by JSON)
    for (const g of s.groups) {
      const key = groupKey(g.values);
      this.groups.set(key, { ...g, key, entries: g.entries.map((e) => ({ ...e })) });
    }
  }

  /**
   * hot path (monotone correlations): groups age out by generation. Groups not touched since the previous rotation
   * (their newest event is more than a timespan old, so they hold nothing a later event could count) are dropped
   * with their whole map. Was: deleting stale groups one by one every 10,000 inserts, and V8 Maps with that much
   * delete churn cost about 1 us per lookup (bench/hunt groups by random source addresses).
   */
  private rotate(): void {
    this.older = this.groups;
    this.groups = new Map();
    this.genNow = this.now;
  }
}
