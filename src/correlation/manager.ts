import type { Alert } from '../model/alert.js';
import { INCIDENT_STATES, type Incident, type IncidentState, type Suppression } from '../model/incident.js';
import type { SiteConfig } from '../model/site.js';
import type { Store } from '../store/store.js';
import { AttackTable } from './attack.js';
import { Correlator, OPEN_STATES } from './correlator.js';
import { loadCorrelationRules, type CorrelationRules } from './rules.js';
import { suppresses, suppressionsFor } from './suppress.js';

export class IncidentError extends Error {
  constructor(readonly code: 'not_found' | 'invalid', message: string, readonly field?: string) {
    super(message);
  }
}

export interface IncidentPatch {
  state?: IncidentState;
  assignee?: string | null;
  note?: string;
  /** With state false_positive: add suppressions for the incident's (rule, device) pairs. */
  suppress?: boolean;
}

export interface IngestResult {
  /** Alerts that were new to the store and went through correlation. */
  stored: Alert[];
  /** Alerts dropped by a suppression. */
  suppressed: number;
  /** Incidents created or changed by this batch (merged-away ones included, closed). */
  incidents: Incident[];
  created: number;
}

export interface IncidentEvents {
  /**
   * Called with each new (unsuppressed) alert after it is stored, or, for alerts handed to `deliverEarly`, at once
   * (before storing; each alert id once).
   */
  onAlerts?: (alerts: Alert[]) => void;
  /** Called with incidents that were created or changed. */
  onIncidents?: (incidents: Incident[], created: Set<string>) => void;
}

const SUPPRESSION_KIND = 'suppression';

/**
 * The correlation stage bound to a store: stores new alerts, drops suppressed ones, correlates the rest into
 * incidents, persists the incidents, and applies analysts' changes (state, assignee, notes, false-positive
 * suppressions). All operations run one at a time (the correlator's state is not shared).
 */
/** Ids of alerts delivered ahead of their storage that are remembered, so none is delivered twice (FIFO). */
export const EARLY_DELIVERED_IDS = 200_000;

export class IncidentManager {
  private chain: Promise<unknown> = Promise.resolve();
  /** Alert ids delivered by deliverEarly, oldest first (a Set keeps insertion order); at most EARLY_DELIVERED_IDS. */
  private readonly delivered = new Set<string>();
  private constructor(
    readonly store: Store,
    readonly correlator: Correlator,
    private suppressions: Suppression[],
    readonly events: IncidentEvents,
  ) {}

  static async open(store: Store, opts: { rules?: CorrelationRules; attack?: AttackTable; site?: SiteConfig; events?: IncidentEvents } = {}): Promise<IncidentManager> {
    const correlator = new Correlator(opts.rules ?? loadCorrelationRules(), opts.attack ?? AttackTable.load(), opts.site);
    const open = await store.listIncidents({ state: [...OPEN_STATES], limit: 100_000 });
    for (const inc of open.items) correlator.restore(inc, await store.getAlerts(inc.alert_ids));
    const sups = (await store.listDocs<Suppression>(SUPPRESSION_KIND)).map((d) => d.doc);
    return new IncidentManager(store, correlator, sups, opts.events ?? {});
  }

  /** Runs fn after every earlier operation finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  get openCount(): number {
    return this.correlator.openCount;
  }

  /**
   * Hands new alerts to onAlerts now, before they are stored (the live pipeline: their lines are in the write-ahead
   * log already, so they are not lost), instead of after `ingest` stored them: a store write waiting on a DuckDB
   * checkpoint holds no alert (docs/SERVE.md, "When an alert is delivered"). Suppressed alerts and ids delivered
   * before are left out; `ingest` must still be called with the same alerts (it stores and correlates them, and does
   * not deliver them again). Synchronous: it does not wait for earlier operations. Returns how many it delivered.
   */
  deliverEarly(alerts: readonly Alert[]): number {
    const out: Alert[] = [];
    for (const a of alerts) {
      if (this.delivered.has(a.id) || this.suppressions.some((x) => suppresses(x, a))) continue;
      this.delivered.add(a.id);
      out.push(a);
    }
    for (const id of this.delivered) {
      if (this.delivered.size <= EARLY_DELIVERED_IDS) break;
      this.delivered.delete(id);
    }
    if (out.length) this.events.onAlerts?.(out);
    return out.length;
  }

