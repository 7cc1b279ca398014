/**
 * AccessMonitor: the rules that need no learning and the per-operator behaviour score, over a stream of
 * normalized access events in (roughly) time order. Pure: no files, sockets or store; the CLI, the live
 * service (tailing audit files) and the drill scorer feed it events and take the alerts it returns.
 */
import type { Alert } from '../../model/alert.js';
import type { AccessAlertKind, AccessEvent, Warrant } from '../../model/access.js';
import type { SourceRef } from '../../model/event.js';
import type { Severity } from '../../model/severity.js';
import { isIp, parsePrefix, inAnyPrefix, type Prefix } from '../../util/ip.js';
import { parseIsoMs } from '../../util/time.js';
import { makeAccessAlert, redactEvent } from './alerts.js';
import {
  DEFAULT_MODEL_PARAMS, DayState, HOUR_MS, HourBucket, Window60, dayIndex, fmtBytes, scoreHour,
  type AccessModelSet, type ModelParams, type OperatorModel,
} from './model.js';
import { WarrantRegister, maskTarget, normalizeTarget, type IndexedWarrant } from './warrants.js';

export interface AccessRuleParams {
  /** Failed logins of one operator within `failed_login_window_ms` that make a burst. */
  failed_login_count: number;
  failed_login_window_ms: number;
  /** Bulk export threshold when the site file does not set `access.bulk_export_bytes`. */
  bulk_export_bytes: number;
  /** Repeats of `undeclared_source` (same operator and source) and `disabled_account` (same operator) within this
   * time fold into the first alert. */
  fold_ms: number;
}

export const DEFAULT_RULE_PARAMS: AccessRuleParams = {
  failed_login_count: 5,
  failed_login_window_ms: 10 * 60_000,
  bulk_export_bytes: 50_000_000,
  fold_ms: HOUR_MS,
};

/** The site facts the monitor consults (the `access` section of the site file). */
export interface AccessSiteFacts {
  jump_hosts?: readonly string[];
  operators?: readonly { name: string; status: 'active' | 'disabled'; role?: string }[];
  bulk_export_bytes?: number;
}

export interface AccessMonitorOptions {
  models?: AccessModelSet;
  warrants?: WarrantRegister | readonly Warrant[];
  site?: AccessSiteFacts;
  /** Overrides of the model's scoring parameters (e.g. `threshold`). */
  params?: Partial<ModelParams>;
  rules?: Partial<AccessRuleParams>;
  /** Print target identifiers in full in reasons and events (default: masked). */
  showTargets?: boolean;
  /** How far behind the newest event time an operator-hour stays open for late events (default 15 min). */
  lateness_ms?: number;
}

export interface AccessMonitorStats {
  events: number;
  bad_time: number;
  late_events: number;
  operator_hours: number;
  alerts: Partial<Record<AccessAlertKind, number>>;
}

interface OpState {
  key: string;
  name: string;
  model?: OperatorModel;
  known: boolean;
  bucket?: HourBucket;
  /** The last closed bucket, reused for the next hour (hot path: no new bucket and sets per operator-hour). */
  spare?: HourBucket;
  /** The last source checked against the jump hosts and its outcome (an operator keeps one source for hours). */
  jumpHost?: string;
  jumpIp?: string;
  jumpOk: boolean;
  bucketFirst: number;
  bucketTime: string;
  /** Lines of the open hour (file, line, time), and of the hour before it (for peaks that reach back into it). */
  lines: LineLog;
  prevLines?: LineLog;
  win: Window60;
  day?: DayState;
  disabledSince?: number;
  disabledBy?: string;
  lastDisabledAlert: number;
  /** Failed logins per system (a burst is counted per operator and system). */
  fails?: Map<string, { list: { t: number; source: SourceRef; src?: string }[]; burstUntil: number }>;
  /** Lines of the operator's day so far (for alerts on daily volumes). */
  dayLines?: LineLog;
  foldUndeclared?: Map<string, number>;
}

const WARRANT_ACTIONS = new Set(['search', 'export', 'provision_intercept', 'modify_intercept']);
const VERB: Record<string, string> = {
  search: 'searched', export: 'exported records of', provision_intercept: 'provisioned an intercept on', modify_intercept: 'modified the intercept on',
};
const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'info', info: 'info' };
const SWEEP_MS = 5 * 60_000;
/** Lines kept per operator-day for alerts on daily volumes. */
const MAX_DAY_LINES = 5000;

