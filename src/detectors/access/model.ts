/**
 * The learned per-operator behaviour model of access-audit activity, and the anomaly score of one operator-hour.
 * Method and parameters: docs/ACCESS.md ("Behaviour model"). Quantiles come from simple-statistics.
 */
import { quantileSorted } from 'simple-statistics';
import type { AccessEvent } from '../../model/access.js';
import { normalizeTarget } from './warrants.js';
import { parseIsoMs } from '../../util/time.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Per active operator-hour. */
export const HOUR_METRICS = ['searches', 'targets', 'records', 'export_bytes', 'provisions'] as const;
export type HourMetric = (typeof HOUR_METRICS)[number];
/** Per operator-day (the operator's own day, which starts at its quietest hour). */
export const DAY_METRICS = ['searches_day', 'targets_day'] as const;
export type DayMetric = (typeof DAY_METRICS)[number];

export interface Quantiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** 99th percentile of a log-normal through the median and the 90th percentile of the positive values; steadier
   * than the empirical one for small samples. 0 when fewer than 5 positive values. */
  p99_fit?: number;
}

export interface OperatorModel {
  operator: string;
  first: string;
  last: string;
  /** Weeks of history the operator spans (the denominator of `how`). */
  weeks: number;
  active_hours: number;
  active_days: number;
  /** UTC hour at which this operator's day starts for the daily volumes (the quietest hour of its day). */
  day_start_hour: number;
  /** 168 counts, Monday 00:00 UTC first: in how many weeks of history the operator was active in that hour. */
  how: number[];
  hour: Record<HourMetric, Quantiles>;
  day: Record<DayMetric, Quantiles>;
  /** Bytes per single export. */
  export_size: Quantiles;
  /** Active hours per source (its host name and its IP address each count), per system, per action. */
  hosts: Record<string, number>;
  systems: Record<string, number>;
  actions: Record<string, number>;
}

/** Parameters of learning and scoring (docs/ACCESS.md lists each with its reason). */
export interface ModelParams {
  /** Anomaly score at or above which an operator-hour is an alert. */
  threshold: number;
  /** Operators with fewer active hours of history are scored against the population's volumes. */
  min_hours: number;
  /** Smoothed share of history weeks active in an hour of week below which the hour counts as unusual. */
  unusual_hour_p: number;
  /** Score of an hour the operator never works (scaled down linearly as the share approaches unusual_hour_p). */
  unusual_hour_weight: number;
  /** Multiplier on the 99th percentile before an hour's volume counts as excess. */
  volume_margin: number;
  /** The same for daily volumes (their 99th percentile is already the larger of the empirical and the fitted one). */
  daily_margin: number;
  /** Smallest reference volumes, so quiet operators are not flagged for a handful of actions. */
  floors: Record<HourMetric | DayMetric | 'export_size', number>;
  /** Weight of the second and further volume components (they are correlated with the first). */
  secondary_weight: number;
  new_host_weight: number;
  new_system_weight: number;
  new_action_weight: number;
}

export const DEFAULT_MODEL_PARAMS: ModelParams = {
  threshold: 1,
  min_hours: 40,
  unusual_hour_p: 0.05,
  unusual_hour_weight: 0.8,
  volume_margin: 1.75,
  daily_margin: 1.5,
  floors: {
    searches: 8, targets: 6, records: 2000, export_bytes: 5_000_000, provisions: 6,
    searches_day: 30, targets_day: 15, export_size: 5_000_000,
  },
  secondary_weight: 0.25,
  new_host_weight: 0.35,
  new_system_weight: 0.5,
  new_action_weight: 0.5,
};

/** A learned model set: what `access learn` stores and `access check` loads. */
export interface AccessModelSet {
  version: 1;
  learned_at: string;
  params: ModelParams;
  history: { from: string; until: string; events: number; operators: number };
  /** By lower-cased operator name. */
  operators: Record<string, OperatorModel>;
  /** Every operator pooled: used for operators with little or no history. */
  population: OperatorModel;
}

// ---------------------------------------------------------------------------------------------------------------

