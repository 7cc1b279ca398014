/**
 * A deterministic (seeded) generator of lawful-intercept and call-record audit activity: months of normal work
 * by dozens of operators, a warrant register, a site section, and abuse of every kind `tidewatch access check`
 * reports planted in the checked period with the truth (which lines, which kind).
 *
 * Used by the access tests (precision and recall per kind) and by `tidewatch drill`. Normal activity is made to
 * be hard to tell from abuse by construction: operators work different hours in two time zones (with daylight
 * saving time), some part-time, some on an on-call rotation that brings night and weekend call-outs, with
 * overtime, lunch breaks, vacations, sick days and public holidays; volumes vary per operator, per day and per
 * hour (over-dispersed); logins sometimes fail from typos; warrants start and end, and admins provision and
 * deprovision them. Planted volume anomalies are a few times the operator's own 99th percentile, not orders of
 * magnitude, and most planted rule violations look like ordinary work in every other respect.
 */
import type { AccessAlertKind, AccessEvent, Warrant } from '../model/access.js';

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness: sfc32 seeded by a string hash. Own code (a dozen lines) so the output is identical on every
// platform and Node version; not for cryptography.

function hash32(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class AccessRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(readonly label: string) {
    this.a = hash32(label, 0x9e3779b9);
    this.b = hash32(label, 0x243f6a88);
    this.c = hash32(label, 0xb7e15162);
    this.d = hash32(label, 0x6a09e667) | 1;
    for (let i = 0; i < 12; i++) this.next();
  }
  fork(label: string): AccessRng {
    return new AccessRng(`${this.label}/${label}`);
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1][0];
  }
  sample<T>(items: readonly T[], k: number): T[] {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, Math.max(0, Math.min(k, a.length)));
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN = 60_000;

export type OperatorRole = 'cdr-analyst' | 'li-analyst' | 'li-admin' | 'supervisor';

export interface AccessOperatorProfile {
  name: string;
  role: OperatorRole;
  /** Standard-time UTC offset of the operator's office, hours (daylight saving time adds one). */
  tz: number;
  /** Local start of the working day (fractional hours) and its usual length. */
  start_hour: number;
  shift_hours: number;
  part_time: boolean;
  /** Searches per working hour (median). */
  rate: number;
  records_median: number;
  exports_per_day: number;
  export_median: number;
  systems: [string, number][];
  hosts: [string, number][];
  oncall: boolean;
  /** First day (index from `start`) the operator works; later joiners have a shorter history. */
  joined_day: number;
  status: 'active' | 'disabled';
}

export interface PlantedAccessAbuse {
  kind: AccessAlertKind;
  /** Alert kinds that are a correct reaction to these lines (the kind itself and what the lines may also show). */
  accept: AccessAlertKind[];
  operator: string;
  time: string;
  description: string;
  /** 1-based line numbers in `events` (as written by `toJsonLines`). */
  lines: number[];
}

export interface AccessActivityOptions {
  seed?: number;
  /** Operators at the carrier (default 40). */
  operators?: number;
  /** First day of the history, UTC midnight (default 2026-01-05, a Monday). */
  start?: string;
  /** Days of normal history to learn from (default 91). */
  history_days?: number;
  /** Days of the checked period that follows the history (default 28). */
  days?: number;
  /** Planted abuse per kind in the checked period (default 12); 0 gives purely normal activity. */
  plants_per_kind?: number;
  /** Export size the site calls bulk (default 50 MB). */
  bulk_export_bytes?: number;
}

export interface AccessActivity {
  /** A site-file object (pass to `siteFromObject`): the `access` section. */
  site: {
    access: {
      jump_hosts: string[];
      operators: { name: string; status: 'active' | 'disabled'; role: string }[];
      bulk_export_bytes: number;
      systems: string[];
    };
  };
  warrants: Warrant[];
  /** Normal activity before the checked period (for `access learn`), time-ordered. */
  history: AccessEvent[];
  /** The checked period, time-ordered, with the planted abuse. */
  events: AccessEvent[];
  truth: PlantedAccessAbuse[];
  operators: AccessOperatorProfile[];
  /** Start of the checked period (ISO). */
  checked_from: string;
}

/** One line per event, the JSON Lines form `tidewatch access check` reads. */
export function toJsonLines(events: readonly AccessEvent[]): string {
  let s = '';
  for (const e of events) s += JSON.stringify(e) + '\n';
  return s;
}

const JUMP_HOSTS: [string, string][] = [
  ['li-jump-01', '10.20.0.11'], ['li-jump-02', '10.20.0.12'], ['cdr-jump-01', '10.20.1.21'], ['cdr-jump-02', '10.20.1.22'],
];
const HOST_IP = new Map(JUMP_HOSTS);
const SURNAMES = [
  'moreno', 'okafor', 'lindqvist', 'tanaka', 'brennan', 'schultz', 'haddad', 'kowalski', 'nguyen', 'fischer', 'rossi',
  'patel', 'oconnor', 'silva', 'novak', 'dubois', 'jensen', 'kim', 'garcia', 'mbeki', 'ivanova', 'costa', 'larsen',
  'yilmaz', 'reyes', 'walsh', 'sato', 'horvat', 'meyer', 'ferreira', 'andersen', 'cohen', 'popescu', 'barros', 'chen',
  'kaur', 'hughes', 'bauer', 'santos', 'murphy', 'ortiz', 'abara', 'lund', 'vidal', 'weber', 'quinn', 'rahman', 'vogel',
];
const INITIALS = 'abcdefghjklmnprstvw';