class JumpHosts {
  readonly names = new Set<string>();
  readonly prefixes: Prefix[] = [];
  private readonly cache = new Map<string, boolean>();
  constructor(list: readonly string[]) {
    for (const j of list) {
      const p = isIp(j) || j.includes('/') ? parsePrefix(j) : undefined;
      if (p) this.prefixes.push(p);
      else {
        const n = j.toLowerCase();
        this.names.add(n);
        this.names.add(n.split('.')[0]);
      }
    }
  }
  get active(): boolean {
    return this.names.size > 0 || this.prefixes.length > 0;
  }
  /** A source is declared when its IP is in a declared address or prefix, or its host name is a declared name. */
  declared(host: string | undefined, ip: string | undefined): boolean {
    const k = `${host ?? ''}|${ip ?? ''}`;
    let v = this.cache.get(k);
    if (v === undefined) {
      v = false;
      if (ip && this.prefixes.length && isIp(ip) && inAnyPrefix(ip, this.prefixes)) v = true;
      if (!v && host && this.names.size) {
        const h = host.toLowerCase();
        v = this.names.has(h) || this.names.has(h.split('.')[0]);
      }
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(k, v);
    }
    return v;
  }
}

function hhmm(t: number): string {
  return new Date(t).toISOString().slice(11, 16);
}

export class AccessMonitor {
  readonly params: ModelParams;
  readonly rules: AccessRuleParams;
  readonly stats: AccessMonitorStats = { events: 0, bad_time: 0, late_events: 0, operator_hours: 0, alerts: {} };
  private readonly models?: AccessModelSet;
  private readonly pop?: OperatorModel;
  private readonly warrants?: WarrantRegister;
  private readonly jump: JumpHosts;
  private readonly ops = new Map<string, OpState>();
  private readonly declaredOps = new Map<string, { status: 'active' | 'disabled'; role?: string }>();
  private readonly rosterKnown: boolean;
  private readonly bulk: number;
  private readonly show: boolean;
  private readonly lateness: number;
  /** The same operators by the name as events write it (hot path: no lower-casing per event). */
  private readonly opsByName = new Map<string, OpState>();
  private watermark = -Infinity;
  private lastSweep = -Infinity;
  /** No open operator-hour is older than this hour, so a sweep before it closes nothing and is skipped. */
  private minOpenHour = Infinity;
  /** Alerts of the event being processed (reused; copied out only when there are any). */
  private readonly scratch: Alert[] = [];
  private readonly oneTarget: string[] = [''];
  /** The alert fields shared by the current event's alerts, built on the first alert (hot path: most events raise none). */
  private baseCache?: AlertBase;

  constructor(opts: AccessMonitorOptions = {}) {
    this.models = opts.models;
    this.pop = opts.models?.population;
    const base = opts.models?.params ?? DEFAULT_MODEL_PARAMS;
    this.params = { ...base, ...opts.params, floors: { ...base.floors, ...(opts.params?.floors ?? {}) } };
    this.rules = { ...DEFAULT_RULE_PARAMS, ...opts.rules };
    this.warrants = opts.warrants instanceof WarrantRegister ? opts.warrants : opts.warrants ? new WarrantRegister(opts.warrants) : undefined;
    this.jump = new JumpHosts(opts.site?.jump_hosts ?? []);
    for (const o of opts.site?.operators ?? []) this.declaredOps.set(o.name.toLowerCase(), { status: o.status, role: o.role });
    this.bulk = opts.site?.bulk_export_bytes ?? this.rules.bulk_export_bytes;
    this.show = opts.showTargets ?? false;
    this.lateness = opts.lateness_ms ?? 15 * 60_000;
    this.rosterKnown = this.declaredOps.size > 0 || Object.keys(opts.models?.operators ?? {}).length > 0;
  }

  /** Whether each part is switched on (for the CLI's notes on stderr). */
  get coverage(): { warrants: boolean; jump_hosts: boolean; roster: boolean; models: boolean } {
    return { warrants: !!this.warrants, jump_hosts: this.jump.active, roster: this.rosterKnown, models: !!this.models };
  }