/** Hour of week, Monday 00:00 UTC = 0 (1970-01-01 was a Thursday). */
export function hourOfWeek(hourIndex: number): number {
  const day = Math.floor(hourIndex / 24);
  return (((day + 3) % 7) * 24) + (hourIndex - day * 24);
}
function weekIndex(hourIndex: number): number {
  return Math.floor((Math.floor(hourIndex / 24) + 3) / 7);
}

const INTERCEPT_ACTIONS = new Set(['provision_intercept', 'modify_intercept', 'deprovision_intercept']);
export const WINDOW_MS = HOUR_MS;

/**
 * Search-like activity (searches and exports) of one operator in the trailing 60 minutes, so a burst that
 * straddles a clock hour counts whole. Amortized O(1) per event.
 */
export class Window60 {
  // hot path (every search and export): parallel arrays, the targets of all events in one flat list, so nothing
  // the caller passes is kept
  private readonly t: number[] = [];
  private readonly s: number[] = [];
  private readonly r: number[] = [];
  /** Number of targets of each event, and the targets one after another. */
  private readonly n: number[] = [];
  private readonly g: string[] = [];
  private head = 0;
  private gHead = 0;
  searches = 0;
  records = 0;
  /** Distinct targets in the window with their counts. */
  readonly counts = new Map<string, number>();

  /** Time of the oldest event in the window. */
  get start(): number {
    return this.t[this.head];
  }

  add(time: number, search: boolean, records: number, targets: readonly string[]): void {
    this.evict(time - WINDOW_MS);
    this.t.push(time);
    this.s.push(search ? 1 : 0);
    this.r.push(records);
    this.n.push(targets.length);
    if (search) this.searches++;
    this.records += records;
    const counts = this.counts;
    for (let i = 0; i < targets.length; i++) {
      const x = targets[i];
      this.g.push(x);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
  }

  private evict(before: number): void {
    const t = this.t;
    let h = this.head;
    let gh = this.gHead;
    const counts = this.counts;
    while (h < t.length && t[h] <= before) {
      this.searches -= this.s[h];
      this.records -= this.r[h];
      for (let k = this.n[h]; k > 0; k--) {
        const x = this.g[gh++];
        const c = counts.get(x)! - 1;
        if (c) counts.set(x, c);
        else counts.delete(x);
      }
      h++;
    }
    if (h > 512 && h * 2 > t.length) {
      t.splice(0, h);
      this.s.splice(0, h);
      this.r.splice(0, h);
      this.n.splice(0, h);
      this.g.splice(0, gh);
      h = 0;
      gh = 0;
    }
    this.head = h;
    this.gHead = gh;
  }
}

export type WindowMetric = 'searches' | 'targets' | 'records';

/** What one operator did in one hour. Shared by learning and scoring so both count the same way. */
export class HourBucket {
  events = 0;
  /** Totals of the clock hour. */
  searches = 0;
  records = 0;
  export_bytes = 0;
  max_export = 0;
  provisions = 0;
  /** Distinct targets searched or exported in the clock hour. */
  readonly targets = new Set<string>();
  /** Peaks of the trailing 60-minute window over events of this hour, and where each peak window starts and ends. */
  readonly peak: Record<WindowMetric, number> = { searches: 0, targets: 0, records: 0 };
  readonly peakFrom: Record<WindowMetric, number> = { searches: 0, targets: 0, records: 0 };
  readonly peakTo: Record<WindowMetric, number> = { searches: 0, targets: 0, records: 0 };
  /** Sources as `host|ip` (either part may be empty), lower case. */
  readonly hosts = new Set<string>();
  readonly systems = new Set<string>();
  readonly actions = new Set<string>();
  exports?: number[];
  private lastHost?: string;
  private lastIp?: string;
  private lastSystem?: string;
  private lastAction?: string;
  /** The operator-hour (hours since 1970); set anew by reset(). */
  hour: number;
  constructor(hour: number, keepExports = false) {
    this.hour = hour;
    if (keepExports) this.exports = [];
  }

