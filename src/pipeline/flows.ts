/**
 * Flow capability wiring, reused by `tidewatch flows`, the live service, the drill scorer and scale-out
 * workers: datagrams -> FlowDecoder -> FlowRecord[] -> FlowAnalytics -> Alert[].
 *
 * - FlowDecoder: one collector's decoding state (templates per exporter, held data, counters).
 * - FlowAnalytics: the flow detectors with the site's settings, plus pluggable per-flow matchers
 *   (indicator lists; the intel subsystem adds its own).
 * - readFlowFiles: capture files (pcap, pcapng, raw datagrams) read as one stream, in order.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Alert } from '../model/alert.js';
import type { FlowRecord } from '../model/flow.js';
import type { SiteConfig } from '../model/site.js';
import { siteFromObject } from '../site/load.js';
import { NetflowDecoder, DROP_REASONS, type DecoderOptions, type DecoderStats, type DropReason } from '../parsers/netflow/decoder.js';
import { newCaptureStats, readCapture, type CaptureSkip, type CaptureStats } from '../sources/pcap.js';
import {
  FlowDetectors, completeFlowSettings, ipIndicatorMatcher, mergeFlowSettings, parseIocList,
  type FlowMatcher, type FlowSettings,
} from '../detectors/flows/index.js';
import { rulesPath } from '../util/paths.js';

export type { FlowMatcher, FlowSettings } from '../detectors/flows/index.js';
export type { DecoderOptions, DecoderStats, DropReason } from '../parsers/netflow/decoder.js';
export { DROP_REASONS } from '../parsers/netflow/decoder.js';

/** One collector's decoder: feed it datagrams, get flow records. */
export class FlowDecoder {
  private readonly dec: NetflowDecoder;
  private lastDrops: Record<string, number> = {};
  constructor(opts: DecoderOptions = {}) {
    this.dec = new NetflowDecoder(opts);
  }

  /** Decodes one NetFlow/IPFIX datagram from `exporter` (its UDP source address). Never throws on content. */
  feed(packet: Buffer, exporter: string, receivedAt: Date | number = Date.now()): FlowRecord[] {
    return this.dec.decode(packet, exporter, typeof receivedAt === 'number' ? receivedAt : receivedAt.getTime());
  }

  /** Like feed, appending to `out` (no array per packet on the hot path). */
  feedInto(out: FlowRecord[], packet: Buffer, exporter: string, receivedAtMs: number): FlowRecord[] {
    return this.dec.decode(packet, exporter, receivedAtMs, out);
  }

  /** Expires held data older than the hold time (call now and then on an idle collector). */
  tick(now: Date | number = Date.now()): void {
    this.dec.expire(typeof now === 'number' ? now : now.getTime());
  }

  /** End of stream: data still waiting for its template is counted as dropped (`no_template`). */
  flush(): void {
    this.dec.flush();
  }

  stats(): DecoderStats {
    return this.dec.stats();
  }

  /**
   * Dropped counts by reason, as rows for `tidewatch_events_dropped_total{source,reason}` (cumulative).
   * Only reasons with a non-zero count are listed.
   */
  dropCounters(source = 'netflow'): { source: string; reason: DropReason; count: number }[] {
    const d = this.dec.stats().dropped;
    return DROP_REASONS.filter((r) => d[r] > 0).map((r) => ({ source, reason: r, count: d[r] }));
  }

  /** Increments of the dropped counters since the previous call (for a Prometheus Counter's `inc`). */
  dropDeltas(): Partial<Record<DropReason, number>> {
    const d = this.dec.stats().dropped;
    const out: Partial<Record<DropReason, number>> = {};
    for (const r of DROP_REASONS) {
      const inc = d[r] - (this.lastDrops[r] ?? 0);
      if (inc > 0) out[r] = inc;
    }
    this.lastDrops = { ...d };
    return out;
  }
}

/** The shipped defaults (rules/flows/settings.yml) with the site's `flows:` overrides. */
export function loadFlowSettings(site?: SiteConfig, overrides?: Partial<FlowSettings>): FlowSettings {
  const file = rulesPath('flows', 'settings.yml');
  const base = mergeFlowSettings({}, parseYaml(readFileSync(file, 'utf8')), file);
  const withSite = mergeFlowSettings(base, site?.flows, site?.path ?? 'site file');
  return completeFlowSettings(mergeFlowSettings(withSite, overrides, 'settings'), file);
}

export interface FlowAnalyticsOptions {
  site?: SiteConfig;
  /** Overrides on top of the defaults and the site file (tests, drills). */
  settings?: Partial<FlowSettings>;
  matchers?: FlowMatcher[];
}