  private state(name: string): OpState {
    // hot path: one lookup by the name as written; the lower-cased key only for names not seen before
    let s = this.opsByName.get(name);
    if (s) return s;
    s = this.stateByKey(name);
    if (this.opsByName.size > 100_000) this.opsByName.clear();
    this.opsByName.set(name, s);
    return s;
  }

  private stateByKey(name: string): OpState {
    const key = name.toLowerCase();
    let s = this.ops.get(key);
    if (!s) {
      const declared = this.declaredOps.get(key);
      const model = this.models?.operators[key];
      s = {
        key, name, model, known: !!declared || !!model, bucket: undefined, spare: undefined, jumpHost: undefined, jumpIp: undefined,
        jumpOk: false, bucketFirst: 0, bucketTime: '', lines: newLog(), prevLines: undefined, win: new Window60(), day: undefined,
        lastDisabledAlert: -Infinity, fails: undefined, dayLines: undefined, foldUndeclared: undefined,
        disabledSince: declared?.status === 'disabled' ? -Infinity : undefined,
        disabledBy: declared?.status === 'disabled' ? 'the site file lists it as disabled' : undefined,
      };
      this.ops.set(key, s);
    }
    return s;
  }

  private count(alerts: Alert[]): Alert[] {
    for (const a of alerts) {
      const k = a.rule.kind as AccessAlertKind;
      this.stats.alerts[k] = (this.stats.alerts[k] ?? 0) + 1;
    }
    return alerts;
  }

  /**
   * Checks one event; returns the alerts it raises, and those of operator-hours it closes (a shared empty, frozen
   * array when there are none: do not push into the result).
   * Hot path: called once per access event; allocates only the normalized target list (kept by the 60-minute
   * window) unless an alert is raised or an operator-hour closes.
   */
  process(e: AccessEvent, source: SourceRef): Alert[] {
    const t = parseIsoMs(e.time);
    if (!Number.isFinite(t)) {
      this.stats.bad_time++;
      return NO_ALERTS;
    }
    this.stats.events++;
    const out = this.scratch;
    if (t > this.watermark) this.watermark = t;
    if (this.watermark - this.lastSweep >= SWEEP_MS) {
      this.lastSweep = this.watermark;
      this.sweep(this.watermark - this.lateness, out);
    }
    const op = this.state(e.operator);
    const h = Math.floor(t / HOUR_MS);
    let b = op.bucket;
    if (b && b.hour < h) {
      this.close(op, out);
      b = undefined;
    }
    if (!b) {
      const spare = op.spare;
      op.spare = undefined;
      b = op.bucket = spare ? spare.reset(h) : new HourBucket(h);
      op.bucketFirst = t;
      op.bucketTime = e.time;
      if (h < this.minOpenHour) this.minOpenHour = h;
    } else if (b.hour > h) this.stats.late_events++;
    const tg = e.targets;
    let nts: string[];
    if (tg.length === 0) nts = EMPTY as string[];
    else if (tg.length === 1) {
      // nothing keeps the list past this event (the window and the bucket copy the targets): reuse one array
      nts = this.oneTarget;
      nts[0] = normalizeTarget(tg[0]);
    } else nts = tg.map(normalizeTarget);
    b.add(e, t, nts, op.win);
    if (source.line !== undefined) {
      logLine(op.lines, source.file, source.line, t);
    }
    this.baseCache = undefined;
    this.rulesFor(op, e, t, nts, source, out);
    if (out.length === 0) return NO_ALERTS;
    return this.count(out.splice(0, out.length));
  }

  /** Closes operator-hours that ended before `time` (ms or ISO) minus nothing; for a live service's clock tick. */
  advance(time: number | string): Alert[] {
    const t = typeof time === 'string' ? Date.parse(time) : time;
    const out: Alert[] = [];
    if (Number.isFinite(t)) this.sweep(t, out);
    return this.count(out);
  }

  /** Closes every open operator-hour (end of input). */
  flush(): Alert[] {
    const out: Alert[] = [];
    for (const op of this.ops.values()) if (op.bucket) this.close(op, out);
    return this.count(out);
  }

  private sweep(until: number, out: Alert[]): void {
    const h = Math.floor(until / HOUR_MS);
    // hot path (every 5 minutes of event time): walk the operators only when some open hour is old enough to close
    if (this.minOpenHour + 1 > h) return;
    let min = Infinity;
    for (const op of this.ops.values()) {
      const b = op.bucket;
      if (!b) continue;
      if (b.hour + 1 <= h) this.close(op, out);
      else if (b.hour < min) min = b.hour;
    }
    this.minOpenHour = min;
  }