  /** Empties the bucket for another hour (hot path: the monitor reuses one bucket per operator). */
  reset(hour: number): this {
    this.hour = hour;
    this.events = this.searches = this.records = this.export_bytes = this.max_export = this.provisions = 0;
    this.targets.clear();
    this.peak.searches = this.peak.targets = this.peak.records = 0;
    this.peakFrom.searches = this.peakFrom.targets = this.peakFrom.records = 0;
    this.peakTo.searches = this.peakTo.targets = this.peakTo.records = 0;
    this.hosts.clear();
    this.systems.clear();
    this.actions.clear();
    if (this.exports) this.exports.length = 0;
    this.lastHost = this.lastIp = this.lastSystem = this.lastAction = undefined;
    return this;
  }

  add(e: AccessEvent, t: number, nts: readonly string[], win: Window60): void {
    this.events++;
    const a = e.action;
    const search = a === 'search';
    if (search || a === 'export') {
      const rec = e.records ?? 0;
      if (search) this.searches++;
      else {
        const b = e.bytes ?? 0;
        this.export_bytes += b;
        if (b > this.max_export) this.max_export = b;
        this.exports?.push(b);
      }
      this.records += rec;
      for (const x of nts) this.targets.add(x);
      win.add(t, search, rec, nts);
      this.bump('searches', win.searches, win, t);
      this.bump('targets', win.counts.size, win, t);
      this.bump('records', win.records, win, t);
    } else if (INTERCEPT_ACTIONS.has(a)) this.provisions++;
    if ((e.src_host || e.src_ip) && (e.src_host !== this.lastHost || e.src_ip !== this.lastIp)) {
      // an operator keeps one source for hours: build the key only when it changes
      this.lastHost = e.src_host;
      this.lastIp = e.src_ip;
      this.hosts.add(`${e.src_host ?? ''}|${e.src_ip ?? ''}`.toLowerCase());
    }
    if (e.system !== this.lastSystem) {
      this.lastSystem = e.system;
      this.systems.add(e.system);
    }
    if (a !== this.lastAction) {
      this.lastAction = a;
      this.actions.add(a);
    }
  }

  private bump(m: WindowMetric, v: number, win: Window60, t: number): void {
    if (v > this.peak[m]) {
      this.peak[m] = v;
      this.peakFrom[m] = win.start;
      this.peakTo[m] = t;
    }
  }