/** US-style daylight saving time: second Sunday of March 02:00 to first Sunday of November 02:00 local. */
function inDst(t: number, tz: number): boolean {
  const y = new Date(t).getUTCFullYear();
  const nthSunday = (month: number, n: number) => {
    const first = new Date(Date.UTC(y, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + (n - 1) * 7;
  };
  const startUtc = Date.UTC(y, 2, nthSunday(2, 2), 2) - tz * HOUR;
  const endUtc = Date.UTC(y, 10, nthSunday(10, 1), 2) - (tz + 1) * HOUR;
  return t >= startUtc && t < endUtc;
}
function offsetHours(t: number, tz: number): number {
  return tz + (inDst(t, tz) ? 1 : 0);
}

type TargetKind = 'msisdn' | 'imsi' | 'imei' | 'sip';
interface Target {
  kind: TargetKind;
  /** Register form. */
  canonical: string;
}

/** How each system writes a target in its audit log (formats differ from the register's; normalization matches them). */
function renderTarget(t: Target, system: string): string {
  if (t.kind === 'msisdn') {
    if (system === 'cdr-warehouse') return t.canonical.replace(/^\+/, '');
    if (system === 'li-admin') return `tel:${t.canonical}`;
    return t.canonical;
  }
  if (t.kind === 'imei' && system !== 'li-admin') return t.canonical.replace(/-/g, '');
  if (t.kind === 'sip' && system === 'li-mediation') return t.canonical.toUpperCase().replace('SIP:', 'sip:');
  return t.canonical;
}

interface WarrantState extends Warrant {
  type: 'li' | 'cdr';
  t: Target[];
  from: number;
  until: number;
  provisioned: boolean;
  deprovisioned: boolean;
}

interface Draft {
  ts: number;
  seq: number;
  ev: Omit<AccessEvent, 'time'>;
  plant?: number;
}

interface WorkSession {
  day: number;
  start: number;
  end: number;
  lunch: [number, number];
  host: string;
}

const ROLE_SYSTEMS: Record<OperatorRole, [string, number][]> = {
  'cdr-analyst': [['cdr-warehouse', 0.94], ['li-mediation', 0.06]],
  'li-analyst': [['li-mediation', 0.8], ['cdr-warehouse', 0.2]],
  'li-admin': [['li-admin', 0.75], ['li-mediation', 0.25]],
  supervisor: [['li-mediation', 0.4], ['cdr-warehouse', 0.4], ['li-admin', 0.2]],
};

/** Generates history and a checked period with planted abuse. Same options, same output, byte for byte. */
export function generateAccessActivity(opts: AccessActivityOptions = {}): AccessActivity {
  const seed = opts.seed ?? 1;
  const nOps = opts.operators ?? 40;
  const start = Date.parse(opts.start ?? '2026-01-05T00:00:00Z');
  const historyDays = opts.history_days ?? 91;
  const checkDays = opts.days ?? 28;
  const plantsPerKind = opts.plants_per_kind ?? 12;
  const bulk = opts.bulk_export_bytes ?? 50_000_000;
  const totalDays = historyDays + checkDays;
  const checkedFrom = start + historyDays * DAY;
  const root = new AccessRng(`access-activity/${seed}`);

  // ---- operators
  const rOps = root.fork('operators');
  const names = new Set<string>();
  const ops: AccessOperatorProfile[] = [];
  for (let i = 0; i < nOps; i++) {
    let name = '';
    while (!name || names.has(name)) name = `${rOps.pick([...INITIALS])}${rOps.pick(SURNAMES)}`;
    names.add(name);
    const role = rOps.weighted<OperatorRole>([['cdr-analyst', 0.42], ['li-analyst', 0.26], ['li-admin', 0.2], ['supervisor', 0.12]]);
    const tz = rOps.chance(0.7) ? -5 : -8;
    const cdrHosts = JUMP_HOSTS.filter(([h]) => h.startsWith('cdr')).map(([h]) => h);
    const liHosts = JUMP_HOSTS.filter(([h]) => h.startsWith('li')).map(([h]) => h);
    const own = role === 'cdr-analyst' ? cdrHosts : role === 'supervisor' ? [...liHosts, ...cdrHosts] : liHosts;
    const primary = rOps.pick(own);
    const secondary = rOps.pick(own.filter((h) => h !== primary).length ? own.filter((h) => h !== primary) : JUMP_HOSTS.map(([h]) => h));
    const pShare = rOps.uniform(0.75, 0.95);
    const baseRate = { 'cdr-analyst': 5, 'li-analyst': 2.5, 'li-admin': 0.8, supervisor: 0.6 }[role];
    ops.push({
      name, role, tz,
      start_hour: Math.min(10.5, Math.max(6.5, 8.3 + rOps.normal() * 0.8)),
      shift_hours: Math.min(10, Math.max(6.5, 8.4 + rOps.normal() * 0.6)),
      part_time: rOps.chance(0.12),
      rate: rOps.lognormal(baseRate, 0.45),
      records_median: role === 'cdr-analyst' ? rOps.lognormal(80, 0.8) : role === 'li-analyst' ? rOps.lognormal(6, 0.6) : rOps.lognormal(3, 0.5),
      exports_per_day: role === 'cdr-analyst' ? rOps.uniform(0.4, 1.5) : role === 'li-analyst' ? rOps.uniform(0.05, 0.25) : 0.03,
      export_median: role === 'cdr-analyst' ? rOps.lognormal(1_500_000, 0.6) : rOps.lognormal(200_000, 0.6),
      systems: ROLE_SYSTEMS[role],
      hosts: [[primary, pShare], [secondary, 1 - pShare - 0.01], [rOps.pick(JUMP_HOSTS)[0], 0.01]],
      oncall: (role === 'li-admin' || role === 'li-analyst') && rOps.chance(0.6),
      joined_day: rOps.chance(0.1) ? rOps.int(14, 42) : 0,
      status: 'active',
    });
  }
  // at least two on-call members in each LI team so the rotation exists
  for (const role of ['li-admin', 'li-analyst'] as const) {
    const team = ops.filter((o) => o.role === role);
    for (const o of team.slice(0, 2)) o.oncall = true;
  }
  const admins = ops.filter((o) => o.role === 'li-admin');
  if (!admins.length) { ops[0].role = 'li-admin'; ops[0].systems = ROLE_SYSTEMS['li-admin']; admins.push(ops[0]); }

  // vacations (weekday indices of days off), sick days, holidays
  const holidays = new Set([14, 42, 88]); // 2026-01-19, 2026-02-16, 2026-04-03 with the default start
  const off = new Map<string, Set<number>>();
  for (const o of ops) {
    const r = rOps.fork(`off/${o.name}`);
    const s = new Set<number>();
    for (let v = 0; v < r.int(1, 2); v++) {
      const from = r.int(0, totalDays - 10);
      const len = r.int(3, 10);
      for (let d = from; d < from + len; d++) s.add(d);
    }
    for (let d = 0; d < totalDays; d++) if (r.chance(0.02)) s.add(d);
    off.set(o.name, s);
  }

  // ---- warrants
  const rW = root.fork('warrants');
  const warrants: WarrantState[] = [];
  const allTargets: Target[] = [];
  const newTarget = (r: AccessRng): Target => {
    const kind = r.weighted<TargetKind>([['msisdn', 0.6], ['imsi', 0.2], ['imei', 0.12], ['sip', 0.08]]);
    let canonical: string;
    const digits = (n: number) => Array.from({ length: n }, () => r.int(0, 9)).join('');
    if (kind === 'msisdn') canonical = `+1${r.pick(['202', '212', '303', '415', '512', '617', '703'])}555${digits(4)}`;
    else if (kind === 'imsi') canonical = `310${r.pick(['150', '260', '410'])}${digits(9)}`;
    else if (kind === 'imei') canonical = `35-${digits(6)}-${digits(6)}-${digits(1)}`;
    else canonical = `sip:+1${r.pick(['202', '415'])}555${digits(4)}@ims.mnc260.mcc310.3gppnetwork.org`;
    const t = { kind, canonical };
    allTargets.push(t);
    return t;
  };
  const team = (role: OperatorRole) => ops.filter((o) => o.role === role);
  let caseNo = 0;
  const wRate = Math.max(0.6, nOps * 0.05);
  for (let d = -100; d < totalDays; d++) {
    for (let k = rW.poisson(wRate); k > 0; k--) {
      const type = rW.chance(0.45) ? 'li' : 'cdr';
      caseNo++;
      const case_ref = type === 'li' ? `LI-2026-${String(caseNo).padStart(4, '0')}` : `SUB-2026-${String(caseNo).padStart(4, '0')}`;
      const from = start + d * DAY + (rW.chance(0.9) ? rW.int(13, 21) : rW.int(0, 23)) * HOUR;
      const len = type === 'li' ? rW.int(30, 90) : rW.int(14, 60);
      const until = from + len * DAY;
      const t: Target[] = [];
      for (let i = rW.int(1, type === 'li' ? 3 : 4); i > 0; i--) t.push(newTarget(rW));
      const staff = new Set<string>();
      if (type === 'li') {
        for (const o of rW.sample(team('li-admin'), rW.int(1, 2))) staff.add(o.name);
        for (const o of rW.sample(team('li-analyst'), rW.int(1, 3))) staff.add(o.name);
      } else {
        for (const o of rW.sample(team('cdr-analyst'), rW.int(2, 4))) staff.add(o.name);
        if (rW.chance(0.3)) for (const o of rW.sample(team('li-analyst'), 1)) staff.add(o.name);
      }
      for (const s of team('supervisor')) if (rW.chance(0.3)) staff.add(s.name);
      warrants.push({
        case_ref, targets: t.map((x) => x.canonical), valid_from: new Date(from).toISOString(), valid_until: new Date(until).toISOString(),
        operators: [...staff], type, t, from, until, provisioned: from < start, deprovisioned: until < start,
      });
    }
  }
  const byOperator = new Map<string, WarrantState[]>();
  for (const w of warrants) for (const n of w.operators) {
    let l = byOperator.get(n);
    if (!l) byOperator.set(n, (l = []));
    l.push(w);
  }
  const activeFor = (name: string, t: number, type?: 'li' | 'cdr') =>
    (byOperator.get(name) ?? []).filter((w) => w.from <= t && t <= w.until - 5 * MIN && (!type || w.type === type) && (w.type === 'cdr' || w.provisioned));

  // ---- normal activity
  const drafts: Draft[] = [];
  let seq = 0;
  const push = (ts: number, ev: Omit<AccessEvent, 'time'>, plant?: number) => {
    drafts.push({ ts: Math.round(ts), seq: seq++, ev, plant });
  };
  const sessions = new Map<string, WorkSession[]>();
  const stopAt = new Map<string, number>(); // operators whose normal activity stops (disabled during the checked period)
  const rDis = root.fork('disabled');
  const leavers = plantsPerKind > 0 ? rDis.sample(ops.filter((o) => o.role === 'cdr-analyst' || o.role === 'li-analyst'), 2) : [];
  for (const o of leavers) { o.status = 'disabled'; stopAt.set(o.name, checkedFrom); }
  const inStreamDisables = plantsPerKind > 0
    ? rDis.sample(ops.filter((o) => o.status === 'active' && o.role !== 'li-admin' && o.joined_day === 0), Math.ceil(plantsPerKind / 2))
    : [];
  const disableAt = new Map<string, number>();
  for (const o of inStreamDisables) {
    const t = checkedFrom + rDis.int(2, Math.max(3, checkDays - 8)) * DAY + rDis.int(14, 20) * HOUR + rDis.int(0, 59) * MIN;
    disableAt.set(o.name, t);
    stopAt.set(o.name, t);
  }
  const recentTargets = new Map<string, { t: Target; w: WarrantState }[]>();

  const searchEvent = (r: AccessRng, o: AccessOperatorProfile, ts: number, system: string, host: string): Omit<AccessEvent, 'time'> | undefined => {
    const type = system === 'cdr-warehouse' ? (o.role === 'li-analyst' || o.role === 'supervisor' ? undefined : 'cdr') : (system === 'li-mediation' && o.role !== 'cdr-analyst' ? 'li' : undefined);
    const act = activeFor(o.name, ts, type);
    if (!act.length) return undefined;
    let recent = recentTargets.get(o.name);
    if (!recent) recentTargets.set(o.name, (recent = []));
    const live = recent.filter((x) => x.w.from <= ts && ts <= x.w.until - 5 * MIN && act.includes(x.w));
    let picks: { t: Target; w: WarrantState }[];
    if (live.length && r.chance(0.5)) picks = [r.pick(live)];
    else {
      // Zipf-like preference for a few busy cases
      const w = act[Math.min(act.length - 1, Math.floor(act.length * r.next() ** 2))];
      const n = r.chance(0.85) ? 1 : r.int(2, 3);
      picks = r.sample(w.t, n).map((t) => ({ t, w }));
      recent.push(...picks);
      if (recent.length > 30) recent.splice(0, recent.length - 30);
    }
    const w = picks[0].w;
    return {
      system, operator: o.name, ...src(system, host), action: 'search', targets: picks.filter((p) => p.w === w).map((p) => renderTarget(p.t, system)),
      case_ref: r.chance(0.9) ? w.case_ref : undefined,
      records: Math.max(0, Math.round(r.lognormal(o.records_median, 0.9))),
      result: r.chance(0.99) ? 'success' : 'failure',
    };
  };
  const src = (system: string, host: string): { src_host?: string; src_ip?: string } =>
    system === 'cdr-warehouse' ? { src_ip: HOST_IP.get(host) ?? host } : { src_host: host, src_ip: HOST_IP.get(host) ?? host };
  const loginSeq = (r: AccessRng, o: AccessOperatorProfile, ts: number, system: string, host: string, plant?: number): number => {
    let t = ts;
    const fails = r.chance(0.04) ? (r.chance(0.2) ? r.int(2, 3) : 1) : 0;
    for (let i = 0; i < fails; i++) {
      push(t, { system, operator: o.name, ...src(system, host), action: 'login_failed', targets: [], result: 'failure' }, plant);
      t += r.int(5, 40) * 1000;
    }
    push(t, { system, operator: o.name, ...src(system, host), action: 'login', targets: [], result: 'success' }, plant);
    return t;
  };
  const adminWork = (r: AccessRng, o: AccessOperatorProfile, ts: number, host: string) => {
    // provision warrants that have started, deprovision those that ended
    for (const w of byOperator.get(o.name) ?? []) {
      if (w.type !== 'li') continue;
      if (!w.provisioned && w.from <= ts && ts < w.until - HOUR) {
        w.provisioned = true;
        push(ts + r.int(1, 50) * 1000, { system: 'li-admin', operator: o.name, ...src('li-admin', host), action: 'provision_intercept', targets: w.t.map((x) => renderTarget(x, 'li-admin')), case_ref: w.case_ref, result: 'success' });
        ts += r.int(2, 6) * MIN;
      } else if (w.provisioned && !w.deprovisioned && w.until <= ts) {
        w.deprovisioned = true;
        push(ts + r.int(1, 50) * 1000, { system: 'li-admin', operator: o.name, ...src('li-admin', host), action: 'deprovision_intercept', targets: w.t.map((x) => renderTarget(x, 'li-admin')), case_ref: w.case_ref, result: 'success' });
        ts += r.int(1, 4) * MIN;
      }
    }
  };

  for (let d = 0; d < totalDays; d++) {
    const dayStart = start + d * DAY;
    const weekday = new Date(dayStart).getUTCDay(); // 0 Sunday
    const week = Math.floor(d / 7);
    for (const o of ops) {
      if (d < o.joined_day) continue;
      const r = root.fork(`day/${d}/${o.name}`);
      const stop = stopAt.get(o.name) ?? Infinity;
      const offs = offsetHours(dayStart + 12 * HOUR, o.tz);
      const localMidnight = dayStart - offs * HOUR;
      const workday = weekday >= 1 && weekday <= (o.part_time ? 4 : 5) && !holidays.has(d) && !off.get(o.name)!.has(d);
      const host = () => r.weighted(o.hosts);
      if (workday) {
        const s = localMidnight + (o.start_hour + r.normal() * 0.35) * HOUR;
        let len = o.shift_hours + r.normal() * 0.4;
        if (r.chance(0.06)) len += r.uniform(1, 3); // overtime
        const e = s + len * HOUR;
        const lunchS = s + (len / 2 - 0.5 + r.normal() * 0.3) * HOUR;
        const lunchE = lunchS + r.uniform(0.5, 1) * HOUR;
        const h = host();
        if (d >= historyDays) {
          let l = sessions.get(o.name);
          if (!l) sessions.set(o.name, (l = []));
          l.push({ day: d, start: s, end: e, lunch: [lunchS, lunchE], host: h });
        }
        if (s >= stop) continue;
        const dayFactor = r.lognormal(1, 0.3);
        const used = new Set<string>();
        const login = (t: number, system: string) => {
          if (used.has(system)) return;
          used.add(system);
          loginSeq(r, o, t - r.int(20, 120) * 1000, system, h);
        };
        const primary = o.systems[0][0];
        login(s, primary);
        for (let hs = s; hs < e; hs += HOUR) {
          const he = Math.min(e, hs + HOUR);
          const frac = (he - hs) / HOUR;
          const shape = hs === s ? 0.6 : he === e ? 0.7 : 1;
          const lam = o.rate * dayFactor * shape * frac * r.lognormal(1, 0.35);
          const n = r.poisson(lam);
          const times = Array.from({ length: n }, () => hs + r.next() * (he - hs)).filter((t) => t < lunchS || t > lunchE).sort((a, b) => a - b);
          for (const t of times) {
            if (t >= stop) break;
            const system = r.weighted(o.systems);
            login(t, system);
            const ev = searchEvent(r, o, t, system, h);
            if (ev) push(t, ev);
          }
          if (o.role === 'li-admin' && hs + HOUR < stop) adminWork(r, o, hs + r.uniform(0, 0.5) * HOUR, h);
        }
        // exports
        for (let k = r.poisson(o.exports_per_day); k > 0; k--) {
          const t = s + r.uniform(0.1, 0.95) * (e - s);
          if (t >= stop || (t > lunchS && t < lunchE)) continue;
          const system = o.role === 'cdr-analyst' ? 'cdr-warehouse' : r.weighted(o.systems);
          const ev = searchEvent(r, o, t, system, h);
          if (!ev) continue;
          login(t, system);
          const bytes = Math.round(Math.min(0.6 * bulk, r.lognormal(o.export_median, 0.7)));
          push(t + r.int(5, 90) * 1000, { ...ev, action: 'export', records: ev.records, bytes, result: 'success' });
        }
        if (o.role === 'li-admin' && r.chance(0.08) && e < stop) {
          const t = s + r.uniform(0.1, 0.9) * (e - s);
          const w = r.pick(activeFor(o.name, t, 'li').length ? activeFor(o.name, t, 'li') : [undefined]);
          if (w) push(t, { system: 'li-admin', operator: o.name, ...src('li-admin', h), action: 'modify_intercept', targets: w.t.map((x) => renderTarget(x, 'li-admin')), case_ref: w.case_ref, result: 'success' });
        }
        if (o.role === 'li-admin' && r.chance(0.06) && e < stop) {
          const t = s + r.uniform(0.1, 0.9) * (e - s);
          push(t, { system: 'li-admin', operator: o.name, ...src('li-admin', h), action: 'admin_change', targets: [], change: 'password_reset', account: r.pick(ops).name, result: 'success' });
        }
        // logouts: at lunch and end of day, on each system used
        for (const system of used) {
          if (lunchS < stop) push(lunchS, { system, operator: o.name, ...src(system, h), action: 'logout', targets: [], result: 'success' });
          if (e < stop) push(e, { system, operator: o.name, ...src(system, h), action: 'logout', targets: [], result: 'success' });
        }
        for (const system of used) if (lunchE < e && lunchE < stop) loginSeq(r, o, lunchE, system, h);
      }
      // on-call: one week in N for the rotation of the operator's team; call-outs at night and on weekends
      if (o.oncall) {
        const rota = ops.filter((x) => x.oncall && x.role === o.role && d >= x.joined_day);
        if (rota.length && rota[week % rota.length] === o) {
          const calls = r.poisson(0.7) + (weekday === 0 || weekday === 6 ? r.poisson(0.8) : 0);
          const taken: number[] = [];
          for (let c = 0; c < calls; c++) {
            const lh = r.chance(0.6) ? r.uniform(19, 31) : r.uniform(9, 18); // 19:00 to 07:00 next day, or weekend daytime
            if (lh < 19 && weekday !== 0 && weekday !== 6) continue;
            // one call-out handles what is pending: call-outs are at least two hours apart
            if (taken.some((x) => Math.abs(x - lh) < 2)) continue;
            taken.push(lh);
            const t0 = localMidnight + lh * HOUR;
            if (t0 >= stop) continue;
            const h = o.hosts[0][0];
            const system = o.systems[0][0];
            let t = loginSeq(r, o, t0, system, h) + r.int(1, 4) * MIN;
            if (o.role === 'li-admin') adminWork(r, o, t, h);
            for (let k = r.int(1, 5); k > 0; k--) {
              const ev = searchEvent(r, o, t, system, h);
              if (ev) push(t, ev);
              t += r.int(1, 8) * MIN;
            }
            push(t + r.int(1, 5) * MIN, { system, operator: o.name, ...src(system, h), action: 'logout', targets: [], result: 'success' });
          }
        }
      }
    }
  }

  // ---- per-operator history statistics (only to scale planted anomalies relative to each operator's normal)
  const hist = new Map<string, { searches: number[]; targets: number[]; exports: number[]; dayTargets: number[] }>();
  {
    const hours = new Map<string, { s: number; t: Set<string> }>();
    const days = new Map<string, Set<string>>();
    for (const dr of drafts) {
      if (dr.ts >= checkedFrom) continue;
      const o = dr.ev.operator;
      let st = hist.get(o);
      if (!st) hist.set(o, (st = { searches: [], targets: [], exports: [], dayTargets: [] }));
      const hk = `${o}/${Math.floor(dr.ts / HOUR)}`;
      let hb = hours.get(hk);
      if (!hb) hours.set(hk, (hb = { s: 0, t: new Set() }));
      const dk = `${o}/${Math.floor(dr.ts / DAY)}`;
      let db = days.get(dk);
      if (!db) days.set(dk, (db = new Set()));
      if (dr.ev.action === 'search') hb.s++;
      for (const t of dr.ev.targets) { hb.t.add(t); db.add(t); }
      if (dr.ev.action === 'export' && dr.ev.bytes) st.exports.push(dr.ev.bytes);
    }
    for (const [k, v] of hours) { const st = hist.get(k.split('/')[0])!; st.searches.push(v.s); st.targets.push(v.t.size); }
    for (const [k, v] of days) hist.get(k.split('/')[0])!.dayTargets.push(v.size);
  }
  const q99 = (xs: number[] | undefined, floor: number) => {
    if (!xs || !xs.length) return floor;
    const s = [...xs].sort((a, b) => a - b);
    return Math.max(floor, s[Math.min(s.length - 1, Math.floor(0.99 * s.length))]);
  };

  // ---- planted abuse
  const truth: (Omit<PlantedAccessAbuse, 'lines'> & { id: number })[] = [];
  const rP = root.fork('plants');
  let plantId = 0;
  const plant = (kind: AccessAlertKind, accept: AccessAlertKind[], operator: string, ts: number, description: string) => {
    const id = plantId++;
    truth.push({ id, kind, accept: [kind, ...accept.filter((k) => k !== kind)], operator, time: new Date(ts).toISOString(), description });
    return id;
  };
  const checkedSessions = (o: AccessOperatorProfile) => (sessions.get(o.name) ?? []).filter((s) => s.end < (stopAt.get(o.name) ?? Infinity) && s.end < start + totalDays * DAY - HOUR);
  // undefined when there is no operator to pick (a checked period too short for anyone to have sessions) or the
  // operator has no sessions in it: the plant is then skipped
  const workingTime = (r: AccessRng, o: AccessOperatorProfile | undefined): { t: number; host: string } | undefined => {
    if (!o) return undefined;
    const ss = checkedSessions(o);
    if (!ss.length) return undefined;
    const s = r.pick(ss);
    let t = s.start + r.uniform(0.05, 0.95) * (s.end - s.start);
    if (t > s.lunch[0] && t < s.lunch[1]) t = s.lunch[1] + 5 * MIN;
    return { t, host: s.host };
  };
  const activeOps = (pred: (o: AccessOperatorProfile) => boolean = () => true) =>
    ops.filter((o) => o.status === 'active' && !disableAt.has(o.name) && checkedSessions(o).length > 3 && pred(o));
  const authorizedTargets = (o: AccessOperatorProfile, t: number, system: string) => {
    const type = system === 'cdr-warehouse' ? 'cdr' : system === 'li-mediation' ? 'li' : undefined;
    // warrants that stay valid for the next hours, so a planted session does not outlive its warrant
    return activeFor(o.name, t, type as 'li' | 'cdr' | undefined).filter((w) => w.until > t + 3 * HOUR).flatMap((w) => w.t.map((x) => ({ t: x, w })));
  };
  const newName = (r: AccessRng) => {
    let n = '';
    while (!n || names.has(n)) n = `${r.pick(['svc', 'tmp', 'x', 'ops', 'li'])}${r.pick(['_', '.', ''])}${r.pick(SURNAMES)}${r.int(1, 99)}`;
    names.add(n);
    return n;
  };
  const K = plantsPerKind;
  const nightTime = (r: AccessRng, o: AccessOperatorProfile, day: number) => {
    const dayStart = start + day * DAY;
    return dayStart - offsetHours(dayStart + 12 * HOUR, o.tz) * HOUR + r.uniform(0.5, 4.5) * HOUR;
  };
  const checkedDay = (r: AccessRng) => r.int(historyDays, totalDays - 2);

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`no_warrant/${i}`);
    const o = r.pick(activeOps());
    const wt = workingTime(r, o);
    if (!wt) continue;
    const system = o.role === 'li-admin' && r.chance(0.5) ? 'li-admin' : r.weighted(o.systems);
    const variant = i % 3;
    let target: string;
    let case_ref: string | undefined;
    let what: string;
    if (variant === 0) {
      target = renderTarget(newTarget(r), system);
      what = 'a subscriber no warrant names';
    } else if (variant === 1) {
      const expired = warrants.filter((w) => w.until < wt.t - 2 * DAY && w.until > wt.t - 40 * DAY && w.operators.includes(o.name));
      const w = expired.length ? r.pick(expired) : r.pick(warrants.filter((x) => x.until < wt.t - 2 * DAY));
      target = renderTarget(r.pick(w.t), system);
      case_ref = w.case_ref;
      what = `a target of case ${w.case_ref}, which expired ${w.valid_until.slice(0, 10)}`;
    } else {
      const mine = activeFor(o.name, wt.t);
      const w = mine.length ? r.pick(mine) : undefined;
      target = renderTarget(newTarget(r), system);
      case_ref = w?.case_ref;
      what = `a subscriber not named by the case it cites (${case_ref ?? 'none'})`;
    }
    const action = system === 'li-admin' ? 'provision_intercept' : 'search';
    const id = plant('no_warrant', [], o.name, wt.t, `${o.name} ${action === 'search' ? 'searched' : 'provisioned an intercept on'} ${what}`);
    push(wt.t, { system, operator: o.name, ...src(system, wt.host), action, targets: [target], case_ref, records: action === 'search' ? r.int(1, 400) : undefined, result: 'success' }, id);
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`unauthorized/${i}`);
    const o = r.pick(activeOps((x) => x.role !== 'supervisor'));
    const wt = workingTime(r, o);
    if (!wt) continue;
    const system = o.role === 'cdr-analyst' ? 'cdr-warehouse' : o.role === 'li-admin' ? 'li-admin' : 'li-mediation';
    const others = warrants.filter((w) => w.from <= wt.t && wt.t <= w.until && !w.operators.includes(o.name) && w.operators.length > 0 && (w.type === 'li' || w.type === 'cdr'));
    const w = r.pick(others);
    const id = plant('unauthorized_operator', [], o.name, wt.t, `${o.name} searched a target of ${w.case_ref}, which does not list them`);
    push(wt.t, { system, operator: o.name, ...src(system, wt.host), action: system === 'li-admin' ? 'modify_intercept' : 'search', targets: [renderTarget(r.pick(w.t), system)], case_ref: w.case_ref, records: r.int(1, 200), result: 'success' }, id);
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`undeclared/${i}`);
    const o = r.pick(activeOps());
    const wt = workingTime(r, o);
    if (!wt) continue;
    const ws = r.chance(0.5) ? { src_host: `ws-${r.pick(['fin', 'noc', 'dev', 'it'])}-${r.int(100, 999)}`, src_ip: `10.60.${r.int(0, 255)}.${r.int(1, 254)}` } : { src_host: undefined, src_ip: `172.16.${r.int(0, 255)}.${r.int(1, 254)}` };
    const system = o.systems[0][0];
    const id = plant('undeclared_source', ['behaviour_anomaly'], o.name, wt.t, `${o.name} worked from ${ws.src_host ?? ws.src_ip}, not a jump host`);
    let t = wt.t;
    const at = authorizedTargets(o, t, system);
    push(t, { system, operator: o.name, ...ws, action: 'login', targets: [], result: 'success' }, id);
    for (let k = r.int(1, 4); k > 0 && at.length; k--) {
      t += r.int(1, 6) * MIN;
      const x = r.pick(at);
      push(t, { system, operator: o.name, ...ws, action: 'search', targets: [renderTarget(x.t, system)], case_ref: x.w.case_ref, records: r.int(1, 100), result: 'success' }, id);
    }
    push(t + r.int(1, 5) * MIN, { system, operator: o.name, ...ws, action: 'logout', targets: [], result: 'success' }, id);
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`new_account/${i}`);
    const acct = newName(r);
    const viaAdmin = i % 2 === 0;
    const cdr = warrants.filter((w) => w.type === 'cdr');
    const host = r.pick(JUMP_HOSTS)[0];
    if (viaAdmin) {
      const a = r.pick(activeOps((x) => x.role === 'li-admin'));
      const wt = a && workingTime(r, a);
      if (!wt) continue;
      const id = plant('new_account', ['unauthorized_operator', 'no_warrant', 'behaviour_anomaly'], acct, wt.t, `${a.name} created account ${acct}, which then searched call records`);
      push(wt.t, { system: 'li-admin', operator: a.name, ...src('li-admin', wt.host), action: 'admin_change', targets: [], change: 'create_account', account: acct, role: 'cdr-analyst', result: 'success' }, id);
      let t = wt.t + r.uniform(2, 30) * HOUR;
      push(t, { system: 'cdr-warehouse', operator: acct, ...src('cdr-warehouse', host), action: 'login', targets: [], result: 'success' }, id);
      for (let k = r.int(1, 4); k > 0; k--) {
        t += r.int(1, 10) * MIN;
        const w = r.pick(cdr.filter((x) => x.from <= t && t <= x.until));
        if (!w) continue;
        push(t, { system: 'cdr-warehouse', operator: acct, ...src('cdr-warehouse', host), action: 'search', targets: [renderTarget(r.pick(w.t), 'cdr-warehouse')], case_ref: w.case_ref, records: r.int(1, 300), result: 'success' }, id);
      }
    } else {
      const t0 = start + checkedDay(r) * DAY + r.uniform(0, 24) * HOUR;
      const id = plant('new_account', ['unauthorized_operator', 'no_warrant', 'behaviour_anomaly'], acct, t0, `unknown account ${acct} logged in and searched call records`);
      let t = t0;
      push(t, { system: 'cdr-warehouse', operator: acct, ...src('cdr-warehouse', host), action: 'login', targets: [], result: 'success' }, id);
      for (let k = r.int(1, 3); k > 0; k--) {
        t += r.int(1, 10) * MIN;
        const w = r.pick(cdr.filter((x) => x.from <= t && t <= x.until));
        if (!w) continue;
        push(t, { system: 'cdr-warehouse', operator: acct, ...src('cdr-warehouse', host), action: 'search', targets: [renderTarget(r.pick(w.t), 'cdr-warehouse')], case_ref: w.case_ref, records: r.int(1, 300), result: 'success' }, id);
      }
    }
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`privilege/${i}`);
    const self = i % 3 === 0;
    const subject = r.pick(activeOps((x) => x.role !== 'li-admin'));
    const actor = self ? subject : r.pick(activeOps((x) => x.role === 'li-admin'));
    const wt = workingTime(r, actor);
    if (!wt || !subject) continue;
    const role = r.pick(['li-admin', 'li-superuser', 'auditor-admin']);
    const id = plant('privilege_change', self ? ['behaviour_anomaly'] : [], actor.name, wt.t, `${actor.name} gave ${subject.name} the role ${role}`);
    push(wt.t, { system: 'li-admin', operator: actor.name, ...src('li-admin', wt.host), action: 'admin_change', targets: [], change: 'role_change', account: subject.name, role, result: 'success' }, id);
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`bulk/${i}`);
    const o = r.pick(activeOps((x) => x.role === 'cdr-analyst'));
    const wt = o && workingTime(r, o);
    if (!wt) continue;
    const at = authorizedTargets(o, wt.t, 'cdr-warehouse');
    if (!at.length) continue;
    const x = r.pick(at);
    const bytes = Math.round(bulk * r.uniform(1.1, 8));
    const id = plant('bulk_export', ['behaviour_anomaly'], o.name, wt.t, `${o.name} exported ${bytes} bytes`);
    push(wt.t, { system: 'cdr-warehouse', operator: o.name, ...src('cdr-warehouse', wt.host), action: 'export', targets: [renderTarget(x.t, 'cdr-warehouse')], case_ref: x.w.case_ref, records: r.int(10_000, 900_000), bytes, result: 'success' }, id);
  }

  {
    const disAdmins = admins.filter((a) => a.status === 'active');
    for (const [name, t] of disableAt) {
      const r = rP.fork(`disable/${name}`);
      const a = r.pick(disAdmins);
      push(t, { system: 'li-admin', operator: a.name, ...src('li-admin', a.hosts[0][0]), action: 'admin_change', targets: [], change: 'disable_account', account: name, result: 'success' });
    }
    for (let k = 0; k < K; k++) {
      const r = rP.fork(`disabled/${k}`);
      const o = k % 2 === 0 || !inStreamDisables.length ? r.pick(leavers.length ? leavers : inStreamDisables) : inStreamDisables[k % inStreamDisables.length];
      if (!o) continue;
      const after = disableAt.get(o.name) ?? checkedFrom;
      const last = start + totalDays * DAY - 2 * HOUR;
      if (after + DAY > last) continue;
      let t = r.uniform(after + DAY, last);
      // mostly within the operator's old working hours, sometimes at night
      if (r.chance(0.7)) {
        const day = Math.floor((t - start) / DAY);
        const dayStart = start + day * DAY;
        t = dayStart - offsetHours(dayStart + 12 * HOUR, o.tz) * HOUR + (o.start_hour + r.uniform(0.5, 6)) * HOUR;
        if (t <= after) t = after + DAY;
      }
      const system = o.systems[0][0];
      const host = o.hosts[0][0];
      const id = plant('disabled_account', ['behaviour_anomaly', 'unauthorized_operator', 'no_warrant'], o.name, t, `${o.name} was active after the account was disabled`);
      push(t, { system, operator: o.name, ...src(system, host), action: 'login', targets: [], result: 'success' }, id);
      const at = (byOperator.get(o.name) ?? []).filter((w) => w.from <= t && t <= w.until);
      for (let n = r.int(0, 3); n > 0 && at.length; n--) {
        t += r.int(1, 9) * MIN;
        const w = r.pick(at);
        push(t, { system, operator: o.name, ...src(system, host), action: 'search', targets: [renderTarget(r.pick(w.t), system)], case_ref: w.case_ref, records: r.int(1, 100), result: 'success' }, id);
      }
    }
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`burst/${i}`);
    const o = r.pick(activeOps());
    const wt = workingTime(r, o);
    if (!wt) continue;
    const elsewhere = r.chance(0.3);
    const s = elsewhere ? { src_ip: `198.51.100.${r.int(1, 254)}` } : src(o.systems[0][0], wt.host);
    const n = r.int(6, 20);
    const id = plant('failed_login_burst', elsewhere ? ['undeclared_source'] : [], o.name, wt.t, `${n} failed logins for ${o.name} in a few minutes`);
    let t = wt.t;
    const span = r.uniform(1, 8) * MIN;
    for (let k = 0; k < n; k++) {
      push(t, { system: o.systems[0][0], operator: o.name, ...s, action: 'login_failed', targets: [], result: 'failure' }, id);
      t += span / n;
    }
    if (r.chance(0.5)) push(t, { system: o.systems[0][0], operator: o.name, ...s, action: 'login', targets: [], result: 'success' }, id);
  }

  for (let i = 0; i < K; i++) {
    const r = rP.fork(`behaviour/${i}`);
    const variant = i % 5;
    const st = (o: AccessOperatorProfile) => hist.get(o.name);
    if (variant === 0 || variant === 1) {
      // a session far above the operator's own hourly volume: at night (0) or in the working day (1)
      const o = r.pick(activeOps((x) => x.role === 'cdr-analyst' || x.role === 'li-analyst'));
      const wt = workingTime(r, o);
      if (!wt) continue;
      const system = o.systems[0][0];
      const t0 = variant === 0 ? nightTime(r, o, checkedDay(r)) : wt.t;
      const at = authorizedTargets(o, t0, system);
      const all = warrants.filter((w) => w.from <= t0 && t0 <= w.until && w.operators.includes(o.name)).flatMap((w) => w.t.map((x) => ({ t: x, w })));
      const pool = at.length ? at : all;
      if (!pool.length) continue;
      const p99 = q99(st(o)?.searches, 3);
      const n = Math.round(p99 * (variant === 0 ? r.uniform(2.5, 6) : r.uniform(4, 8)));
      const id = plant('behaviour_anomaly', ['no_warrant', 'unauthorized_operator'], o.name, t0, `${o.name} ran ${n} searches in an hour${variant === 0 ? ' at night' : ''} (own hourly p99 ${p99})`);
      let t = t0;
      if (variant === 0) push(t - 2 * MIN, { system, operator: o.name, ...src(system, wt.host), action: 'login', targets: [], result: 'success' }, id);
      for (let k = 0; k < n; k++) {
        const x = r.pick(pool);
        push(t, { system, operator: o.name, ...src(system, wt.host), action: 'search', targets: [renderTarget(x.t, system)], case_ref: x.w.case_ref, records: Math.round(r.lognormal(o.records_median, 0.9)), result: 'success' }, id);
        t += (50 * MIN) / n;
      }
    } else if (variant === 2) {
      // exports several times the operator's own largest, still under the bulk threshold
      const o = r.pick(activeOps((x) => x.role === 'cdr-analyst' && q99(st(x)?.exports, 1) * 3 < 0.9 * bulk));
      const wt = o && workingTime(r, o);
      if (!wt) continue;
      const p99 = q99(st(o)?.exports, 1);
      const at = authorizedTargets(o, wt.t, 'cdr-warehouse');
      if (!at.length) continue;
      const n = r.int(1, 3);
      const id = plant('behaviour_anomaly', [], o.name, wt.t, `${o.name} made ${n} exports of ${Math.round(p99 / 1e6)} MB x 3-8`);
      for (let k = 0; k < n; k++) {
        const x = r.pick(at);
        const bytes = Math.round(Math.min(0.95 * bulk, p99 * r.uniform(3, 8)));
        push(wt.t + k * r.int(2, 15) * MIN, { system: 'cdr-warehouse', operator: o.name, ...src('cdr-warehouse', wt.host), action: 'export', targets: [renderTarget(x.t, 'cdr-warehouse')], case_ref: x.w.case_ref, records: r.int(1000, 50_000), bytes, result: 'success' }, id);
      }
    } else if (variant === 3) {
      // a valid account used at an hour it never works, on a system and from a jump host it never uses
      const o = r.pick(activeOps((x) => x.role === 'cdr-analyst' && !x.oncall));
      if (!o) continue;
      const t0 = nightTime(r, o, checkedDay(r));
      const usedHosts = new Set(o.hosts.map(([h]) => h));
      const host = JUMP_HOSTS.map(([h]) => h).find((h) => !usedHosts.has(h)) ?? JUMP_HOSTS[0][0];
      const system = 'li-admin';
      const id = plant('behaviour_anomaly', ['no_warrant', 'unauthorized_operator'], o.name, t0, `${o.name} used li-admin from ${host} at night`);
      let t = t0;
      push(t, { system, operator: o.name, ...src(system, host), action: 'login', targets: [], result: 'success' }, id);
      const cdrTargets = authorizedTargets(o, t, 'cdr-warehouse');
      for (let k = r.int(2, 5); k > 0 && cdrTargets.length; k--) {
        t += r.int(1, 6) * MIN;
        const x = r.pick(cdrTargets);
        push(t, { system, operator: o.name, ...src(system, host), action: 'search', targets: [renderTarget(x.t, system)], case_ref: x.w.case_ref, records: r.int(1, 20), result: 'success' }, id);
      }
    } else {
      // a day's distinct targets several times the operator's daily p99, spread over the working day
      const o = r.pick(activeOps((x) => x.role === 'cdr-analyst' || x.role === 'li-analyst'));
      if (!o) continue;
      const ss = checkedSessions(o);
      if (!ss.length) continue;
      const s = r.pick(ss);
      const system = o.systems[0][0];
      const pool = (byOperator.get(o.name) ?? []).filter((w) => w.from <= s.start && s.start <= w.until).flatMap((w) => w.t.map((x) => ({ t: x, w })));
      const fresh = Array.from({ length: 200 }, () => newTarget(r));
      const p99 = q99(st(o)?.dayTargets, 3);
      const n = Math.round(p99 * r.uniform(3, 5));
      const id = plant('behaviour_anomaly', ['no_warrant', 'unauthorized_operator'], o.name, s.start, `${o.name} touched ${n} distinct targets in a day (own daily p99 ${p99})`);
      for (let k = 0; k < n; k++) {
        const t = s.start + ((k + 0.5) / n) * (s.end - s.start);
        const useFresh = k >= pool.length;
        const x = useFresh ? { t: fresh[k % fresh.length], w: undefined } : pool[k];
        push(t, { system, operator: o.name, ...src(system, s.host), action: 'search', targets: [renderTarget(x.t, system)], case_ref: x.w?.case_ref, records: r.int(1, 50), result: 'success' }, id);
      }
    }
  }

  // ---- order, render, number
  drafts.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  const history: AccessEvent[] = [];
  const events: AccessEvent[] = [];
  const lines = new Map<number, number[]>();
  const end = start + totalDays * DAY;
  for (const dr of drafts) {
    if (dr.ts < start || dr.ts >= end) continue;
    const ev = { time: new Date(dr.ts).toISOString(), ...dr.ev } as AccessEvent;
    for (const k of Object.keys(ev) as (keyof AccessEvent)[]) if (ev[k] === undefined) delete ev[k];
    if (dr.ts < checkedFrom) history.push(ev);
    else {
      events.push(ev);
      if (dr.plant !== undefined) {
        let l = lines.get(dr.plant);
        if (!l) lines.set(dr.plant, (l = []));
        l.push(events.length);
      }
    }
  }
  return {
    site: {
      access: {
        jump_hosts: JUMP_HOSTS.flatMap(([h, ip]) => [h, ip]),
        operators: ops.map((o) => ({ name: o.name, status: o.status, role: o.role })),
        bulk_export_bytes: bulk,
        systems: ['li-admin', 'li-mediation', 'cdr-warehouse'],
      },
    },
    warrants: warrants.map(({ case_ref, targets, valid_from, valid_until, operators }) => ({ case_ref, targets, valid_from, valid_until, operators })),
    history,
    events,
    truth: truth.filter((p) => lines.has(p.id)).map(({ id, ...p }) => ({ ...p, lines: lines.get(id)! })),
    operators: ops,
    checked_from: new Date(checkedFrom).toISOString(),
  };
}