  /** The fields the current event's alerts share (built once per event, and only for events that raise one). */
  private base(e: AccessEvent, source: SourceRef): AlertBase {
    return (this.baseCache ??= {
      operator: e.operator, system: e.system, time: e.time, source: { file: source.file, line: source.line }, event: redactEvent(e, this.show),
      ips: e.src_ip ? [e.src_ip] : undefined, devices: e.src_host ? [e.src_host] : undefined,
    });
  }

  /** Whether the event's source is a declared jump host, remembering the operator's last source (hot path). */
  private declaredSource(op: OpState, host: string | undefined, ip: string | undefined): boolean {
    if (op.jumpHost === host && op.jumpIp === ip && (host !== undefined || ip !== undefined)) return op.jumpOk;
    op.jumpHost = host;
    op.jumpIp = ip;
    return (op.jumpOk = this.jump.declared(host, ip));
  }

  // ---- rules

  // hot path: every event passes each rule's test; alert text is built only when a rule fires
  private rulesFor(op: OpState, e: AccessEvent, t: number, nts: readonly string[], source: SourceRef, out: Alert[]): void {

    if (!op.known) {
      op.known = true;
      if (this.rosterKnown) {
        out.push(makeAccessAlert({
          ...this.base(e, source), kind: 'new_account', severity: 'high',
          reasons: [`${e.operator} acted on ${e.system} (${e.action}) but is neither in the site file's operator list nor in the learned history; an account nobody declared.`],
        }));
      }
    }

    if (op.disabledSince !== undefined && t >= op.disabledSince && t - op.lastDisabledAlert >= this.rules.fold_ms) {
      op.lastDisabledAlert = t;
      out.push(makeAccessAlert({
        ...this.base(e, source), kind: 'disabled_account', severity: e.result === 'success' ? 'critical' : 'high',
        reasons: [`${e.operator} performed ${e.action} on ${e.system} (${e.result}) after the account was disabled: ${op.disabledBy}.`,
          ...(this.rules.fold_ms ? [`Further activity of this account in the next ${Math.round(this.rules.fold_ms / 60_000)} minutes is folded into this alert.`] : [])],
      }));
    }

    if (this.jump.active && (e.src_host || e.src_ip) && !this.declaredSource(op, e.src_host, e.src_ip)) {
      const src = [e.src_host, e.src_ip].filter(Boolean).join(' / ');
      if (!op.foldUndeclared) op.foldUndeclared = new Map();
      const last = op.foldUndeclared.get(src);
      if (last === undefined || t - last >= this.rules.fold_ms) {
        op.foldUndeclared.set(src, t);
        out.push(makeAccessAlert({
          ...this.base(e, source), kind: 'undeclared_source', severity: 'high', key: src,
          reasons: [`${e.operator} reached ${e.system} (${e.action}) from ${src}, which is not a declared jump host.`,
            `Further activity of ${e.operator} from this source in the next ${Math.round(this.rules.fold_ms / 60_000)} minutes is folded into this alert.`],
        }));
      }
    }

    const a = e.action;
    if (a === 'login_failed' || (a === 'login' && e.result === 'failure')) {
      const win = this.rules.failed_login_window_ms;
      if (!op.fails) op.fails = new Map();
      let f = op.fails.get(e.system);
      if (!f) op.fails.set(e.system, (f = { list: [], burstUntil: -Infinity }));
      const fails = f.list;
      fails.push({ t, source, src: e.src_ip ?? e.src_host });
      while (fails.length && fails[0].t < t - win) fails.shift();
      if (t <= f.burstUntil) f.burstUntil = t + win;
      else if (fails.length >= this.rules.failed_login_count) {
        f.burstUntil = t + win;
        const span = Math.round((t - fails[0].t) / 1000);
        const srcs = [...new Set(fails.map((x) => x.src).filter(Boolean))];
        const byFile = groupLines(fails.map((x) => x.source));
        out.push(makeAccessAlert({
          ...this.base(e, source), kind: 'failed_login_burst', severity: 'medium', time: new Date(fails[0].t).toISOString(),
          source: byFile[byFile.length - 1], correlation: byFile.length > 1 ? { sources: byFile } : undefined,
          reasons: [`${fails.length} failed logins for ${e.operator} on ${e.system} within ${span < 120 ? `${span} s` : `${Math.round(span / 60)} min`}${srcs.length ? ` from ${srcs.join(', ')}` : ''}; the burst threshold is ${this.rules.failed_login_count} within ${Math.round(win / 60_000)} min.`],
        }));
      }
    }

    if (a === 'admin_change' && e.account) {
      const subj = this.state(e.account);
      const ok = e.result === 'success';
      if (e.change === 'create_account') {
        const declared = this.declaredOps.has(subj.key);
        const existed = subj.known && !declared;
        subj.known = true;
        out.push(makeAccessAlert({
          ...this.base(e, source), kind: 'new_account', severity: ok ? (declared ? 'medium' : 'high') : 'low', key: subj.key,
          reasons: [`${e.operator} ${ok ? 'created' : 'tried to create'} the account ${e.account}${e.role ? ` with role ${e.role}` : ''} on ${e.system}.`,
            declared ? `The site file declares ${e.account}; confirm the creation matches an approved request.` : `${e.account} is not in the site file's operator list${existed ? '' : ' nor in the learned history'}.`],
        }));
      } else if (e.change === 'role_change') {
        const declared = this.declaredOps.get(subj.key);
        out.push(makeAccessAlert({
          ...this.base(e, source), kind: 'privilege_change', severity: ok ? (subj.key === op.key ? 'critical' : 'high') : 'medium', key: subj.key,
          reasons: [
            `${e.operator} ${ok ? 'changed' : 'tried to change'} the role of ${e.account}${e.role ? ` to ${e.role}` : ''} on ${e.system}.`,
            ...(subj.key === op.key ? [`${e.operator} changed their own privileges.`] : []),
            ...(declared?.role && e.role && declared.role !== e.role ? [`The site file gives ${e.account} the role ${declared.role}.`] : []),
          ],
        }));
      } else if (e.change === 'disable_account' && ok) {
        if (subj.disabledSince === undefined) {
          subj.disabledSince = t;
          subj.disabledBy = `${e.operator} disabled it at ${e.time} (${source.file}${source.line ? `:${source.line}` : ''})`;
        }
      } else if (e.change === 'enable_account' && ok) {
        subj.disabledSince = undefined;
        subj.disabledBy = undefined;
      }
    }

    if (a === 'export' && (e.bytes ?? 0) > this.bulk) {
      const b = e.bytes!;
      out.push(makeAccessAlert({
        ...this.base(e, source), kind: 'bulk_export', severity: b > 10 * this.bulk ? 'critical' : 'high',
        reasons: [`${e.operator} exported ${fmtBytes(b)}${e.records ? ` (${e.records.toLocaleString('en-US')} records)` : ''} from ${e.system}; the site's bulk export threshold is ${fmtBytes(this.bulk)}.`],
      }));
    }

    if (this.warrants && WARRANT_ACTIONS.has(a) && nts.length) this.warrantRules(op, e, t, nts, source, out);
  }

