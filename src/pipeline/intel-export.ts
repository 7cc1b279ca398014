/**
 * Sharing back: our indicator sightings and incidents as a STIX 2.1 bundle (what `intel export` writes and what the
 * TAXII server's sightings collection serves). Only what partners need leaves: the indicator we saw, the value we
 * saw, when and how often, and who we are; never our internal addresses, device names or accounts.
 */
import type { Alert } from '../model/alert.js';
import type { SiteConfig } from '../model/site.js';
import type { Store } from '../store/store.js';
import { uuidv5, TIDEWATCH_NS, STIX_SCO_NS } from '../util/uuid.js';
import { TLP_MARKINGS, normTlp } from '../parsers/intel/common.js';
import { hashAlgo, observablesOf } from '../detectors/intel/index.js';

export type StixObject = Record<string, unknown> & { type: string; id: string };

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** The TLP marking-definition object STIX 2.1 predefines for a level. */
export function tlpMarking(level: string): StixObject {
  const t = normTlp(level) ?? 'amber';
  const m = TLP_MARKINGS[t];
  return {
    type: 'marking-definition', spec_version: '2.1', id: m.id, created: '2017-01-20T00:00:00.000Z',
    definition_type: 'tlp', name: m.name, definition: { tlp: m.tlp },
  };
}

/** Our identity, from the site file's `organization`; its creation time is kept in the store so its id and version stay put. */
export async function ourIdentity(store: Store, site: SiteConfig): Promise<StixObject> {
  const name = site.organization?.name ?? 'Tidewatch operator';
  const id = `identity--${uuidv5(`identity\n${name}`, TIDEWATCH_NS)}`;
  let created = (await store.getDoc<{ created: string }>('intel-identity', id))?.created;
  if (!created) { created = new Date().toISOString(); await store.putDoc('intel-identity', id, { created }); }
  const o: StixObject = {
    type: 'identity', spec_version: '2.1', id, created, modified: created, name,
    identity_class: 'organization', sectors: ['telecommunications'],
  };
  if (site.organization?.contact) o.contact_information = site.organization.contact;
  return o;
}

/** Deterministic id of a cyber-observable (STIX 2.1: UUIDv5 over its id-contributing properties). */
export function scoId(type: string, props: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(props), STIX_SCO_NS)}`;
}

/** JSON with object keys sorted (enough of RFC 8785 for the string-valued properties used here). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Record<string, unknown>).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The observable (SCO) for a matched value: ipv4-addr, ipv6-addr, domain-name, url, or file with its hash. */
export function scoFor(value: string): StixObject | undefined {
  const o = observablesOf(value);
  if (!o) return undefined;
  switch (o.kind) {
    case 'ipv4': return { type: 'ipv4-addr', spec_version: '2.1', id: scoId('ipv4-addr', { value: o.value }), value: o.value };
    case 'ipv6': return { type: 'ipv6-addr', spec_version: '2.1', id: scoId('ipv6-addr', { value: o.value }), value: o.value };
    case 'domain': return { type: 'domain-name', spec_version: '2.1', id: scoId('domain-name', { value: o.value }), value: o.value };
    case 'url': return { type: 'url', spec_version: '2.1', id: scoId('url', { value: o.value }), value: o.value };
    case 'hash': {
      const hashes = { [hashAlgo(o.value)]: o.value };
      return { type: 'file', spec_version: '2.1', id: scoId('file', { hashes }), hashes };
    }
  }
}

interface Group { indicator: string; value: string; first: string; last: string; count: number; confidence?: number }

/** Sightings (with observed-data and observables) for intel alerts, one per indicator and observed value. */
export function sightingsFor(alerts: readonly Alert[], identity: StixObject, marking: StixObject, scope: string): StixObject[] {
  const groups = new Map<string, Group>();
  for (const a of alerts) {
    if (a.detector !== 'intel' || !a.indicator) continue;
    const key = `${a.indicator.id}\n${a.indicator.value}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { indicator: a.indicator.id, value: a.indicator.value, first: a.time, last: a.time, count: 1, confidence: a.indicator.confidence });
    else { g.count++; if (a.time < g.first) g.first = a.time; if (a.time > g.last) g.last = a.time; }
  }
  const out: StixObject[] = [];
  const now = new Date().toISOString();
  const common = { spec_version: '2.1', created_by_ref: identity.id, object_marking_refs: [marking.id] };
  for (const g of [...groups.values()].sort((x, y) => (x.first < y.first ? -1 : 1))) {
    const sco = scoFor(g.value);
    const seed = `${scope}\n${g.indicator}\n${g.value}`;
    const created = g.first <= now ? g.first : now;
    const modified = g.last > created ? g.last : created;
    const refs: string[] = [];
    if (sco) {
      out.push(sco);
      const od: StixObject = {
        type: 'observed-data', id: `observed-data--${uuidv5(`observed\n${seed}`, TIDEWATCH_NS)}`, ...common,
        created, modified, first_observed: g.first, last_observed: g.last, number_observed: g.count, object_refs: [sco.id],
      };
      out.push(od);
      refs.push(od.id);
    }
    const s: StixObject = {
      type: 'sighting', id: `sighting--${uuidv5(`sighting\n${seed}`, TIDEWATCH_NS)}`, ...common,
      created, modified, first_seen: g.first, last_seen: g.last, count: g.count,
      sighting_of_ref: g.indicator, where_sighted_refs: [identity.id],
    };
    if (refs.length) s.observed_data_refs = refs;
    out.push(s);
  }
  return out;
}