/** Precision and recall of access alerts of one kind against planted abuse. */
export interface AccessKindScore {
  kind: AccessAlertKind;
  planted: number;
  detected: number;
  alerts: number;
  /** Alerts whose lines touch a planted abuse that accepts this kind. */
  true_alerts: number;
  precision: number;
  recall: number;
}

/**
 * Scores alerts (anything with `kind` and `source.line` / `source.lines`, e.g. `access check --format jsonl`
 * records) against the truth. An alert is true when one of its lines belongs to a planted abuse whose `accept`
 * list has the alert's kind; a plant is detected when an alert of the plant's own kind touches one of its lines.
 * Precision with no alerts is 1; recall with nothing planted is 1.
 */
export function scoreAccessAlerts(
  truth: readonly PlantedAccessAbuse[],
  alerts: readonly { kind?: string; source?: { line?: number; lines?: number[] } }[],
  kinds: readonly AccessAlertKind[] = [...new Set(truth.map((p) => p.kind))],
): AccessKindScore[] {
  const byLine = new Map<number, number[]>();
  truth.forEach((p, i) => { for (const l of p.lines) { let a = byLine.get(l); if (!a) byLine.set(l, (a = [])); a.push(i); } });
  const detected = new Set<number>();
  const rows = new Map<string, AccessKindScore>();
  const row = (k: string) => {
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { kind: k as AccessAlertKind, planted: 0, detected: 0, alerts: 0, true_alerts: 0, precision: 1, recall: 1 }));
    return r;
  };
  for (const k of kinds) row(k);
  for (const p of truth) row(p.kind).planted++;
  for (const a of alerts) {
    const k = a.kind ?? '?';
    const r = row(k);
    r.alerts++;
    const lines = a.source?.lines ?? (a.source?.line !== undefined ? [a.source.line] : []);
    let ok = false;
    for (const l of lines) {
      for (const i of byLine.get(l) ?? []) {
        const p = truth[i];
        if ((p.accept as string[]).includes(k)) ok = true;
        if (p.kind === k) detected.add(i);
      }
    }
    if (ok) r.true_alerts++;
  }
  truth.forEach((p, i) => { if (detected.has(i)) row(p.kind).detected++; });
  for (const r of rows.values()) {
    r.precision = r.alerts ? r.true_alerts / r.alerts : 1;
    r.recall = r.planted ? r.detected / r.planted : 1;
  }
  return [...rows.values()];
}