  ingest(alerts: readonly Alert[], at = new Date().toISOString()): Promise<IngestResult> {
    return this.serial(async () => {
      const keep: Alert[] = [];
      let suppressed = 0;
      const hit = new Set<Suppression>();
      for (const a of alerts) {
        const s = this.suppressions.find((x) => suppresses(x, a));
        if (s) {
          suppressed++;
          s.hits++;
          s.last_hit = at;
          hit.add(s);
        } else keep.push(a);
      }
      for (const s of hit) await this.store.putDoc(SUPPRESSION_KIND, s.id, s);
      const stored = await this.store.insertNewAlerts(keep);
      const changed: Incident[] = [];
      const created = new Set<string>();
      for (const a of stored) {
        const r = this.correlator.add(a, at);
        if (!r) continue;
        if (r.created) created.add(r.incidentId);
        changed.push(...r.merged);
      }
      changed.push(...this.correlator.takeDirty());
      for (const inc of changed) {
        if (this.sharedStore) await this.adoptAnalystChanges(inc);
        await this.store.putIncident(inc);
      }
      const late = this.delivered.size ? stored.filter((a) => !this.delivered.has(a.id)) : stored;
      if (late.length) this.events.onAlerts?.(late);
      if (changed.length) this.events.onIncidents?.(changed, created);
      return { stored, suppressed, incidents: changed, created: created.size };
    });
  }

  /**
   * Scale-out: analysts change incidents through other processes (the api role). Before writing an incident the
   * correlator changed, take over the analyst-owned fields (state, assignee, history, notes) from the stored copy
   * when it has more history or notes than ours.
   */
  private async adoptAnalystChanges(inc: Incident): Promise<void> {
    const cur = await this.store.getIncident(inc.id);
    if (!cur || (cur.history.length <= inc.history.length && cur.notes.length <= inc.notes.length)) return;
    inc.state = cur.state;
    inc.assignee = cur.assignee;
    inc.history = cur.history;
    inc.notes = cur.notes;
  }

  /** Set by the scale-out store role: the store is shared with api processes that change incidents. */
  sharedStore = false;

  private async mustGet(id: string): Promise<Incident> {
    const inc = await this.store.getIncident(id);
    if (!inc) throw new IncidentError('not_found', `no incident with id ${id}`);
    return inc;
  }

  update(id: string, patch: IncidentPatch, by: string, at = new Date().toISOString()): Promise<Incident> {
    return this.serial(async () => {
      if (patch.state !== undefined && !INCIDENT_STATES.includes(patch.state)) {
        throw new IncidentError('invalid', `state must be one of ${INCIDENT_STATES.join(', ')}`, 'state');
      }
      let inc = await this.mustGet(id);
      if (inc.merged_into) throw new IncidentError('invalid', `incident ${id} was merged into ${inc.merged_into}; change that one`, 'state');
      const finalState = patch.state ?? inc.state;
      if (patch.suppress && finalState !== 'false_positive') {
        throw new IncidentError('invalid', 'suppress is only allowed when the incident is (or becomes) false_positive', 'suppress');
      }
      inc = { ...inc, history: [...inc.history], notes: [...inc.notes] };
      if (patch.assignee !== undefined) {
        if (patch.assignee === null || patch.assignee === '') delete inc.assignee;
        else inc.assignee = patch.assignee;
      }
      if (patch.note) inc.notes.push({ by, at, text: patch.note });
      if (patch.state !== undefined && patch.state !== inc.state) {
        inc.state = patch.state;
        inc.history.push({ state: patch.state, by, at, ...(patch.note ? { note: patch.note } : {}) });
      } else if (patch.assignee !== undefined) {
        inc.history.push({ state: inc.state, by, at, note: inc.assignee ? `assigned to ${inc.assignee}` : 'unassigned' });
      }
      const wasOpen = this.correlator.isOpen(id);
      const nowOpen = OPEN_STATES.includes(inc.state);
      if (wasOpen && !nowOpen) this.correlator.release(id);
      else if (!wasOpen && nowOpen) this.correlator.restore(inc, await this.store.getAlerts(inc.alert_ids));
      else if (nowOpen) this.correlator.updateFields(inc);
      if (patch.suppress) {
        const alerts = await this.store.getAlerts(inc.alert_ids);
        for (const s of suppressionsFor(alerts, by, at, id, patch.note)) {
          if (this.suppressions.some((x) => x.id === s.id)) continue;
          this.suppressions.push(s);
          await this.store.putDoc(SUPPRESSION_KIND, s.id, s);
        }
      }
      await this.store.putIncident(inc);
      this.events.onIncidents?.([inc], new Set());
      return inc;
    });
  }

  addNote(id: string, text: string, by: string, at = new Date().toISOString()): Promise<Incident> {
    if (!text.trim()) return Promise.reject(new IncidentError('invalid', 'a note needs text', 'text'));
    return this.update(id, { note: text }, by, at);
  }

  listSuppressions(): Suppression[] {
    return [...this.suppressions];
  }

  deleteSuppression(id: string): Promise<boolean> {
    return this.serial(async () => {
      const before = this.suppressions.length;
      this.suppressions = this.suppressions.filter((s) => s.id !== id);
      if (this.suppressions.length === before) return false;
      await this.store.deleteDoc(SUPPRESSION_KIND, id);
      return true;
    });
  }

  /** Waits for every queued operation. */
  async idle(): Promise<void> {
    await this.chain;
  }
}