  // hot path: every search, export and intercept change; the common outcome (a valid warrant that authorizes the
  // operator) allocates nothing
  private warrantRules(op: OpState, e: AccessEvent, t: number, nts: readonly string[], source: SourceRef, out: Alert[]): void {
    const reg = this.warrants!;
    let noWarrant: string[] | undefined;
    let unauthorized: string[] | undefined;
    const cited = e.case_ref ? reg.case(e.case_ref) : undefined;
    for (let i = 0; i < nts.length; i++) {
      const nt = nts[i];
      const ws = reg.forTarget(nt);
      let covering = false;
      let authorized = false;
      let citedCovers: boolean | undefined;
      for (let k = 0; k < ws.length; k++) {
        const w = ws[k];
        if (w.from > t || t > w.until) continue;
        covering = true;
        const auth = w.ops.size === 0 || w.ops.has(op.key);
        if (cited && w === cited) citedCovers = auth;
        if (auth) authorized = true;
        // nothing later can change the outcome: authorized, and the cited warrant (if any) already seen
        if (authorized && (!cited || citedCovers !== undefined)) break;
      }
      if (!covering) (noWarrant ??= []).push(this.noWarrantReason(e, t, i, nt, ws, cited));
      else if (citedCovers === false || (citedCovers === undefined && !authorized)) {
        const w = citedCovers === false ? cited! : ws.find((x) => x.from <= t && t <= x.until)!;
        (unauthorized ??= []).push(`${e.operator} ${VERB[e.action] ?? e.action} ${this.shown(e.targets[i])} on ${e.system} under case ${w.case_ref}, which authorizes ${[...w.operators].join(', ') || 'nobody'}, not ${e.operator}.`);
      }
    }
    if (!noWarrant && !unauthorized) return;
    const intercept = e.action === 'provision_intercept' || e.action === 'modify_intercept';
    const refused = e.result === 'failure' ? [`The system refused the action (result failure); the attempt still needs an explanation.`] : [];
    if (noWarrant) {
      const sev: Severity = intercept ? 'critical' : 'high';
      out.push(makeAccessAlert({ ...this.base(e, source), kind: 'no_warrant', severity: refused.length ? LOWER[sev] : sev, reasons: [...noWarrant, ...refused] }));
    }
    if (unauthorized) {
      const sev: Severity = intercept ? 'critical' : 'high';
      out.push(makeAccessAlert({ ...this.base(e, source), kind: 'unauthorized_operator', severity: refused.length ? LOWER[sev] : sev, reasons: [...unauthorized, ...refused] }));
    }
  }

