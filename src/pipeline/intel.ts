/**
 * Threat-intel wiring shared by the CLI, the live service and the other pipelines: importing indicator files into
 * the store, loading the one matcher every source uses, and turning matches into the common Alert.
 *
 * Callers: `hunt` (matchEvent per event), `flows` (matchFlow per flow), `audit` (matchConfigAddresses per device),
 * `intel lookup` (matchValue), `serve` (all of them, plus the TAXII server in src/serve/taxii.ts).
 */
import { createHash } from 'node:crypto';
import type { Alert, IndicatorRef } from '../model/alert.js';
import type { Event, SourceRef } from '../model/event.js';
import type { FlowRecord } from '../model/flow.js';
import type { IndicatorRecord, ImportOutcome } from '../model/indicator.js';
import type { Severity } from '../model/severity.js';
import type { Store } from '../store/store.js';
import { IndicatorIndex, SequenceState, observablesOf, type IndicatorHit, type ValueKind } from '../detectors/intel/index.js';
import type { Observable } from '../detectors/intel/pattern.js';
import { parseIPv4Int, parseIPv6Words, formatIPv6Words } from '../util/ipint.js';
import { parseIntelText, type ParseOptions, type ParsedIntel } from '../parsers/intel/detect.js';
import { attackId } from '../parsers/intel/common.js';

import { IntelInputError } from '../parsers/intel/detect.js';
export { IntelInputError };

// ---------------------------------------------------------------------------------------------------------------
// Import

export interface ImportReport {
  source: string;
  format: ParsedIntel['format'];
  added: number;
  updated: number;
  skipped: number;
  rejected: { ref: string; reason: string }[];
  /** Why objects were skipped (unchanged and older versions are counted but not listed one by one). */
  skipped_reasons: { ref: string; reason: string }[];
  /** Accepted objects with parts that will never match (unsupported pattern parts). */
  notes: { ref: string; note: string }[];
}

/** Parses one intel document (format detected from content) and stores it. */
export async function importIntel(store: Store, text: string, opts: ParseOptions): Promise<ImportReport> {
  const parsed = parseIntelText(text, opts);
  return storeParsed(store, parsed, opts.source);
}