export interface ExportOptions { since: string; until?: string; tlp?: string }

/** Builds the bundle `intel export` writes: identity, TLP marking, sightings (+ observed-data, observables), incidents. */
export async function exportStix(store: Store, site: SiteConfig, opts: ExportOptions): Promise<StixBundle> {
  const identity = await ourIdentity(store, site);
  const marking = tlpMarking(opts.tlp ?? 'amber');
  const alerts: Alert[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.listAlerts({ detector: 'intel', since: opts.since, until: opts.until, order: 'asc', limit: 1000, offset });
    alerts.push(...page.items);
    if (page.items.length < 1000) break;
  }
  const objects: StixObject[] = [identity, marking, ...sightingsFor(alerts, identity, marking, '')];
  const incidents = await store.listIncidents({ limit: 10000 });
  const common = { spec_version: '2.1', created_by_ref: identity.id, object_marking_refs: [marking.id] };
  for (const inc of incidents.items) {
    if (inc.last_seen < opts.since || (opts.until && inc.first_seen >= opts.until)) continue;
    if (inc.state === 'false_positive') continue;
    const id = `incident--${uuidv5(`incident\n${inc.id}`, TIDEWATCH_NS)}`;
    const o: StixObject = {
      type: 'incident', id, ...common, created: inc.first_seen, modified: inc.last_seen >= inc.first_seen ? inc.last_seen : inc.first_seen,
      name: inc.title,
      description: `Severity ${inc.severity}, state ${inc.state}, ${inc.alert_ids.length} alert(s) between ${inc.first_seen} and ${inc.last_seen}.` +
        (inc.techniques.length ? ` ATT&CK: ${inc.techniques.map((t) => t.technique).join(', ')}.` : ''),
    };
    const phases = [...new Set(inc.techniques.map((t) => t.tactic).filter(Boolean))];
    if (phases.length) o.kill_chain_phases = phases.map((p) => ({ kill_chain_name: 'mitre-attack', phase_name: p.toLowerCase().replace(/[^a-z0-9]+/g, '-') }));
    if (inc.techniques.length) o.external_references = inc.techniques.map((t) => ({ source_name: 'mitre-attack', external_id: t.technique }));
    objects.push(o);
    const related = (await store.getAlerts(inc.alert_ids)).filter((a) => a.detector === 'intel' && a.indicator);
    for (const indId of new Set(related.map((a) => a.indicator!.id))) {
      objects.push({
        type: 'relationship', id: `relationship--${uuidv5(`rel\n${id}\n${indId}`, TIDEWATCH_NS)}`, ...common,
        created: o.created, modified: o.modified, relationship_type: 'related-to', source_ref: id, target_ref: indId,
      });
    }
  }
  return { type: 'bundle', id: `bundle--${uuidv5(`bundle\n${identity.id}\n${opts.since}\n${opts.until ?? ''}\n${Date.now()}`, TIDEWATCH_NS)}`, objects };
}