  private shown(target: string): string {
    return this.show ? target : maskTarget(target);
  }

  private noWarrantReason(e: AccessEvent, t: number, i: number, nt: string, ws: readonly IndexedWarrant[], cited: IndexedWarrant | undefined): string {
    let why: string;
    if (e.case_ref && !cited) why = `citing case ${e.case_ref}, which is not in the warrant register`;
    else if (cited && cited.targets.some((x) => normalizeTarget(x) === nt)) {
      why = t < cited.from ? `citing case ${cited.case_ref}, which is valid only from ${cited.valid_from}` : `citing case ${cited.case_ref}, which expired at ${cited.valid_until}`;
    } else if (cited) why = `citing case ${cited.case_ref}, which does not name this target`;
    else why = 'citing no case';
    const others = ws.filter((w) => w !== cited);
    const tail = others.length
      ? `; the register's ${cited ? 'other ' : ''}warrants for it (${others.map((w) => `${w.case_ref} ${w.valid_from.slice(0, 10)} to ${w.valid_until.slice(0, 10)}`).join(', ')}) are not valid at ${e.time}`
      : ws.length ? '' : '; no warrant in the register names this target';
    return `${e.operator} ${VERB[e.action] ?? e.action} ${this.shown(e.targets[i])} on ${e.system} ${why}${tail}.`;
  }

  // ---- behaviour

  // hot path (once per operator-hour, about one per 2.4 events here): the bucket and the line logs are reused
  private close(op: OpState, out: Alert[]): void {
    const b = op.bucket!;
    op.bucket = undefined;
    const lines = op.lines;
    const old = op.prevLines;
    const prev = old && old.hour === b.hour - 1 ? old : undefined;
    lines.hour = b.hour;
    op.prevLines = lines;
    this.closeHour(op, b, lines, prev, out);
    // nothing holds the old log or the bucket once the hour is scored: reuse them
    if (old) {
      old.hour = NaN;
      old.n = 0;
      op.lines = old;
    } else op.lines = newLog();
    op.spare = b;
  }