/**
 * Writes a generated activity set as files: `history.jsonl` (for `access learn`), `activity.jsonl` (for
 * `access check`), `warrants.json`, `tidewatch.yml` (the site's access section) and `truth.jsonl` (one planted
 * abuse per line, lines numbered in activity.jsonl). Returns the paths.
 */
export async function writeAccessActivity(dir: string, act: AccessActivity): Promise<Record<'history' | 'activity' | 'warrants' | 'site' | 'truth', string>> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { stringify } = await import('yaml');
  await mkdir(dir, { recursive: true });
  const paths = {
    history: join(dir, 'history.jsonl'),
    activity: join(dir, 'activity.jsonl'),
    warrants: join(dir, 'warrants.json'),
    site: join(dir, 'tidewatch.yml'),
    truth: join(dir, 'truth.jsonl'),
  };
  await writeFile(paths.history, toJsonLines(act.history));
  await writeFile(paths.activity, toJsonLines(act.events));
  await writeFile(paths.warrants, JSON.stringify(act.warrants, null, 1) + '\n');
  await writeFile(paths.site, stringify(act.site));
  await writeFile(paths.truth, act.truth.map((t) => JSON.stringify({ ...t, file: 'activity.jsonl' })).join('\n') + (act.truth.length ? '\n' : ''));
  return paths;
}
