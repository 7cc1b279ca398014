import { createHash } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import type { Incident, IncidentState, TimelineEntry } from '../model/incident.js';
import type { SiteConfig } from '../model/site.js';
import { SEVERITIES, severityRank, type Severity } from '../model/severity.js';
import type { AttackTable } from './attack.js';
import type { ChainRule, CorrelationRules, GroupKey } from './rules.js';

/** States in which an incident still collects alerts. */
export const OPEN_STATES: readonly IncidentState[] = ['new', 'investigating', 'contained'];

/** What the correlator keeps of each alert (enough to rebuild the incident). */
interface AlertSummary {
  id: string;
  ms: number;
  time: string;
  title: string;
  rule: string;
  severity: Severity;
  attack: string[];
  device?: string;
  devices: string[];
  accounts: string[];
  ips: string[];
  remediation?: string;
}

interface OpenIncident {
  inc: Incident;
  firstMs: number;
  lastMs: number;
  alerts: AlertSummary[];
  ids: Set<string>;
  keys: Set<string>;
}

export interface AddResult {
  /** The incident the alert joined or opened; call takeDirty() to get it rebuilt (once per batch). */
  incidentId: string;
  created: boolean;
  /** Incidents merged into `incident` because this alert linked them (now closed with `merged_into`). */
  merged: Incident[];
}

const TACTIC_LABEL = (t: string) => t.replace(/-/g, ' ');

function uniq<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

function summarize(a: Alert): AlertSummary {
  const ms = Date.parse(a.time);
  const lower = (xs: readonly string[] | undefined) => uniq((xs ?? []).filter((x) => typeof x === 'string' && x).map((x) => x.toLowerCase()));
  const devices = lower([...(a.device ? [a.device] : []), ...(a.entities?.devices ?? [])]);
  return {
    id: a.id, ms: Number.isFinite(ms) ? ms : Date.now(), time: a.time, title: a.rule.title, rule: a.rule.id, severity: a.severity,
    attack: a.attack ?? [], device: a.device?.toLowerCase(), devices,
    accounts: lower(a.entities?.accounts), ips: uniq((a.entities?.ips ?? []).filter((x) => typeof x === 'string' && x)),
    remediation: a.remediation,
  };
}

/**
 * The correlation stage: alerts in, incidents out. Pure state over model types (no store, no clock except the
 * `at` times callers pass), so the live service, the drill scorer and a scale-out worker run the same code.
 * Grouping, severity raises, chains and remediation come from rules/correlation/incidents.yml (docs/INCIDENTS.md).
 */
export class Correlator {
  private readonly open = new Map<string, OpenIncident>();
  private readonly index = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly neverIps: Set<string>;
  private readonly neverAccounts: Set<string>;
  private readonly windows: Map<GroupKey, number>;

  constructor(readonly rules: CorrelationRules, readonly attack: AttackTable, site?: SiteConfig) {
    const ips = [...rules.neverGroup.ips];
    for (const list of rules.neverGroup.ipSiteLists) {
      const v = (site as unknown as Record<string, unknown> | undefined)?.[list];
      if (Array.isArray(v)) for (const x of v) if (typeof x === 'string' && !x.includes('/')) ips.push(x);
    }
    this.neverIps = new Set(ips);
    this.neverAccounts = new Set(rules.neverGroup.accounts.map((a) => a.toLowerCase()));
    this.windows = new Map(rules.groupBy.map((g) => [g.key, g.windowMs]));
  }

  /** Open incidents currently collecting alerts. */
  get openCount(): number {
    return this.open.size;
  }