  private closeHour(op: OpState, b: HourBucket, lines: LineLog, prev: LineLog | undefined, out: Alert[]): void {
    this.stats.operator_hours++;
    const dsh = op.model?.day_start_hour ?? this.pop?.day_start_hour ?? 0;
    const d = dayIndex(b.hour, dsh);
    if (!op.day || op.day.day !== d) {
      op.day = new DayState(d);
      if (op.dayLines) op.dayLines.n = 0;
    }
    op.day.addBucket(b);
    if (this.models) {
      // keep the day's lines (bounded) for alerts on daily volumes
      const dl = (op.dayLines ??= newLog());
      for (let i = 0; i < lines.n && dl.n < MAX_DAY_LINES; i++) logLine(dl, lines.files[i], lines.nos[i], lines.times[i]);
    }
    if (!this.models || !this.pop) return;
    const s = scoreHour(b, op.day, op.model, this.pop, this.params);
    if (s.score < this.params.threshold) return;
    if (s.components.some((c) => c.family === 'daily')) op.day.alerted = true;
    // the lines of the hour, and those of the previous hour inside a 60-minute peak window that reaches back
    const from = Math.min(...s.components.map((c) => c.from ?? Infinity));
    const byFile = new Map<string, number[]>();
    const take = (log: LineLog, min: number) => {
      for (let i = 0; i < log.n; i++) {
        if (log.times[i] < min) continue;
        let l = byFile.get(log.files[i]);
        if (!l) byFile.set(log.files[i], (l = []));
        l.push(log.nos[i]);
      }
    };
    if (s.components.some((c) => c.family === 'daily') && op.dayLines) take(op.dayLines, -Infinity);
    else {
      if (prev && Number.isFinite(from)) take(prev, from);
      take(lines, -Infinity);
    }
    const sources = [...byFile].map(([file, ls]) => ({ file, lines: ls.sort((x, y) => x - y) }));
    sources.sort((x, y) => y.lines.length - x.lines.length);
    const start = b.hour * HOUR_MS;
    const severity: Severity = s.score >= 4 ? 'critical' : s.score >= 2 ? 'high' : 'medium';
    const attack = ['T1213', 'T1078'];
    if (s.components.some((c) => c.name === 'export_bytes' || c.name === 'export_size')) attack.push('T1048');
    const score = Math.round(s.score * 100) / 100;
    out.push(makeAccessAlert({
      kind: 'behaviour_anomaly', severity, time: op.bucketTime, operator: op.name,
      system: [...b.systems].join(','),
      source: sources[0] ?? { file: '-' },
      attack,
      devices: [...b.hosts],
      reasons: [
        `Anomaly score ${score} (alert at ${this.params.threshold}) for ${op.name} between ${hhmm(start)} and ${hhmm(start + HOUR_MS)} UTC on ${new Date(start).toISOString().slice(0, 10)}: ${b.events} event${b.events === 1 ? '' : 's'} on ${[...b.systems].join(', ')}.`,
        ...s.components.map((c) => `${op.name} ${c.reason()}.`),
      ],
      event: { time: op.bucketTime, operator: op.name, system: [...b.systems].join(','), hour: new Date(start).toISOString(), events: b.events },
      correlation: {
        score, hour: new Date(start).toISOString(), sources,
        metrics: { events: b.events, searches: b.searches, targets: b.targets.size, records: b.records, export_bytes: b.export_bytes, provisions: b.provisions, day_targets: op.day.targets.size, day_searches: op.day.searches },
        components: s.components.map((c) => ({ name: c.name, score: Math.round(c.score * 100) / 100 })),
      },
    }));
  }

  /** Open operator-hours and known operators (for memory figures and tests). */
  get size(): { operators: number; open_hours: number } {
    let open = 0;
    for (const o of this.ops.values()) if (o.bucket) open++;
    return { operators: this.ops.size, open_hours: open };
  }
}

/** Source lines of an hour or a day: parallel arrays, of which the first `n` entries count (reused, not truncated). */
interface LineLog {
  hour: number;
  n: number;
  files: string[];
  nos: number[];
  times: number[];
}

function newLog(): LineLog {
  return { hour: NaN, n: 0, files: [], nos: [], times: [] };
}

function logLine(l: LineLog, file: string, no: number, t: number): void {
  const i = l.n++;
  l.files[i] = file;
  l.nos[i] = no;
  l.times[i] = t;
}

type AlertBase = Omit<Parameters<typeof makeAccessAlert>[0], 'kind' | 'severity' | 'reasons'>;

const EMPTY: readonly string[] = Object.freeze([]) as readonly string[];
/** What process() returns for an event that raises no alert (most of them): one frozen array, not one per event. */
const NO_ALERTS = Object.freeze([]) as unknown as Alert[];

function groupLines(refs: readonly SourceRef[]): { file: string; lines: number[] }[] {
  const m = new Map<string, number[]>();
  for (const r of refs) {
    if (r.line === undefined) continue;
    let l = m.get(r.file);
    if (!l) m.set(r.file, (l = []));
    l.push(r.line);
  }
  return [...m].map(([file, lines]) => ({ file, lines }));
}
