/**
 * `tidewatch drill score DIR`: runs the whole pipeline on a generated dataset through the library functions
 * every other entry point uses (src/pipeline/*, src/correlation), stores alerts and incidents in the embedded
 * store, and scores the alerts against truth.jsonl. Matching rules are in docs/DRILL.md.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, isAbsolute, resolve } from 'node:path';
import type { Alert } from '../model/alert.js';
import type { Incident } from '../model/incident.js';
import type { FlowRecord } from '../model/flow.js';
import { severityRank, SEVERITIES, type Severity } from '../model/severity.js';
import type { SiteConfig } from '../model/site.js';
import { loadSite } from '../site/load.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { auditConfigText, driftFindings, findingToAlert, configAddresses } from '../pipeline/audit.js';
import { FlowAnalytics, FlowDecoder, readFlowFiles } from '../pipeline/flows.js';
import { readCapture } from '../sources/pcap.js';
import { importIntel, loadMatcher, type IndicatorMatcher } from '../pipeline/intel.js';
import { parseFile } from '../pipeline/parse.js';
import { HuntEngine, huntFiles, findRuleFiles, SHIPPED_RULES } from '../pipeline/hunt.js';
import { AccessMonitor, readAccessFiles, loadWarrants, learnModels, saveModels } from '../pipeline/access.js';
import { IncidentManager } from '../correlation/manager.js';
import { STREAMS, type Stream, type TruthRecord } from './emit.js';

export interface ScoreOptions {
  /** Data directory for the embedded store (default DIR/.tidewatch). */
  data?: string;
  log?: (msg: string) => void;
  /** Keep flow records in the store (the console's Flows page); default true. */
  storeFlows?: boolean;
}

export interface TechniqueScore {
  technique: string;
  planted: number;
  detected: number;
  time_to_detect_s: number | null;
}

export interface StreamScore {
  stream: Stream;
  planted: number;
  detected: number;
  time_to_detect_s: number | null;
  alerts: number;
  false_alerts: number;
}

export interface StageReport {
  stage: string;
  status: 'ran' | 'not available' | 'skipped';
  alerts: number;
  note?: string;
}

export interface Scorecard {
  scenario: string;
  planted: number;
  detected: number;
  false_alerts: number;
  precision: number | null;
  recall: number | null;
  techniques: TechniqueScore[];
  // beyond the interfaces.md contract:
  streams: StreamScore[];
  alerts: number;
  true_alerts: number;
  by_detector: Record<string, { alerts: number; false_alerts: number }>;
  incidents: { total: number; by_severity: Record<Severity, number>; top: { id: string; title: string; severity: Severity; first_seen: string; techniques: string[]; devices: string[]; alerts: number }[] };
  missed: { time: string; device: string; stream: Stream; technique: string; action?: string }[];
  false_alert_rules: { rule: string; detector: string; count: number }[];
  stages: StageReport[];
  data: string;
}

interface Planted extends TruthRecord {
  ms: number;
  idx: number;
}

/** Alerts below this severity are not scored (informational context, not an alert an analyst works). */
export const SCORED_MIN_SEVERITY: Severity = 'low';
/** An alert may precede the planted action by this much (flow records start when the session starts) ... */
export const MATCH_BEFORE_MS = 10 * 60_000;
/** ... and follow it by this much (config backups poll hourly, beacons and volumes need time). */
export const MATCH_AFTER_MS = 24 * 3600_000;