/** The flow detectors (tunnels, management access, outbound volume, beacons) plus per-flow matchers. */
export class FlowAnalytics {
  private readonly det: FlowDetectors;
  readonly settings: FlowSettings;
  alerts = 0;
  constructor(opts: FlowAnalyticsOptions = {}) {
    const site = opts.site ?? siteFromObject({});
    this.settings = loadFlowSettings(site, opts.settings);
    this.det = new FlowDetectors(site, this.settings, opts.matchers ?? []);
  }

  /** Extension point: a per-flow matcher (e.g. the intel indicator store). */
  addMatcher(m: FlowMatcher): void {
    this.det.matchers.push(m);
  }

  process(records: readonly FlowRecord[]): Alert[] {
    const out = this.det.process(records);
    this.alerts += out.length;
    return out;
  }

  /** The detectors' memory, to move with a scale-out partition (src/util/state.ts). */
  snapshot(): unknown {
    return this.det.snapshot();
  }

  restore(state: unknown): void {
    this.det.restore(state);
  }

  /** End of stream. The detectors alert as evidence crosses thresholds, so nothing is pending: returns []. */
  flush(): Alert[] {
    return [];
  }
}

/** A matcher from an indicator list file (one IP or CIDR per line). Throws with file:line on bad lines. */
export function iocMatcherFromFile(file: string): { matcher: FlowMatcher; count: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read indicator list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const list = parseIocList(text);
  if (list.errors.length) {
    const e = list.errors[0];
    throw new Error(`${file}:${e.line}: not an IP address or CIDR: "${e.text}"${list.errors.length > 1 ? ` (and ${list.errors.length - 1} more bad lines)` : ''}`);
  }
  return { matcher: ipIndicatorMatcher(list.entries, { name: file }), count: list.entries.length };
}

export interface ReadFlowFilesOptions {
  decoder?: DecoderOptions;
  analytics?: FlowAnalytics;
  /** Called with each batch of records (in stream order). Without it, records are collected and returned. */
  onRecords?: (batch: FlowRecord[]) => void | Promise<void>;
  /** Called with each batch of alerts. Without it, alerts are collected and returned. */
  onAlerts?: (batch: Alert[]) => void | Promise<void>;
  /** Records per batch (default 2000). */
  batchSize?: number;
  /** Progress callback per datagram. */
  onDatagram?: (file: string) => void;
}

export interface FlowReadStats {
  files: number;
  frames: number;
  datagrams: number;
  records: number;
  alerts: number;
  capture: Record<CaptureSkip, number>;
  decoder: DecoderStats;
  /** Problems met in the files (truncation and the like), with file and offset. */
  problems: string[];
}

export interface FlowReadResult {
  records: FlowRecord[];
  alerts: Alert[];
  stats: FlowReadStats;
}

/**
 * Reads capture files as one stream, in the order given (templates from one file decode data in the next),
 * decodes the NetFlow/IPFIX datagrams inside, and runs analytics if given. Receive times are the capture
 * times, so template expiry and the hold of early data follow the capture's clock.
 */
export async function readFlowFiles(paths: readonly string[], opts: ReadFlowFilesOptions = {}): Promise<FlowReadResult> {
  const decoder = new FlowDecoder(opts.decoder);
  const records: FlowRecord[] = [];
  const alerts: Alert[] = [];
  const cap: CaptureStats = newCaptureStats();
  const problems: string[] = [];
  const batchSize = opts.batchSize ?? 2000;
  let batch: FlowRecord[] = [];
  let nRecords = 0;
  let nAlerts = 0;
  const emit = async () => {
    if (!batch.length) return;
    const b = batch;
    batch = [];
    nRecords += b.length;
    if (opts.analytics) {
      const a = opts.analytics.process(b);
      nAlerts += a.length;
      if (a.length) {
        if (opts.onAlerts) await opts.onAlerts(a);
        else for (const x of a) alerts.push(x);
      }
    }
    if (opts.onRecords) await opts.onRecords(b);
    else for (const r of b) records.push(r);
  };
  for (const file of paths) {
    const fileStats = newCaptureStats();
    for (const d of readCapture(file, fileStats)) {
      opts.onDatagram?.(file);
      decoder.feedInto(batch, d.payload, d.src, d.timeMs);
      if (batch.length >= batchSize) await emit();
    }
    if (fileStats.firstProblem) problems.push(fileStats.firstProblem);
    cap.frames += fileStats.frames;
    cap.datagrams += fileStats.datagrams;
    for (const k of Object.keys(cap.skipped) as CaptureSkip[]) cap.skipped[k] += fileStats.skipped[k];
  }
  decoder.flush();
  await emit();
  if (opts.analytics) {
    const a = opts.analytics.flush();
    nAlerts += a.length;
    if (a.length) { if (opts.onAlerts) await opts.onAlerts(a); else alerts.push(...a); }
  }
  return {
    records, alerts,
    stats: { files: paths.length, frames: cap.frames, datagrams: cap.datagrams, records: nRecords, alerts: nAlerts, capture: cap.skipped, decoder: decoder.stats(), problems },
  };
}