/** Stores already-parsed intel and counts what happened. */
export async function storeParsed(store: Store, parsed: ParsedIntel, source: string): Promise<ImportReport> {
  const outcomes: ImportOutcome[] = [];
  const BATCH = 20000;
  for (let i = 0; i < parsed.objects.length; i += BATCH) outcomes.push(...await store.putIntelObjects(parsed.objects.slice(i, i + BATCH)));
  const count = (o: ImportOutcome) => outcomes.filter((x) => x === o).length;
  const unchanged = count('skipped');
  const skippedReasons = [...parsed.skipped];
  if (unchanged) skippedReasons.push({ ref: `${unchanged} object(s)`, reason: 'already stored (same or newer version)' });
  return {
    source,
    format: parsed.format,
    added: count('added'),
    updated: count('updated'),
    skipped: unchanged + parsed.skipped.length,
    rejected: parsed.rejected,
    skipped_reasons: skippedReasons,
    notes: parsed.notes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Matcher

/** An address found in a device configuration, with where it was (audit's configAddresses yields these). */
export interface ConfigAddress {
  address: string;
  /** What the address is used for: `acl`, `tunnel`, `aaa`, `syslog`, `ntp`, `snmp`... (audit calls it `kind`). */
  context?: string;
  kind?: string;
  line?: number;
  file?: string;
}

/** Fields whose values are never indicators (they are about the log line itself). */
const SKIP_FIELDS = new Set(['time', 'facility', 'severity', 'program', 'mnemonic', 'pid', 'sequence']);
const IPV4_IN_TEXT = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;
/** IPv6 candidates in free text (validated by the parser afterwards: times and MAC addresses do not parse). */
const IPV6_IN_TEXT = /(?<![0-9A-Za-z:.])[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*(?:\d{1,3}(?:\.\d{1,3}){3})?(?![0-9A-Za-z:])/g;
const URL_IN_TEXT = /\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}:\/\/[^\s"'<>]+/g;

const SEVERITY_UP: Record<Severity, Severity> = { info: 'low', low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

/** Severity of a match from the indicator's confidence: 85+ high, 50+ medium, below low, unknown medium. */
export function severityOf(confidence: number | undefined): Severity {
  if (confidence === undefined) return 'medium';
  return confidence >= 85 ? 'high' : confidence >= 50 ? 'medium' : 'low';
}

function stableId(parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

export interface MatcherOptions {
  /** Clock for events without a time (and for lookup validity); default Date.now. */
  now?: () => number;
  /** Flows: one alert per indicator and pair of addresses (either direction) per this many seconds (default 3600; 0 = every flow). */
  flowRepeatS?: number;
}

/**
 * The one indicator matcher. Stateless for single-observation patterns; patterns that join observations
 * (AND/FOLLOWEDBY between `[...]`, WITHIN, REPEATS) keep a small per-indicator state across calls and alert when
 * the whole pattern holds.
 */
export class IndicatorMatcher {
  readonly state = new SequenceState();
  private readonly now: () => number;
  private readonly scanIp: boolean;
  private readonly scanDomain: boolean;
  private readonly flowRepeatMs: number;
  private flowSeen = new Set<string>();

  constructor(readonly index: IndicatorIndex, opts: MatcherOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.flowRepeatMs = (opts.flowRepeatS ?? 3600) * 1000;
    this.scanIp = index.needsScan('ipv4-addr') || index.needsScan('ipv6-addr') || index.needsScan('network-traffic');
    this.scanDomain = index.needsScan('domain-name') || index.needsScan('url') || index.needsScan('file');
  }

  get size(): number { return this.index.size; }

  /**
   * Indicators a single value (IP, domain, URL or hash) matches now. Parts of multi-observation patterns count
   * (`partial: true`): this answers "which indicators involve this value".
   */
  matchValue(v: string, atMs?: number): IndicatorHit[] {
    const o = observablesOf(v);
    if (!o) return [];
    return this.index.match(o.objects, atMs ?? this.now());
  }

  /** Any IP, domain, URL or hash in an event's fields (and IPs/URLs inside its message text). */
  matchEvent(event: Event, source?: SourceRef): Alert[] {
    const objects: Observable[] = [];
    const fieldOf = new Map<string, string>();
    const seen = new Set<string>();
    const add = (field: string, raw: string) => {
      if (raw.length > 2048 || seen.has(raw)) return;
      seen.add(raw);
      if (!this.scanIp && !this.scanDomain) {
        // fast reject: nothing indexed could match this value
        const n = parseIPv4Int(raw);
        if (n >= 0) { if (this.index.lookupIPv4(n) < 0) return; }
        else if (raw.indexOf('.') < 0 && raw.indexOf(':') < 0 && !/^[0-9a-fA-F]{32,128}$/.test(raw)) return;
      }
      const o = observablesOf(raw);
      if (!o) return;
      for (const ob of o.objects) { objects.push(ob); fieldOf.set(String(ob.value ?? raw), field); }
      fieldOf.set(o.value, field);
    };
    const visit = (field: string, v: unknown, depth: number) => {
      if (typeof v === 'string') {
        if (field === 'message' || v.length > 64 || /\s/.test(v)) {
          for (const m of v.matchAll(IPV4_IN_TEXT)) add(field, m[0]);
          if (v.includes(':')) for (const m of v.matchAll(IPV6_IN_TEXT)) if (parseIPv6Words(m[0])) add(field, m[0]);
          if (v.includes('://')) for (const m of v.matchAll(URL_IN_TEXT)) add(field, m[0].replace(/[),.;\]]+$/, ''));
        } else add(field, v);
      } else if (Array.isArray(v) && depth < 3) v.forEach((x) => visit(field, x, depth + 1));
      else if (v && typeof v === 'object' && depth < 3) for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(`${field}.${k}`, x, depth + 1);
    };
    for (const [k, v] of Object.entries(event)) if (!SKIP_FIELDS.has(k)) visit(k, v, 0);
    if (!objects.length) return [];
    const t = typeof event.time === 'string' ? Date.parse(event.time) : NaN;
    const ms = Number.isNaN(t) ? this.now() : t;
    const hits = this.index.match(objects, ms, this.state, this.now());
    return hits.map((h) => this.alert(h, {
      time: isoOf(ms), context: 'event', field: fieldOf.get(h.value), device: typeof event.host === 'string' ? event.host : undefined,
      source, event,
    }));
  }

  /** Both ends of a flow (and its ports, for network-traffic patterns). */
  matchFlow(flow: FlowRecord): Alert[] {
    if (!this.scanIp && !this.index.hasIp(flow.src_ip) && !this.index.hasIp(flow.dst_ip)) return [];
    const addr = (v: string): Observable => {
      if (parseIPv4Int(v) >= 0) return { type: 'ipv4-addr', value: v };
      const w = parseIPv6Words(v);
      return { type: 'ipv6-addr', value: w ? formatIPv6Words(w) : v };
    };
    const src = addr(flow.src_ip), dst = addr(flow.dst_ip);
    const nt: Observable = {
      type: 'network-traffic', src_ref: src, dst_ref: dst, src_port: flow.src_port, dst_port: flow.dst_port,
      protocols: [PROTO[flow.protocol] ?? String(flow.protocol)],
    };
    const t = Date.parse(flow.time_start);
    const ms = Number.isNaN(t) ? this.now() : t;
    let hits = this.index.match([src, dst, nt], ms, this.state, this.now());
    const pairOf = () => (flow.src_ip < flow.dst_ip ? `${flow.src_ip}|${flow.dst_ip}` : `${flow.dst_ip}|${flow.src_ip}`);
    if (this.flowRepeatMs > 0) {
      // a long-lived or beaconing connection is one finding per period, not one per flow record
      hits = hits.filter((h) => {
        // both directions of one conversation are one finding
        const key = `${h.indicator.id}|${pairOf()}|${Math.floor(ms / this.flowRepeatMs)}`;
        if (this.flowSeen.has(key)) return false;
        if (this.flowSeen.size >= 200_000) this.flowSeen = new Set();
        this.flowSeen.add(key);
        return true;
      });
    }
    return hits.map((h) => {
      const field = h.value === src.value ? 'src_ip' : h.value === dst.value ? 'dst_ip' : undefined;
      const peer = field === 'src_ip' ? flow.dst_ip : flow.src_ip;
      return this.alert(h, {
        time: isoOf(ms), context: 'flow', field, device: flow.exporter,
        source: { file: `flow:${flow.exporter}` },
        event: { time: flow.time_start, src_ip: flow.src_ip, dst_ip: flow.dst_ip, src_port: flow.src_port, dst_port: flow.dst_port, protocol: flow.protocol, bytes: flow.bytes, packets: flow.packets },
        extraIps: [peer],
        // one finding per conversation and period has one id, so a repeat raised after this matcher's memory was
        // lost (a restart, a reload, a scale-out partition moving) is the same alert and stored once
        ...(this.flowRepeatMs > 0 ? { idKey: ['flow', h.indicator.id, pairOf(), flow.exporter, Math.floor(ms / this.flowRepeatMs)] } : {}),
      });
    });
  }

  /**
   * Addresses found in a device's configuration (ACL entries, tunnel ends, AAA/syslog/NTP/SNMP servers). Indicators
   * are matched as valid now (the configuration is the device's current one); the alerts carry `configTime`, when the
   * configuration was written, if given (else now), so an incident's timeline shows when the address appeared.
   */
  matchConfigAddresses(device: string, addresses: readonly (string | ConfigAddress)[], configTime?: string): Alert[] {
    const out: Alert[] = [];
    const ms = this.now();
    const time = configTime !== undefined && !Number.isNaN(Date.parse(configTime)) ? configTime : isoOf(ms);
    for (const a of addresses) {
      const ca: ConfigAddress = typeof a === 'string' ? { address: a } : { ...a, context: a.context ?? a.kind };
      const value = ca.address.trim();
      let hits: IndicatorHit[];
      if (value.includes('/') || / /.test(value)) {
        // a prefix in an ACL: it matches when it lies inside an indicator prefix (ISSUBSET semantics)
        const base = value.split(/[/ ]/)[0];
        hits = this.matchValue(base, ms).filter((h) => !h.partial);
      } else hits = this.index.match(observablesOf(value)?.objects ?? [], ms).filter((h) => !h.partial);
      for (const h of hits) {
        out.push(this.alert(h, {
          time, context: 'config', field: ca.context, device,
          source: ca.file ? { file: ca.file, line: ca.line } : undefined,
          event: { host: device, address: value, context: ca.context, line: ca.line },
        }));
      }
    }
    return out;
  }

  private alert(h: IndicatorHit, c: {
    time: string; context: 'event' | 'flow' | 'config'; field?: string; device?: string; source?: SourceRef; event?: Event; extraIps?: string[]; idKey?: unknown[];
  }): Alert {
    const ind = h.indicator;
    let severity = severityOf(ind.confidence);
    // an indicator inside a device's own configuration means the actor changed the device: one level up
    if (c.context === 'config') severity = SEVERITY_UP[severity];
    const attack = [...ind.attack];
    if (!attack.length && c.context === 'flow') attack.push('T1071');
    const what = ind.name && ind.name !== h.value ? ` (${ind.name})` : '';
    const where = c.context === 'config' ? `configuration${c.field ? ` (${c.field})` : ''}` : c.context === 'flow' ? `flow ${c.field ?? 'endpoint'}` : `event field ${c.field ?? '?'}`;
    const reasons = [
      `${kindWord(h.kind)} ${h.value} in the ${where} matches indicator ${ind.id}${what} from ${ind.source}` +
        (ind.confidence !== undefined ? `, confidence ${ind.confidence}` : ', confidence not stated'),
    ];
    if (ind.actors.length) reasons.push(`The indicator is related to ${ind.actors.join(', ')} (consistent with, not proof of, that actor).`);
    if (ind.attack.length) reasons.push(`Related ATT&CK techniques: ${ind.attack.join(', ')}.`);
    if (ind.valid_until) reasons.push(`Indicator valid until ${ind.valid_until}.`);
    const ref: IndicatorRef = {
      id: ind.id, pattern: ind.pattern, name: ind.name, source: ind.source, confidence: ind.confidence,
      valid_until: ind.valid_until, value: h.value, field: c.field, actors: ind.actors,
    };
    const ips = [h.value, ...(c.extraIps ?? [])].filter((x) => parseIPv4Int(x) >= 0 || parseIPv6Words(x) !== undefined);
    return {
      id: stableId(c.idKey ? ['intel', ...c.idKey] : ['intel', ind.id, h.value, c.context, c.device ?? '', c.source?.file ?? '', c.source?.line ?? '', c.time]),
      time: c.time,
      detector: 'intel',
      rule: {
        id: ind.id,
        title: `${c.context === 'config' ? 'Configuration references' : c.context === 'flow' ? 'Traffic with' : 'Event mentions'} a threat indicator: ${h.value}`,
        level: severity,
        tags: ['intel', `intel.${h.kind}`, ...ind.attack.map((a) => `attack.${a.toLowerCase()}`), ...ind.actors.map((a) => `actor.${a}`)],
        kind: `ioc_${c.context}`,
      },
      severity,
      attack,
      device: c.device,
      entities: { ips: ips.length ? [...new Set(ips)] : undefined, devices: c.device ? [c.device] : undefined },
      source: c.source,
      event: c.event,
      reasons,
      indicator: ref,
    };
  }
}

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 132: 'sctp' };

function kindWord(k: ValueKind): string {
  return k === 'ipv4' || k === 'ipv6' ? 'Address' : k === 'domain' ? 'Domain' : k === 'url' ? 'URL' : 'Hash';
}

/**
 * Adds ATT&CK techniques and actor names from relationships stored separately from the indicators (a later
 * bundle may relate an earlier indicator to a malware family or an intrusion set).
 */
export async function resolveRelations(store: Store, records: IndicatorRecord[]): Promise<void> {
  const rels = (await store.listIntelObjects({ types: ['relationship'], limit: 1_000_000 })).items.filter((r) => !r.revoked);
  if (!rels.length) return;
  const targets = new Set<string>();
  for (const r of rels) { targets.add(String(r.doc.target_ref)); targets.add(String(r.doc.source_ref)); }
  const named = (await store.listIntelObjects({ types: ['attack-pattern', 'threat-actor', 'intrusion-set', 'campaign', 'malware', 'tool', 'infrastructure'], limit: 1_000_000 })).items;
  const byId = new Map(named.filter((n) => targets.has(n.id)).map((n) => [n.id, n]));
  const technique = (id: string) => {
    const o = byId.get(id);
    if (!o || o.type !== 'attack-pattern') return undefined;
    for (const r of (Array.isArray(o.doc.external_references) ? o.doc.external_references : []) as Record<string, unknown>[]) {
      if (typeof r.external_id === 'string' && attackId(r.external_id)) return attackId(r.external_id);
    }
    return o.name ? attackId(o.name) : undefined;
  };
  const out = new Map<string, string[]>();
  for (const r of rels) {
    const s = String(r.doc.source_ref);
    const l = out.get(s);
    if (l) l.push(String(r.doc.target_ref)); else out.set(s, [String(r.doc.target_ref)]);
  }
  for (const rec of records) {
    const direct = out.get(rec.id);
    if (!direct) continue;
    const attack = new Set(rec.attack), actors = new Set(rec.actors);
    const visit = (id: string, depth: number) => {
      const o = byId.get(id);
      if (!o) return;
      const t = technique(id);
      if (t) attack.add(t);
      else if (o.type !== 'attack-pattern' && o.name) actors.add(o.name);
      if (depth < 1) for (const next of out.get(id) ?? []) visit(next, depth + 1);
    };
    for (const t of direct) visit(t, 0);
    rec.attack = [...attack].sort();
    rec.actors = [...actors].sort();
  }
}

/** Loads the live indicators (not revoked, not expired) from the store into the matcher. */
export async function loadMatcher(store: Store, opts: MatcherOptions & { at?: string } = {}): Promise<IndicatorMatcher> {
  const at = opts.at ?? new Date((opts.now ?? Date.now)()).toISOString();
  // expired ones are left out; not-yet-valid ones are kept, since the matcher checks validity at event time
  const records = (await store.listIndicators({})).filter((r) => !r.revoked && !(r.valid_until && r.valid_until <= at));
  await resolveRelations(store, records);
  return new IndicatorMatcher(new IndicatorIndex(records), opts);
}

/** Indicator records from intel files (STIX, MISP or lists), without a store: `--iocs FILE` on hunt/flows/audit. */
export function recordsFromText(text: string, source: string, now = new Date().toISOString()): IndicatorRecord[] {
  const parsed = parseIntelText(text, { source, now });
  const out: IndicatorRecord[] = [];
  for (const o of parsed.objects) {
    if (o.type !== 'indicator' || !o.pattern) continue;
    out.push({
      id: o.id, pattern: o.pattern, name: o.name, source: o.source, confidence: o.confidence, valid_from: o.valid_from, valid_until: o.valid_until,
      revoked: o.revoked, modified: o.modified, attack: o.attack ?? [], actors: o.actors ?? [], labels: o.labels, tlp: o.tlp,
    });
  }
  // a file may carry several versions of one indicator: keep the newest
  const byId = new Map<string, IndicatorRecord>();
  for (const r of out) { const p = byId.get(r.id); if (!p || p.modified < r.modified) byId.set(r.id, r); }
  return [...byId.values()];
}

/**
 * The matcher for a batch command: indicators from `files` (read directly) plus, when `store` is given, the live
 * indicators held in the store. Expired and revoked ones are left out.
 */
export async function openMatcher(o: { files?: readonly { text: string; source: string }[]; store?: Store } & MatcherOptions): Promise<IndicatorMatcher> {
  const now = (o.now ?? Date.now)();
  const at = new Date(now).toISOString();
  const records: IndicatorRecord[] = [];
  if (o.store) records.push(...await o.store.listIndicators({}));
  for (const f of o.files ?? []) records.push(...recordsFromText(f.text, f.source, at));
  const live = records.filter((r) => !r.revoked && !(r.valid_until && r.valid_until <= at));
  if (o.store) await resolveRelations(o.store, live);
  return new IndicatorMatcher(new IndicatorIndex(live), o);
}

/** Builds a matcher straight from records (tests, benchmarks, workers that ship indicators around). */
export function matcherFromRecords(records: Iterable<IndicatorRecord>, opts: MatcherOptions = {}): IndicatorMatcher {
  return new IndicatorMatcher(new IndicatorIndex(records), opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Live service

/** The indicator's main object type and value, for listings (`[ipv4-addr:value = '1.2.3.4']` -> ipv4-addr, 1.2.3.4). */
export function indicatorSummary(pattern: string): { type: string; value: string } {
  const m = /\[\s*([a-z0-9-]+):[^=<>!]*?(?:=|ISSUBSET|LIKE|MATCHES|IN)\s*\(?\s*'((?:[^'\\]|\\.)*)'/.exec(pattern);
  return m ? { type: m[1], value: m[2].replace(/\\(['\\])/g, '$1') } : { type: 'pattern', value: pattern };
}

/**
 * What `tidewatch serve` holds for intel: the current matcher (swapped atomically on reload, after every import and
 * every `reloadEveryMs` so expiring indicators drop out), the API capability (`/api/v1/indicators...`), and the
 * TAXII mount. The service wires `capability()` into its Capabilities and `matcher` into its detector stages.
 */
export class IntelRuntime {
  private timer?: ReturnType<typeof setInterval>;
  private constructor(private readonly store: Store, public matcher: IndicatorMatcher, private readonly opts: MatcherOptions) {}

  static async open(store: Store, opts: MatcherOptions & { reloadEveryMs?: number } = {}): Promise<IntelRuntime> {
    const rt = new IntelRuntime(store, await loadMatcher(store, opts), opts);
    if (opts.reloadEveryMs) {
      rt.timer = setInterval(() => { rt.reload().catch(() => undefined); }, opts.reloadEveryMs);
      rt.timer.unref?.();
    }
    return rt;
  }

  async reload(): Promise<void> {
    const next = await loadMatcher(this.store, this.opts);
    // sequence state of multi-observation patterns survives a reload only for unchanged indicators: start fresh
    this.matcher = next;
  }

  /** For ApiContext.capabilities.indicators (docs/API.md: GET /indicators, POST /indicators/import). */
  capability() {
    return {
      list: async (q: { q?: string; type?: string; limit: number; offset: number }) => {
        const page = await this.store.listIntelObjects({ types: ['indicator'], q: q.type ? `[${q.type}:` : q.q, limit: q.type && q.q ? 100000 : q.limit, offset: q.type && q.q ? 0 : q.offset });
        let items = page.items;
        let total = page.total;
        if (q.type && q.q) {
          // both filters: the store filters one, this the other
          const needle = q.q.toLowerCase();
          items = items.filter((i) => `${i.id} ${i.name ?? ''} ${i.pattern ?? ''}`.toLowerCase().includes(needle));
          total = items.length;
          items = items.slice(q.offset, q.offset + q.limit);
        }
        const out = [];
        for (const i of items) {
          const s = indicatorSummary(i.pattern ?? '');
          const matches = (await this.store.listAlerts({ detector: 'intel', ruleId: i.id, limit: 0 })).total;
          out.push({ id: i.id, type: s.type, value: s.value, pattern: i.pattern, name: i.name, source: i.source, confidence: i.confidence ?? null, valid_until: i.valid_until ?? null, revoked: i.revoked, attack: i.attack ?? [], actors: i.actors ?? [], matches });
        }
        return { total, items: out };
      },
      import: async (text: string, by: string) => {
        let r: ImportReport;
        try { r = await importIntel(this.store, text, { source: `api:${by}` }); } catch (e) {
          // bad input is the caller's error: Fastify answers statusCode 4xx errors with their message
          if (e instanceof IntelInputError) throw Object.assign(new Error(e.message), { statusCode: 400 });
          throw e;
        }
        if (r.added || r.updated) await this.reload();
        return { added: r.added, updated: r.updated, skipped: r.skipped, rejected: r.rejected.map((x) => ({ ref: x.ref, reason: x.reason })), notes: r.notes };
      },
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/**
 * The service's detector stages (src/serve/pipeline.ts EventDetector / FlowDetector shapes): they always use the
 * runtime's current matcher, so a reload (after an import, or as indicators expire) takes effect at once.
 */
export function intelEventDetector(source: { matcher: IndicatorMatcher } | IndicatorMatcher) {
  const m = () => ('matcher' in source ? source.matcher : source);
  return { name: 'intel', process: (event: Event, src?: SourceRef): Alert[] => m().matchEvent(event, src) };
}

export function intelFlowDetector(source: { matcher: IndicatorMatcher } | IndicatorMatcher) {
  const m = () => ('matcher' in source ? source.matcher : source);
  return {
    name: 'intel',
    process: (flows: readonly FlowRecord[]): Alert[] => {
      const matcher = m();
      const out: Alert[] = [];
      for (const f of flows) { const a = matcher.matchFlow(f); if (a.length) out.push(...a); }
      return out;
    },
  };
}