export function techniquesCompatible(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = a.split('.')[0];
  const pb = b.split('.')[0];
  return pa === pb && (a === pa || b === pb);
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The stream an alert's evidence came from. */
export function alertStream(a: Alert, dir: string): Stream | undefined {
  const f = a.source?.file;
  if (f) {
    const rel = isAbsolute(f) ? relative(dir, f) : f;
    const top = rel.split(/[\\/]/)[0];
    if (top === 'configs') return 'config';
    if ((STREAMS as readonly string[]).includes(top)) return top as Stream;
    if (f.startsWith('netflow:')) return 'flows';
  }
  if (a.detector === 'flows') return 'flows';
  if (a.detector === 'audit') return 'config';
  if (a.detector === 'access') return 'access';
  const ev = a.event as Record<string, unknown> | undefined;
  if (ev && typeof ev.protocol === 'number' && typeof ev.bytes === 'number') return 'flows';
  return undefined;
}

function loadTruth(dir: string): Planted[] {
  const p = join(dir, 'truth.jsonl');
  if (!existsSync(p)) throw new Error(`${p}: not found (is ${dir} a drill dataset?)`);
  const out: Planted[] = [];
  readFileSync(p, 'utf8').split('\n').forEach((l, i) => {
    if (!l.trim()) return;
    let r: TruthRecord;
    try {
      r = JSON.parse(l) as TruthRecord;
    } catch (e) {
      throw new Error(`${p}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const ms = Date.parse(r.time);
    if (!Number.isFinite(ms) || !r.technique || !r.stream || !Array.isArray(r.lines)) throw new Error(`${p}:${i + 1}: not a truth record (needs time, device, stream, technique, lines)`);
    out.push({ ...r, ms, idx: out.length });
  });
  return out;
}

/**
 * The end of the learning history: the manifest's `learn_until` (the campaign's earliest possible start), else
 * midnight of the campaign's first day, else the middle of the dataset (no campaign).
 */
export function learnCutoff(manifest: Record<string, unknown>, start: number, end: number): number {
  const lu = Date.parse(String(manifest.learn_until ?? ''));
  if (Number.isFinite(lu)) return lu;
  const cs = Date.parse(String((manifest.campaign as { start?: string } | undefined)?.start ?? ''));
  if (Number.isFinite(cs)) return Math.floor(cs / 86400_000) * 86400_000;
  if (Number.isFinite(start) && Number.isFinite(end)) return start + Math.floor((end - start) / 2 / 86400_000) * 86400_000;
  return -Infinity;
}

const snapTime = (file: string): number => {
  const m = /(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z\.cfg$/.exec(file);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) : NaN;
};

/** Runs the pipeline over the dataset and returns every alert (scored and not), plus stage reports. */
async function runPipeline(dir: string, site: SiteConfig, store: Store, manifest: Record<string, unknown>, opts: ScoreOptions): Promise<{ alerts: Alert[]; stages: StageReport[] }> {
  const log = opts.log ?? (() => undefined);
  const stages: StageReport[] = [];
  const alerts: Alert[] = [];
  const start = Date.parse(String(manifest.start ?? ''));
  const end = Date.parse(String(manifest.end ?? ''));

  // intel: the indicator lists the carrier imported (before the dataset starts)
  let matcher: IndicatorMatcher | undefined;
  let clock = Number.isFinite(start) ? start : Date.now();
  const intelFiles = walk(join(dir, 'intel')).filter((f) => /\.(txt|json|csv|list)$/.test(f));
  if (intelFiles.length) {
    for (const f of intelFiles) {
      await importIntel(store, readFileSync(f, 'utf8'), { source: relative(dir, f), confidence: 90, now: new Date((Number.isFinite(start) ? start : Date.now()) - 86400_000).toISOString() });
    }
    matcher = await loadMatcher(store, { now: () => clock });
  }
  const intelAlerts: Alert[] = [];

  // audit: every config snapshot against the one before it (drift), and the addresses of each new snapshot against intel
  let nAudit = 0;
  const history = join(dir, 'configs', 'history');
  if (existsSync(history)) {
    for (const host of readdirSync(history).sort()) {
      const files = walk(join(history, host)).filter((f) => f.endsWith('.cfg')).sort();
      let prev: ReturnType<typeof auditConfigText> | undefined;
      for (const f of files) {
        const rel = relative(dir, f);
        const text = readFileSync(f, 'utf8');
        const cur = auditConfigText(text, rel, site);
        const t = snapTime(f);
        const time = new Date(Number.isFinite(t) ? t : Date.now()).toISOString();
        if (prev?.tree && cur.tree) {
          for (const fd of driftFindings(prev.tree, cur.tree, site).findings) {
            alerts.push(findingToAlert({ hostname: host, file: rel, platform: cur.tree.platform }, fd, time));
            nAudit++;
          }
        }
        if (matcher && cur.tree) {
          clock = Number.isFinite(t) ? t : clock;
          const found = configAddresses(cur.tree).map((c) => ({ address: c.address, context: c.kind, line: c.line, file: rel }));
          for (const a of matcher.matchConfigAddresses(host, found)) intelAlerts.push({ ...a, time });
        }
        prev = cur;
      }
    }
    stages.push({ stage: 'audit', status: 'ran', alerts: nAudit, note: 'drift between consecutive config snapshots' });
  } else stages.push({ stage: 'audit', status: 'skipped', alerts: 0, note: 'no configs/history' });
  log(`audit: ${nAudit} drift alerts`);

  // hunt: the Sigma engine (shipped rules, when there are any) over device syslog, TACACS+ accounting and the
  // jump-host logs, merged by event time; the indicator matcher runs on the same events
  const sigmaFiles = existsSync(SHIPPED_RULES()) ? findRuleFiles([SHIPPED_RULES()]) : [];
  const engine = sigmaFiles.length ? new HuntEngine({}) : HuntEngine.fromTexts([]);
  if (matcher) {
    const m = matcher;
    engine.addDetector((ev, src) => {
      const t = Date.parse(String(ev.time ?? ''));
      if (Number.isFinite(t)) clock = t;
      return m.matchEvent(ev, src ? { ...src, file: src.file ? relative(dir, src.file) : src.file } : src);
    });
  }
  const logFiles = ['syslog', 'tacacs', 'jumphost'].flatMap((sub) => walk(join(dir, sub)));
  let nSigma = 0;
  const hunt = await huntFiles(logFiles, {
    engine,
    onAlert: (a) => {
      if (a.detector === 'intel') intelAlerts.push(a);
      else {
        if (a.source?.file) a.source = { ...a.source, file: relative(dir, a.source.file) };
        alerts.push(a);
        nSigma++;
      }
    },
  });
  let nEvents = hunt.events;
  const failed = Object.entries(hunt.failed);
  if (failed.length) throw new Error(`${failed[0][0]}: ${failed[0][1]}`);
  if (sigmaFiles.length) {
    const bad = engine.errors.length ? `, ${engine.errors.length} rule errors (first: ${engine.errors[0].file}: ${engine.errors[0].reason})` : '';
    stages.push({ stage: 'hunt', status: 'ran', alerts: nSigma, note: `${engine.parsed.detections.length + engine.parsed.correlations.length} Sigma rules over ${hunt.events} events${bad}` });
  } else {
    stages.push({ stage: 'hunt', status: 'not available', alerts: 0, note: `${hunt.events} events parsed; no Sigma rules shipped in rules/sigma yet` });
  }
  log(`hunt: ${hunt.events} events, ${nSigma} Sigma alerts from ${sigmaFiles.length} rule files`);

  // access audit files: the indicator matcher on their events (the access monitor reads them below)
  const accessFiles = walk(join(dir, 'access')).filter((f) => f.endsWith('.jsonl'));
  if (matcher) {
    for (const f of accessFiles) {
      for await (const batch of parseFile(f)) {
        for (const it of batch) {
          if (!it.event) continue;
          nEvents++;
          const t = Date.parse(String(it.event.time ?? ''));
          if (Number.isFinite(t)) clock = t;
          for (const a of matcher.matchEvent(it.event, { file: relative(dir, f), line: it.line })) intelAlerts.push(a);
        }
      }
    }
  }
  log(`logs: ${nEvents} events parsed`);

  // flows: every capture in time order as one stream, with the analytics and the intel matcher
  const pcaps = walk(join(dir, 'flows')).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
  if (pcaps.length) {
    const analytics = new FlowAnalytics({ site });
    if (matcher) {
      const m = matcher;
      analytics.addMatcher((fl: FlowRecord) => {
        clock = Date.parse(fl.time_start);
        return m.matchFlow(fl);
      });
    }
    const storeFlows = opts.storeFlows !== false;
    const flowAlerts: Alert[] = [];
    const r = await readFlowFiles(pcaps, {
      analytics,
      onAlerts: (b) => { flowAlerts.push(...b); },
      onRecords: storeFlows ? (b) => store.insertFlows(b) : () => undefined,
    });
    for (const a of flowAlerts) (a.detector === 'intel' ? intelAlerts : alerts).push(a);
    stages.push({ stage: 'flows', status: 'ran', alerts: flowAlerts.filter((a) => a.detector !== 'intel').length, note: `${r.stats.records} flow records from ${pcaps.length} captures` });
    log(`flows: ${r.stats.records} records, ${flowAlerts.length} alerts`);
  } else stages.push({ stage: 'flows', status: 'skipped', alerts: 0, note: 'no captures' });

  alerts.push(...intelAlerts);
  stages.push({ stage: 'intel', status: matcher ? 'ran' : 'skipped', alerts: intelAlerts.length, note: matcher ? `${intelFiles.length} indicator file(s)` : 'no intel/ files' });
  // access: the LI / call-record audit through the access monitor, with the warrant register and the site's
  // jump hosts and roster; behaviour models learnt from the history before the campaign could have started
  if (accessFiles.length) {
    const res = await readAccessFiles(accessFiles);
    if (res.counts.errors) throw new Error(`${res.errors[0].source.file}:${res.errors[0].source.line}: ${res.errors[0].error}`);
    const wPath = join(dir, 'access', 'warrants.json');
    const warrants = existsSync(wPath) ? await loadWarrants(wPath) : undefined;
    const learnUntil = learnCutoff(manifest, start, end);
    const history = res.records.filter((r) => Date.parse(r.event.time) < learnUntil);
    const models = history.length ? learnModels(history, {}, new Date(learnUntil)) : undefined;
    if (models) await saveModels(store, models);
    const monitor = new AccessMonitor({ models, warrants, site: site.access });
    const accessAlerts: Alert[] = [];
    for (const r of res.records) {
      if (Date.parse(r.event.time) < learnUntil) continue;
      accessAlerts.push(...monitor.process(r.event, { ...r.source, file: relative(dir, r.source.file ?? '') }));
    }
    accessAlerts.push(...monitor.flush());
    alerts.push(...accessAlerts);
    const nOps = models ? Object.keys(models.operators).length : 0;
    stages.push({ stage: 'access', status: 'ran', alerts: accessAlerts.length, note: `${res.counts.events} audit rows, models of ${nOps} operators learnt before ${new Date(learnUntil).toISOString().slice(0, 10)}${warrants ? `, ${warrants.length} warrants` : ', no warrant register'}` });
    log(`access: ${res.counts.events} rows, ${accessAlerts.length} alerts`);
  } else stages.push({ stage: 'access', status: 'skipped', alerts: 0, note: 'no access/*.jsonl' });
  return { alerts, stages };
}

/** Scores a dataset; runs the pipeline and writes alerts and incidents to the embedded store. */
export async function scoreDataset(dirIn: string, opts: ScoreOptions = {}): Promise<{ card: Scorecard; incidents: Incident[]; alerts: Alert[] }> {
  const dir = resolve(dirIn);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${dirIn}: not a drill dataset (no manifest.json; make one with tidewatch drill generate)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  if (manifest.status === 'incomplete') throw new Error(`${dirIn}: the dataset was not completely written (generate it again)`);
  const truth = loadTruth(dir);
  const site = loadSite(join(dir, 'tidewatch.yml'));
  const data = opts.data ?? join(dir, '.tidewatch');
  const store = await openStore({ data });
  try {
    const { alerts: all, stages } = await runPipeline(dir, site, store, manifest, opts);
    // correlation: alerts in time order, through the same incident manager the service uses
    all.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.id < b.id ? -1 : 1));
    const mgr = await IncidentManager.open(store, { site });
    const seen = new Set<string>();
    const uniqueAlerts = all.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
    for (let i = 0; i < uniqueAlerts.length; i += 200) {
      const batch = uniqueAlerts.slice(i, i + 200);
      await mgr.ingest(batch, batch[batch.length - 1].time);
    }
    const incidents = (await store.listIncidents({ limit: 100_000, order: 'severity' })).items.filter((x) => !x.merged_into);
    const card = scoreAlerts(dir, manifest, truth, site, uniqueAlerts, incidents, stages, data, plantedFlowRecords(dir, truth));
    return { card, incidents, alerts: uniqueAlerts };
  } finally {
    await store.close();
  }
}

/** A flow record's identity: exporter, 5-tuple and start (ms). */
export function flowKey(exporter: string, f: { src_ip?: unknown; src_port?: unknown; dst_ip?: unknown; dst_port?: unknown; protocol?: unknown; time_start?: unknown; time?: unknown }): string {
  return `${exporter}|${String(f.src_ip)}|${String(f.src_port ?? 0)}|${String(f.dst_ip)}|${String(f.dst_port ?? 0)}|${String(f.protocol)}|${Date.parse(String(f.time_start ?? f.time))}`;
}

/**
 * The flow records inside the capture frames truth.jsonl names (a planted flow action's `lines` are frame numbers
 * of flows/*.pcap): flow key -> the planted actions carried by that record. Only the captures that hold planted
 * frames are decoded.
 */
export function plantedFlowRecords(dir: string, truth: readonly Planted[]): Map<string, Planted[]> {
  const byFile = new Map<string, Map<number, Planted[]>>();
  for (const p of truth) {
    if (p.stream !== 'flows') continue;
    for (const l of p.lines) {
      const frames = byFile.get(l.file) ?? new Map<number, Planted[]>();
      frames.set(l.line, [...(frames.get(l.line) ?? []), p]);
      byFile.set(l.file, frames);
    }
  }
  const out = new Map<string, Planted[]>();
  for (const [file, frames] of byFile) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const dec = new FlowDecoder();
    for (const d of readCapture(path)) {
      const recs = dec.feed(d.payload, d.src, d.timeMs);
      const ps = frames.get(d.frame);
      if (!ps) continue;
      for (const r of recs) {
        const k = flowKey(r.exporter, r);
        out.set(k, [...new Set([...(out.get(k) ?? []), ...ps])]);
      }
    }
  }
  return out;
}

/** The flow record an alert is about (its event), as a flow key; undefined when the alert is not about one record. */
function alertFlowKey(a: Alert): string | undefined {
  const ev = a.event as Record<string, unknown> | undefined;
  if (!ev || typeof ev.protocol !== 'number' || typeof ev.src_ip !== 'string') return undefined;
  const f = a.source?.file ?? '';
  const exporter = typeof ev.host === 'string' ? ev.host : /^(?:net)?flow:(.+)$/.exec(f)?.[1];
  return exporter ? flowKey(exporter, ev) : undefined;
}

/** The matching and the figures (pure: alerts and truth in, scorecard out). */
export function scoreAlerts(dir: string, manifest: Record<string, unknown>, truth: Planted[], site: SiteConfig, allAlerts: readonly Alert[], incidents: readonly Incident[], stages: StageReport[], data: string, flowRecords: ReadonlyMap<string, Planted[]> = new Map()): Scorecard {
  const alerts = allAlerts.filter((a) => severityRank(a.severity) >= severityRank(SCORED_MIN_SEVERITY));
  const byLine = new Map<string, Planted[]>();
  for (const p of truth) for (const l of p.lines) {
    const k = `${l.file}\u0000${l.line}`;
    const a = byLine.get(k) ?? [];
    a.push(p);
    byLine.set(k, a);
  }
  const addrs = new Map<string, Set<string>>();
  for (const d of site.devices as { name: string; address?: string; addresses?: string[] }[]) {
    addrs.set(d.name.toLowerCase(), new Set([...(d.address ? [d.address] : []), ...(d.addresses ?? [])]));
  }
  const actor = new Set<string>(Array.isArray((manifest.actor as Record<string, unknown> | undefined)?.addresses) ? ((manifest.actor as { addresses: string[] }).addresses) : []);
  const campaignStart = truth.length ? Math.min(...truth.map((p) => p.ms)) : NaN;
  const campaignEnd = truth.length ? Math.max(...truth.map((p) => p.ms)) : NaN;

  const firstMatch = new Map<number, number>();
  let trueAlerts = 0;
  const byDetector: Scorecard['by_detector'] = {};
  const falseRules = new Map<string, { rule: string; detector: string; count: number }>();
  const streamAlerts = new Map<Stream, { alerts: number; false_alerts: number }>();
  for (const a of alerts) {
    const t = Date.parse(a.time);
    const stream = alertStream(a, dir);
    const matched = new Set<Planted>();
    const src = a.source;
    if (src?.file) {
      const rel = isAbsolute(src.file) ? relative(dir, src.file) : src.file;
      for (const ln of [...(src.line !== undefined ? [src.line] : []), ...(src.lines ?? [])]) for (const p of byLine.get(`${rel}\u0000${ln}`) ?? []) matched.add(p);
    }
    // flows: the alert's event is one of the records in a planted capture frame
    const fk = flowRecords.size ? alertFlowKey(a) : undefined;
    if (fk) for (const p of flowRecords.get(fk) ?? []) matched.add(p);
    const devs = new Set<string>([...(a.device ? [a.device] : []), ...(a.entities?.devices ?? [])].map((x) => x.toLowerCase()));
    const ips = new Set<string>(a.entities?.ips ?? []);
    for (const p of truth) {
      if (matched.has(p) || p.stream !== stream) continue;
      if (!(t >= p.ms - MATCH_BEFORE_MS && t <= p.ms + MATCH_AFTER_MS)) continue;
      if (!a.attack.some((x) => techniquesCompatible(x, p.technique))) continue;
      const dev = p.device.toLowerCase();
      const devAddrs = addrs.get(dev);
      if (devs.has(dev) || (devAddrs && [...ips].some((ip) => devAddrs.has(ip))) || (stream === 'access' && rel(src?.file, dir).startsWith(`access/${p.device}.`))) matched.add(p);
    }
    for (const p of matched) {
      const prev = firstMatch.get(p.idx);
      if (prev === undefined || t < prev) firstMatch.set(p.idx, t);
    }
    const aboutActor = Number.isFinite(campaignStart) && t >= campaignStart - MATCH_BEFORE_MS && t <= campaignEnd + MATCH_AFTER_MS && [...ips].some((ip) => actor.has(ip));
    const isTrue = matched.size > 0 || aboutActor;
    if (isTrue) trueAlerts++;
    const d = (byDetector[a.detector] ??= { alerts: 0, false_alerts: 0 });
    d.alerts++;
    if (!isTrue) {
      d.false_alerts++;
      const k = `${a.detector}\u0000${a.rule.id}`;
      const fr = falseRules.get(k) ?? { rule: a.rule.id, detector: a.detector, count: 0 };
      fr.count++;
      falseRules.set(k, fr);
    }
    if (stream) {
      const s = streamAlerts.get(stream) ?? { alerts: 0, false_alerts: 0 };
      s.alerts++;
      if (!isTrue) s.false_alerts++;
      streamAlerts.set(stream, s);
    }
  }

  const ttd = (ps: Planted[]): number | null => {
    const det = ps.filter((p) => firstMatch.has(p.idx));
    if (!det.length) return null;
    const first = Math.min(...ps.map((p) => p.ms));
    const alert = Math.min(...det.map((p) => firstMatch.get(p.idx)!));
    return Math.max(0, Math.round((alert - first) / 1000));
  };
  const techs = [...new Set(truth.map((p) => p.technique))].sort();
  const techniques: TechniqueScore[] = techs.map((technique) => {
    const ps = truth.filter((p) => p.technique === technique);
    return { technique, planted: ps.length, detected: ps.filter((p) => firstMatch.has(p.idx)).length, time_to_detect_s: ttd(ps) };
  });
  const streams: StreamScore[] = STREAMS.map((stream) => {
    const ps = truth.filter((p) => p.stream === stream);
    const sa = streamAlerts.get(stream) ?? { alerts: 0, false_alerts: 0 };
    return { stream, planted: ps.length, detected: ps.filter((p) => firstMatch.has(p.idx)).length, time_to_detect_s: ttd(ps), ...sa };
  });
  const detected = truth.filter((p) => firstMatch.has(p.idx)).length;
  const bySev = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const inc of incidents) bySev[inc.severity]++;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    scenario: String(manifest.scenario ?? 'unknown'),
    planted: truth.length,
    detected,
    false_alerts: alerts.length - trueAlerts,
    precision: alerts.length ? round(trueAlerts / alerts.length) : null,
    recall: truth.length ? round(detected / truth.length) : null,
    techniques,
    streams,
    alerts: alerts.length,
    true_alerts: trueAlerts,
    by_detector: byDetector,
    incidents: {
      total: incidents.length,
      by_severity: bySev,
      top: [...incidents].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.first_seen.localeCompare(b.first_seen)).slice(0, 10).map((i) => ({
        id: i.id, title: i.title, severity: i.severity, first_seen: i.first_seen, techniques: i.techniques.map((x) => x.technique), devices: i.devices, alerts: i.alert_ids.length,
      })),
    },
    missed: truth.filter((p) => !firstMatch.has(p.idx)).map((p) => ({ time: p.time, device: p.device, stream: p.stream, technique: p.technique, action: p.action })),
    false_alert_rules: [...falseRules.values()].sort((a, b) => b.count - a.count),
    stages,
    data,
  };
}

function rel(file: string | undefined, dir: string): string {
  if (!file) return '';
  return isAbsolute(file) ? relative(dir, file) : file;
}