  /** The scored value of a metric: 60-minute peaks for searches, targets and records; hour totals otherwise. */
  metric(m: HourMetric): number {
    return m === 'searches' || m === 'targets' || m === 'records' ? this.peak[m] : this[m];
  }
}

/** Per-operator day accumulator (day = the operator's own day). */
export class DayState {
  searches = 0;
  readonly targets = new Set<string>();
  /** A daily excess was already part of an alert today. */
  alerted = false;
  constructor(readonly day: number) {}
  addBucket(b: HourBucket): void {
    this.searches += b.searches;
    for (const t of b.targets) this.targets.add(t);
  }
  metric(m: DayMetric): number {
    return m === 'searches_day' ? this.searches : this.targets.size;
  }
}

export function dayIndex(hourIndex: number, dayStartHour: number): number {
  return Math.floor((hourIndex - dayStartHour) / 24);
}

// ---------------------------------------------------------------------------------------------------------------
// Learning

/** z of the 90th and 99th percentiles of the standard normal. */
const Z90 = 1.2815515655446004;
const Z99 = 2.3263478740408408;

function quantiles(xs: number[], fit = false): Quantiles {
  if (!xs.length) return { n: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const s = Float64Array.from(xs).sort() as unknown as number[];
  const q: Quantiles = { n: xs.length, p50: quantileSorted(s, 0.5), p90: quantileSorted(s, 0.9), p99: quantileSorted(s, 0.99), max: s[s.length - 1] };
  if (fit) {
    // a log-normal through the median and the 90th percentile of the positive values, read at 99 %: it follows
    // the upper half only, so short or half days (the left tail) do not widen it
    const pos = Float64Array.from(xs.filter((x) => x > 0)).sort() as unknown as number[];
    if (pos.length >= 5) {
      const m = quantileSorted(pos, 0.5);
      const p90 = Math.max(m, quantileSorted(pos, 0.9));
      q.p99_fit = m * (p90 / m) ** (Z99 / Z90);
    } else q.p99_fit = 0;
  }
  return q;
}

class OperatorLearner {
  readonly hourly: Record<HourMetric, number[]> = { searches: [], targets: [], records: [], export_bytes: [], provisions: [] };
  readonly daily: Record<DayMetric, number[]> = { searches_day: [], targets_day: [] };
  readonly exportSizes: number[] = [];
  readonly weeksActive: Set<number>[] = Array.from({ length: 168 }, () => new Set<number>());
  readonly hosts: Record<string, number> = {};
  readonly systems: Record<string, number> = {};
  readonly actions: Record<string, number> = {};
  bucket?: HourBucket;
  day?: DayState;
  readonly win = new Window60();
  first = Infinity;
  last = -Infinity;
  activeHours = 0;
  activeDays = 0;
  constructor(readonly name: string, readonly dayStartHour: number) {}

  add(e: AccessEvent, t: number): void {
    if (t < this.first) this.first = t;
    if (t > this.last) this.last = t;
    const h = Math.floor(t / HOUR_MS);
    if (this.bucket && this.bucket.hour !== h) this.close();
    if (!this.bucket) this.bucket = new HourBucket(h, true);
    this.bucket.add(e, t, e.targets.length ? e.targets.map(normalizeTarget) : [], this.win);
  }

  close(): void {
    const b = this.bucket;
    if (!b) return;
    this.bucket = undefined;
    this.activeHours++;
    for (const m of HOUR_METRICS) this.hourly[m].push(b.metric(m));
    this.exportSizes.push(...(b.exports ?? []));
    this.weeksActive[hourOfWeek(b.hour)].add(weekIndex(b.hour));
    const seen = new Set<string>();
    for (const pair of b.hosts) for (const x of pair.split('|')) if (x) seen.add(x);
    for (const x of seen) this.hosts[x] = (this.hosts[x] ?? 0) + 1;
    for (const x of b.systems) this.systems[x] = (this.systems[x] ?? 0) + 1;
    for (const x of b.actions) this.actions[x] = (this.actions[x] ?? 0) + 1;
    const d = dayIndex(b.hour, this.dayStartHour);
    if (this.day && this.day.day !== d) this.closeDay();
    if (!this.day) this.day = new DayState(d);
    this.day.addBucket(b);
  }

  closeDay(): void {
    if (!this.day) return;
    this.activeDays++;
    for (const m of DAY_METRICS) this.daily[m].push(this.day.metric(m));
    this.day = undefined;
  }

  finish(): OperatorModel {
    this.close();
    this.closeDay();
    const weeks = Math.max(1, Math.ceil((this.last - this.first + 1) / (7 * DAY_MS)));
    return {
      operator: this.name,
      first: new Date(this.first).toISOString(),
      last: new Date(this.last).toISOString(),
      weeks,
      active_hours: this.activeHours,
      active_days: this.activeDays,
      day_start_hour: this.dayStartHour,
      how: this.weeksActive.map((s) => s.size),
      hour: Object.fromEntries(HOUR_METRICS.map((m) => [m, quantiles(this.hourly[m])])) as Record<HourMetric, Quantiles>,
      day: Object.fromEntries(DAY_METRICS.map((m) => [m, quantiles(this.daily[m], true)])) as Record<DayMetric, Quantiles>,
      export_size: quantiles(this.exportSizes, true),
      hosts: this.hosts,
      systems: this.systems,
      actions: this.actions,
    };
  }
}

/** The UTC hour that starts an operator's day: the quietest hour-of-day of its history (ties: the earliest). */
function quietestHour(counts: number[]): number {
  // the start of the longest run of the least active hours, so a night gap is chosen over a lunch dip
  let best = 0;
  let bestScore = Infinity;
  for (let h = 0; h < 24; h++) {
    // activity in the 6 hours around h: a day boundary belongs in the middle of the quiet stretch
    let s = 0;
    for (let k = -3; k <= 3; k++) s += counts[(h + k + 24) % 24];
    if (s < bestScore) { bestScore = s; best = h; }
  }
  return best;
}

/**
 * Learns one model per operator (and a pooled population model) from history. Events need not be in order.
 * Bad times are skipped (the readers never produce them).
 */
export function learnAccessModels(events: Iterable<AccessEvent>, params: Partial<ModelParams> = {}, now = new Date()): AccessModelSet {
  const rows: { e: AccessEvent; t: number }[] = [];
  for (const e of events) {
    const t = parseIsoMs(e.time);
    if (Number.isFinite(t)) rows.push({ e, t });
  }
  rows.sort((a, b) => a.t - b.t);
  const hod = new Map<string, number[]>();
  const names = new Map<string, string>();
  for (const { e, t } of rows) {
    const k = e.operator.toLowerCase();
    let c = hod.get(k);
    if (!c) { hod.set(k, (c = new Array(24).fill(0))); names.set(k, e.operator); }
    c[Math.floor(t / HOUR_MS) % 24]++;
  }
  const learners = new Map<string, OperatorLearner>();
  for (const [k, c] of hod) learners.set(k, new OperatorLearner(names.get(k)!, quietestHour(c)));
  for (const { e, t } of rows) learners.get(e.operator.toLowerCase())!.add(e, t);
  const operators: Record<string, OperatorModel> = {};
  const pool = new OperatorLearner('*population*', 0);
  const popHow = new Array(168).fill(0);
  let popWeeks = 0;
  for (const [k, l] of learners) {
    const m = l.finish();
    operators[k] = m;
    for (const mm of HOUR_METRICS) pool.hourly[mm].push(...l.hourly[mm]);
    for (const mm of DAY_METRICS) pool.daily[mm].push(...l.daily[mm]);
    pool.exportSizes.push(...l.exportSizes);
    for (let i = 0; i < 168; i++) popHow[i] += m.how[i];
    popWeeks += m.weeks;
    for (const [x, n] of Object.entries(m.hosts)) pool.hosts[x] = (pool.hosts[x] ?? 0) + n;
    for (const [x, n] of Object.entries(m.systems)) pool.systems[x] = (pool.systems[x] ?? 0) + n;
    for (const [x, n] of Object.entries(m.actions)) pool.actions[x] = (pool.actions[x] ?? 0) + n;
    pool.activeHours += m.active_hours;
    pool.activeDays += m.active_days;
  }
  const first = rows.length ? rows[0].t : now.getTime();
  const last = rows.length ? rows[rows.length - 1].t : now.getTime();
  pool.first = first;
  pool.last = last;
  const population: OperatorModel = { ...pool.finish(), how: popHow, weeks: Math.max(1, popWeeks) };
  return {
    version: 1,
    learned_at: now.toISOString(),
    params: { ...DEFAULT_MODEL_PARAMS, ...params, floors: { ...DEFAULT_MODEL_PARAMS.floors, ...(params.floors ?? {}) } },
    history: { from: new Date(first).toISOString(), until: new Date(last).toISOString(), events: rows.length, operators: learners.size },
    operators,
    population,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Scoring

export interface ScoreComponent {
  name: string;
  score: number;
  /** The reason in words (built only when asked: most hours never need it). */
  reason: () => string;
  /** Volume components share one family: only the largest counts fully. */
  family?: 'volume' | 'daily';
  /** For 60-minute peaks: when the peak window starts (it may reach into the previous hour). */
  from?: number;
}

export interface HourScore {
  score: number;
  components: ScoreComponent[];
}

/** The volumes above which each metric scores, per model and parameters (the same arithmetic as scoreHour's). */
interface VolumeRefs { p: ModelParams; hour: number[]; day: number[]; exportSize: number }
const REFS = new WeakMap<OperatorModel, VolumeRefs>();
function volumeRefs(vol: OperatorModel, p: ModelParams): VolumeRefs {
  let r = REFS.get(vol);
  if (r && r.p === p) return r;
  const exportP99 = Math.max(vol.export_size.p99, vol.export_size.p99_fit ?? 0);
  r = {
    p,
    hour: HOUR_METRICS.map((m) => {
      const q = vol.hour[m];
      const p99 = m === 'export_bytes' ? Math.max(q.p99, exportP99) : q.p99;
      return Math.max(p99 * p.volume_margin, p.floors[m]);
    }),
    day: DAY_METRICS.map((m) => {
      const q = vol.day[m];
      return Math.max(Math.max(q.p99, q.p99_fit ?? 0) * p.daily_margin, p.floors[m]);
    }),
    exportSize: Math.max(0, Math.max(exportP99 * p.volume_margin, p.floors.export_size)),
  };
  REFS.set(vol, r);
  return r;
}

function log2ratio(x: number, ref: number): number {
  return Math.log2(x / ref);
}

function spanOf(hour: number): string {
  return `between ${hh(hour)} and ${hh(hour + 1)} UTC`;
}

/** activityShare per model and hour of week, computed once (hot path: every scored operator-hour asks). */
const SHARES = new WeakMap<OperatorModel, Float64Array>();
function shareOf(m: OperatorModel, how: number): number {
  let a = SHARES.get(m);
  if (!a) SHARES.set(m, (a = new Float64Array(168).fill(NaN)));
  let v = a[how];
  if (Number.isNaN(v)) v = a[how] = activityShare(m, how);
  return v;
}

/** Per model: whether a `host|ip` source pair is known to the history (by its host name or its address). */
const KNOWN_SOURCES = new WeakMap<OperatorModel, Map<string, boolean>>();
function allSourcesKnown(m: OperatorModel, pairs: ReadonlySet<string>): boolean {
  let memo = KNOWN_SOURCES.get(m);
  if (!memo) KNOWN_SOURCES.set(m, (memo = new Map()));
  for (const pair of pairs) {
    let k = memo.get(pair);
    if (k === undefined) {
      const bar = pair.indexOf('|');
      const host = pair.slice(0, bar);
      const ip = pair.slice(bar + 1);
      k = !!((host && m.hosts[host]) || (ip && m.hosts[ip]));
      if (memo.size > 10_000) memo.clear();
      memo.set(pair, k);
    }
    if (!k) return false;
  }
  return true;
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function hhmmss(t: number): string {
  return new Date(t).toISOString().slice(11, 19);
}

function hh(h: number): string {
  return `${String(((h % 24) + 24) % 24).padStart(2, '0')}:00`;
}

/**
 * How usual an hour of the week is for an operator: the larger of (a) the share of history weeks in which the
 * operator was active in that hour of the week and (b) the share of days of the same type (weekdays, or weekend
 * days) on which it was active at that hour of the day. Neighbouring hours count half in both (so a shift that
 * starts a little early, or daylight saving time, is not unusual); (b) lets overtime seen on some weekdays cover
 * the others.
 */
export function activityShare(m: OperatorModel, how: number): number {
  const a = m.how;
  const at = (i: number) => a[i] + 0.5 * (a[(i + 167) % 168] + a[(i + 1) % 168]);
  const byWeek = at(how) / (2 * m.weeks);
  const day = Math.floor(how / 24);
  const hour = how % 24;
  const days = day < 5 ? [0, 1, 2, 3, 4] : [5, 6];
  let s = 0;
  for (const d of days) s += at(d * 24 + hour);
  const byDay = s / (2 * m.weeks * days.length);
  return Math.min(1, Math.max(byWeek, byDay));
}

/** "09:00 to 18:00 UTC on weekdays" (and weekends when the operator works them), from the hour-of-week counts. */
export function usualHours(m: OperatorModel): string {
  const part = (days: number[]) => {
    const share = Array.from({ length: 24 }, (_, h) => days.reduce((s, d) => s + m.how[d * 24 + h], 0) / (days.length * m.weeks));
    const on = share.map((x) => x >= 0.25);
    if (!on.some(Boolean)) return undefined;
    if (on.every(Boolean)) return 'around the clock';
    // the longest circular run of active hours
    let bestStart = 0;
    let bestLen = 0;
    for (let s = 0; s < 24; s++) {
      if (!on[s] || on[(s + 23) % 24]) continue;
      let len = 0;
      while (len < 24 && on[(s + len) % 24]) len++;
      if (len > bestLen) { bestLen = len; bestStart = s; }
    }
    return `${hh(bestStart)} to ${hh(bestStart + bestLen)} UTC`;
  };
  const wd = part([0, 1, 2, 3, 4]);
  const we = part([5, 6]);
  if (!wd && !we) return 'no regular working hours in the history';
  if (wd && we) return `usually ${wd} on weekdays and ${we} at weekends`;
  return wd ? `usually ${wd} on weekdays` : `usually ${we} at weekends`;
}

function fmtNum(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}
export function fmtBytes(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(1)} GB`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} MB`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} kB`;
  return `${Math.round(x)} bytes`;
}

const HOUR_TEXT: Record<HourMetric, (x: number) => string> = {
  searches: (x) => `ran ${fmtNum(x)} searches`,
  targets: (x) => `searched or exported ${fmtNum(x)} distinct subscribers`,
  records: (x) => `retrieved ${fmtNum(x)} records`,
  export_bytes: (x) => `exported ${fmtBytes(x)}`,
  provisions: (x) => `made ${fmtNum(x)} intercept changes (provision, modify, deprovision)`,
};

/**
 * Scores one closed operator-hour against the operator's model (or the population's, for an operator with
 * little or no history). `day` holds the operator's day so far, this hour included.
 */
// hot path: once per closed operator-hour. Only fixed work and lookups in per-model tables built once (hour-of-week
// shares, known sources); components, and the closures that word them, are made only for what exceeds the model.
export function scoreHour(
  b: HourBucket, day: DayState | undefined, model: OperatorModel | undefined, pop: OperatorModel, p: ModelParams,
): HourScore {
  const own = model && model.active_hours >= p.min_hours ? model : undefined;
  const vol = own ?? pop;
  const whose = own ? "this operator's" : model ? "the population's (this operator has little history)" : "the population's (no history for this operator)";
  const comps: ScoreComponent[] = [];

  const exportP99 = Math.max(vol.export_size.p99, vol.export_size.p99_fit ?? 0);
  const refs = volumeRefs(vol, p);
  for (let i = 0; i < HOUR_METRICS.length; i++) {
    const m = HOUR_METRICS[i];
    const x = b.metric(m);
    if (!x || x <= refs.hour[i]) continue;
    const q = vol.hour[m];
    // exports are sparse (most active hours have none), so an hour's export volume is also held against the
    // size of a single large export
    const p99 = m === 'export_bytes' ? Math.max(q.p99, exportP99) : q.p99;
    const ref = Math.max(p99 * p.volume_margin, p.floors[m]);
    if (x <= ref) continue;
    const fmt = m === 'export_bytes' ? fmtBytes : fmtNum;
    const when = m === 'searches' || m === 'targets' || m === 'records'
      ? () => `in the 60 minutes from ${hhmmss(b.peakFrom[m])} to ${hhmmss(b.peakTo[m])} UTC`
      : () => spanOf(b.hour);
    comps.push({
      name: m, family: 'volume', score: log2ratio(x, ref), from: m === 'searches' || m === 'targets' || m === 'records' ? b.peakFrom[m] : undefined,
      reason: () => `${HOUR_TEXT[m](x)} ${when()}; ${whose} 99th percentile is ${fmt(p99)} per hour${p99 * p.volume_margin < p.floors[m] ? ` (the model's floor is ${fmt(p.floors[m])})` : ''}`,
    });
  }
  if (b.max_export > refs.exportSize) {
    const ref = Math.max(exportP99 * p.volume_margin, p.floors.export_size);
    if (b.max_export > ref) {
      comps.push({
        name: 'export_size', family: 'volume', score: log2ratio(b.max_export, ref),
        reason: () => `made an export of ${fmtBytes(b.max_export)} ${spanOf(b.hour)}; ${whose} 99th percentile export is ${fmtBytes(exportP99)}`,
      });
    }
  }
  if (day && !day.alerted) {
    for (let i = 0; i < DAY_METRICS.length; i++) {
      const m = DAY_METRICS[i];
      const x = day.metric(m);
      if (x <= refs.day[i]) continue;
      const q = vol.day[m];
      // about one sample per working day: the log-normal fit steadies the 99th percentile of a short history
      const p99 = Math.max(q.p99, q.p99_fit ?? 0);
      const ref = Math.max(p99 * p.daily_margin, p.floors[m]);
      if (x <= ref) continue;
      comps.push({
        name: m, family: 'daily', score: log2ratio(x, ref),
        reason: () => `${m === 'searches_day' ? `ran ${fmtNum(x)} searches` : `searched ${fmtNum(x)} distinct subscribers`} so far in this operator's day (up to ${hh(b.hour + 1)} UTC); ${whose} daily 99th percentile is ${fmtNum(p99)}`,
      });
    }
  }

  const tm = own ?? model ?? pop;
  const how = hourOfWeek(b.hour);
  const share = shareOf(tm, how);
  if (share < p.unusual_hour_p) {
    const sc = p.unusual_hour_weight * (1 - share / p.unusual_hour_p);
    const weeksActive = tm.how[how];
    comps.push({
      name: 'unusual_hour', score: sc,
      reason: () => model
        ? `was active ${spanOf(b.hour)} on a ${DAYS[Math.floor(how / 24)]}, an hour this operator worked in ${weeksActive} of ${tm.weeks} weeks of history; ${usualHours(model)}`
        : `was active ${spanOf(b.hour)} on a ${DAYS[Math.floor(how / 24)]}, an hour few operators work; ${usualHours(pop).replace('usually', 'operators usually work')}`,
    });
  }
  if (model) {
    const known = (rec: Record<string, number>) => Object.entries(rec).sort((a, c) => c[1] - a[1]).slice(0, 3).map(([k]) => k).join(', ');
    // one source may show as a name on one system and as an address on another: count it once
    const newSources = new Set<string>();
    const counted = new Set<string>();
    // most hours use only sources the history knows: check each pair against a per-model memo first
    const pairs = allSourcesKnown(model, b.hosts) ? [] : [...b.hosts].map((x) => x.split('|')).sort((x, y) => Number(!!y[0] && !!y[1]) - Number(!!x[0] && !!x[1]));
    for (const [host, ip] of pairs) {
      if ((host && model.hosts[host]) || (ip && model.hosts[ip])) continue;
      if ((host && counted.has(host)) || (ip && counted.has(ip))) continue;
      if (host) counted.add(host);
      if (ip) counted.add(ip);
      newSources.add(host && ip ? `${host} (${ip})` : host || ip);
    }
    for (const h of newSources) {
      comps.push({ name: 'new_host', score: p.new_host_weight, reason: () => `worked from ${h}, a source this operator never used in history (usually ${known(model.hosts) || 'none'})` });
    }
    for (const s of b.systems) {
      if (model.systems[s]) continue;
      comps.push({ name: 'new_system', score: p.new_system_weight, reason: () => `used ${s}, a system this operator never used in history (usually ${known(model.systems) || 'none'})` });
    }
    for (const a of b.actions) {
      if (model.actions[a] || a === 'logout' || a === 'login_failed' || a === 'login') continue;
      comps.push({ name: 'new_action', score: p.new_action_weight, reason: () => `performed ${a}, which this operator never did in history` });
    }
  }

  if (comps.length === 0) return { score: 0, components: comps };
  // the largest volume component counts fully, further (correlated) ones at secondary_weight
  comps.sort((a, c) => c.score - a.score);
  let score = 0;
  let firstVolume = true;
  for (const c of comps) {
    if (c.family) {
      score += firstVolume ? c.score : c.score * p.secondary_weight;
      firstVolume = false;
    } else score += c.score;
  }
  return { score, components: comps };
}