  openIncidents(): Incident[] {
    return [...this.open.values()].map((o) => o.inc);
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  /** Puts a stored open incident (and its alerts) back under correlation, e.g. after a restart or a reopen. */
  restore(inc: Incident, alerts: readonly Alert[]): void {
    const o: OpenIncident = { inc, firstMs: Infinity, lastMs: -Infinity, alerts: [], ids: new Set(), keys: new Set() };
    for (const a of alerts) this.attach(o, summarize(a));
    this.open.set(inc.id, o);
    this.indexKeys(o);
  }

  /** Takes an incident out of correlation (closed, false positive). */
  release(id: string): void {
    const o = this.open.get(id);
    if (!o) return;
    this.open.delete(id);
    for (const k of o.keys) this.index.get(k)?.delete(id);
    this.dirty.delete(id);
  }

  /** Replaces the stored fields an analyst changes (state, assignee, notes, history) on an open incident. */
  updateFields(inc: Incident): void {
    const o = this.open.get(inc.id);
    if (o) {
      o.inc = { ...o.inc, state: inc.state, assignee: inc.assignee, history: inc.history, notes: inc.notes };
    }
  }

  /** Keys an alert groups by (those not excluded by `never_group`). */
  private groupKeys(s: AlertSummary): { key: GroupKey; value: string }[] {
    const out: { key: GroupKey; value: string }[] = [];
    if (this.windows.has('device')) for (const d of s.devices) out.push({ key: 'device', value: `d:${d}` });
    if (this.windows.has('account')) for (const a of s.accounts) if (!this.neverAccounts.has(a)) out.push({ key: 'account', value: `a:${a}` });
    if (this.windows.has('ip')) for (const ip of s.ips) if (!this.neverIps.has(ip)) out.push({ key: 'ip', value: `i:${ip}` });
    return out;
  }

  /**
   * Correlates one alert. Returns the incident it joined or opened, or undefined when it was already part of an
   * open incident or is below `open_min_severity` with nothing to join. `at` is the processing time (history).
   */
  add(alert: Alert, at: string): AddResult | undefined {
    const s = summarize(alert);
    const keys = this.groupKeys(s);
    const matches = new Map<string, OpenIncident>();
    for (const { key, value } of keys) {
      const win = this.windows.get(key) ?? 0;
      for (const id of this.index.get(value) ?? []) {
        const o = this.open.get(id);
        if (!o) continue;
        if (o.ids.has(s.id)) return undefined;
        if (s.ms >= o.firstMs - win && s.ms <= o.lastMs + win) matches.set(id, o);
      }
    }
    if (!matches.size) {
      if (severityRank(s.severity) < severityRank(this.rules.openMinSeverity)) return undefined;
      const id = 'INC-' + createHash('sha256').update(s.id).digest('hex').slice(0, 12);
      if (this.open.has(id)) return undefined;
      const inc: Incident = {
        id, title: s.title, severity: s.severity, state: 'new', first_seen: s.time, last_seen: s.time, alert_ids: [],
        techniques: [], timeline: [], devices: [], accounts: [], ips: [], remediation: [],
        history: [{ state: 'new', by: 'correlation', at }], notes: [],
      };
      const o: OpenIncident = { inc, firstMs: Infinity, lastMs: -Infinity, alerts: [], ids: new Set(), keys: new Set() };
      this.attach(o, s);
      this.open.set(id, o);
      this.indexKeys(o);
      this.dirty.add(id);
      return { incidentId: id, created: true, merged: [] };
    }
    const sorted = [...matches.values()].sort((a, b) => a.firstMs - b.firstMs || a.inc.id.localeCompare(b.inc.id));
    const target = sorted[0];
    const merged: Incident[] = [];
    for (const other of sorted.slice(1)) {
      for (const a of other.alerts) this.attach(target, a);
      this.release(other.inc.id);
      const closed: Incident = {
        ...this.materialize(other), state: 'closed', merged_into: target.inc.id,
        history: [...other.inc.history, { state: 'closed', by: 'correlation', at, note: `merged into ${target.inc.id}` }],
      };
      target.inc.notes = [...target.inc.notes, ...other.inc.notes];
      target.inc.history = [...target.inc.history, { state: target.inc.state, by: 'correlation', at, note: `absorbed ${other.inc.id}` }];
      merged.push(closed);
    }
    this.attach(target, s);
    this.indexKeys(target);
    this.dirty.add(target.inc.id);
    return { incidentId: target.inc.id, created: false, merged };
  }

  /** Incidents changed since the last call, rebuilt (techniques, timeline, severity, title, remediation). */
  takeDirty(): Incident[] {
    const out: Incident[] = [];
    for (const id of this.dirty) {
      const o = this.open.get(id);
      if (o) out.push(this.materialize(o));
    }
    this.dirty.clear();
    return out;
  }

  private attach(o: OpenIncident, s: AlertSummary): void {
    if (o.ids.has(s.id)) return;
    o.ids.add(s.id);
    o.alerts.push(s);
    if (s.ms < o.firstMs) o.firstMs = s.ms;
    if (s.ms > o.lastMs) o.lastMs = s.ms;
    for (const k of this.groupKeys(s)) o.keys.add(k.value);
  }

  private indexKeys(o: OpenIncident): void {
    for (const k of o.keys) {
      let set = this.index.get(k);
      if (!set) this.index.set(k, (set = new Set()));
      set.add(o.inc.id);
    }
  }

  private stepMatches(step: ChainRule['steps'][number], a: AlertSummary): boolean {
    if (step.rules.includes(a.rule)) return true;
    return step.techniques.some((t) => a.attack.some((x) => x === t || x.startsWith(t + '.')));
  }

  /** The chain's earliest completion in the incident's alerts (time order), if any. */
  private completes(chain: ChainRule, alerts: AlertSummary[]): boolean {
    let starts = 0;
    for (let i = 0; i < alerts.length && starts < 64; i++) {
      if (!this.stepMatches(chain.steps[0], alerts[i])) continue;
      starts++;
      const end = alerts[i].ms + chain.windowMs;
      let step = 1;
      for (let j = i + 1; j < alerts.length && alerts[j].ms <= end && step < chain.steps.length; j++) {
        if (this.stepMatches(chain.steps[step], alerts[j])) step++;
      }
      if (step === chain.steps.length) return true;
    }
    return false;
  }

  /** Rebuilds the incident document from its alerts. */
  private materialize(o: OpenIncident): Incident {
    const alerts = [...o.alerts].sort((a, b) => a.ms - b.ms || a.id.localeCompare(b.id));
    o.alerts = alerts;
    const firstSeenOf = new Map<string, number>();
    const timeline: TimelineEntry[] = [];
    let base: Severity = 'info';
    const devices: string[] = [];
    const accounts: string[] = [];
    const ips: string[] = [];
    const alertRemediation: string[] = [];
    for (const a of alerts) {
      if (severityRank(a.severity) > severityRank(base)) base = a.severity;
      const techs = a.attack.filter((t) => this.attack.isTechnique(t));
      for (const t of techs) if (!firstSeenOf.has(t)) firstSeenOf.set(t, a.ms);
      const lead = techs
        .map((t) => ({ t, info: this.attack.lookup(t) }))
        .sort((x, y) => this.attack.tacticRank(y.info?.tactic) - this.attack.tacticRank(x.info?.tactic))
        .find((x) => x.info) ?? (techs[0] ? { t: techs[0], info: undefined } : undefined);
      timeline.push({
        time: a.time, alert_id: a.id, title: a.title,
        ...(a.device ? { device: a.device } : {}),
        ...(lead ? { technique: lead.t, tactic: lead.info?.tactic ?? 'unmapped' } : {}),
      });
      devices.push(...a.devices);
      accounts.push(...a.accounts);
      ips.push(...a.ips);
      if (a.remediation) alertRemediation.push(a.remediation);
    }
    const techniques = [...firstSeenOf.entries()]
      .map(([technique, ms]) => {
        const info = this.attack.lookup(technique);
        return { technique, tactic: info?.tactic ?? 'unmapped', name: info?.name, ms };
      })
      .sort((a, b) => this.attack.tacticRank(a.tactic) - this.attack.tacticRank(b.tactic) || a.ms - b.ms || a.technique.localeCompare(b.technique))
      .map(({ technique, tactic, name }) => (name ? { technique, tactic, name } : { technique, tactic }));
    const tactics = uniq(techniques.map((t) => t.tactic).filter((t) => t !== 'unmapped'));
    const devs = uniq(devices).sort();
    const accts = uniq(accounts).sort();
    // severity: highest alert, raised one step per rule that holds, at least every completed chain's severity
    let rank = severityRank(base);
    const reasons: string[] = [];
    for (const r of this.rules.severityRaise) {
      const holds = (r.tactics === undefined || tactics.length >= r.tactics)
        && (r.devices === undefined || devs.length >= r.devices)
        && (r.accounts === undefined || accts.length >= r.accounts)
        && (r.tacticReached === undefined || tactics.some((t) => r.tacticReached!.includes(t)));
      if (holds) {
        rank = Math.min(rank + 1, SEVERITIES.length - 1);
        reasons.push(r.reason);
      }
    }
    const chains = this.rules.chains.filter((c) => this.completes(c, alerts));
    for (const c of chains) {
      if (severityRank(c.severity) > rank) {
        rank = severityRank(c.severity);
        reasons.push(`chain ${c.id}: ${c.title}`);
      }
    }
    const where = devs.length ? (devs.length > 1 ? `${devs[0]} and ${devs.length - 1} more device${devs.length > 2 ? 's' : ''}` : devs[0])
      : accts[0] ?? ips[0] ?? 'unknown source';
    let title: string;
    if (chains.length) title = `${chains[0].title} on ${where}`;
    else if (tactics.length) title = `${tactics.map(TACTIC_LABEL).join(' → ')} on ${where}`;
    else title = `${alerts[0]?.title ?? 'alert'} on ${where}`;
    const remediation = uniq([
      ...this.rules.remediation.always,
      ...alertRemediation,
      ...this.attack.tacticOrder.filter((t) => tactics.includes(t)).flatMap((t) => this.rules.remediation.byTactic[t] ?? []),
    ]);
    const inc: Incident = {
      ...o.inc,
      title,
      severity: SEVERITIES[rank],
      first_seen: alerts[0]?.time ?? o.inc.first_seen,
      last_seen: alerts[alerts.length - 1]?.time ?? o.inc.last_seen,
      alert_ids: alerts.map((a) => a.id),
      techniques,
      timeline,
      devices: devs,
      accounts: accts,
      ips: uniq(ips).sort(),
      remediation,
      chains: chains.map((c) => ({ id: c.id, title: c.title })),
      severity_reasons: reasons,
    };
    o.inc = inc;
    return inc;
  }
}
