/**
 * Periodic beacons: many small, similar flows from one internal host (or device) to one external address
 * and port at regular intervals (threat model FLOW-10: >= 20 flows a day, inter-arrival coefficient of
 * variation < 0.2). Flows of one long session cut by the exporter's active timeout are also regular, so
 * the flows must mostly be new sessions (new source ports) for TCP and UDP.
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { bucket, flowEvent, makeAlert, protoName, Repeats, type FlowContext } from './context.js';

/**
 * One pair's recent flows, interleaved as [start ms, bytes, source port, ...] (one array per pair instead of three:
 * most pairs hold one or two flows, and the allocations per new pair were a large part of the analytics' time).
 */
interface Series { v: number[]; last: number }

/** A series restored from a snapshot taken before the interleaved layout (times, bytes, ports arrays). */
export function upgradeSeries(e: Series | { times: number[]; bytes: number[]; ports: number[]; last: number }): Series {
  if ('v' in e) return e;
  const v: number[] = [];
  for (let i = 0; i < e.times.length; i++) v.push(e.times[i], e.bytes[i], e.ports[i]);
  return { v, last: e.last };
}

function meanSd(xs: readonly number[]): [number, number] {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  return [m, Math.sqrt(v / xs.length)];
}

export class BeaconDetector {
  private readonly pairs = new Map<string, Series>();
  private readonly repeats: Repeats;
  private readonly keep: number;

  /** After a restore from a snapshot: series in the older layout are converted. */
  upgradeRestored(): void {
    for (const [k, e] of this.pairs) this.pairs.set(k, upgradeSeries(e));
  }

  constructor(private readonly ctx: FlowContext) {
    this.repeats = new Repeats(ctx.settings.max_tracked);
    this.keep = Math.max(ctx.settings.beacon_min_flows * 2, 48);
  }

  /** An outbound flow (FlowContext.isOutbound) starting at `t` (ms). */
  observe(f: FlowRecord, t: number, out: Alert[]): void {
    const c = this.ctx;
    const dst = f.dst_ip;
    const s = c.settings;
    const key = `${f.src_ip}|${dst}|${f.protocol}/${f.dst_port}`;
    let e = this.pairs.get(key);
    if (!e) {
      if (this.pairs.size >= s.max_tracked) {
        // forget the oldest tenth
        let n = 0;
        for (const k of this.pairs.keys()) { this.pairs.delete(k); if (++n >= s.max_tracked / 10) break; }
      }
      e = { v: [], last: t };
      this.pairs.set(key, e);
    }
    const v = e.v;
    v.push(t, f.bytes, f.src_port);
    e.last = t;
    // keep at most `keep` flows, and only the window
    const from = t - s.beacon_window_s * 1000;
    let drop = v.length > this.keep * 3 ? 3 : 0;
    while (drop < v.length && v[drop] < from) drop += 3;
    if (drop) v.splice(0, drop);
    const n = v.length / 3;
    if (n < s.beacon_min_flows || (n !== s.beacon_min_flows && n % 4 !== 0)) return;
    const times: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < v.length; i += 3) { times.push(v[i]); bytes.push(v[i + 1]); }
    times.sort((a, b) => a - b);
    const gaps: number[] = [];
    for (let i = 1; i < times.length; i++) gaps.push((times[i] - times[i - 1]) / 1000);
    const [gm, gsd] = meanSd(gaps);
    if (gm < s.beacon_min_interval_s) return;
    const cv = gsd / gm;
    if (cv > s.beacon_max_cv) return;
    const [bm, bsd] = meanSd(bytes);
    if (bm > s.beacon_max_mean_bytes || (bm > 0 && bsd / bm > s.beacon_max_bytes_cv)) return;
    if (f.protocol === 6 || f.protocol === 17) {
      let fresh = 0;
      for (let i = 5; i < v.length; i += 3) if (v[i] !== v[i - 3]) fresh++;
      if (fresh / Math.max(1, n - 1) < s.beacon_min_distinct_src_ports) return;
    }
    const akey = `${key}|${bucket(t, s.beacon_window_s)}`;
    if (!this.repeats.first(akey)) return;
    const name = c.deviceName(f.src_ip) ?? c.deviceName(f.exporter);
    out.push(makeAlert({
      rule: 'flows.beacon', title: 'Periodic beacon to an external address', kind: 'beacon',
      severity: c.isDevice(f.src_ip) ? 'high' : 'medium', attack: ['T1071'], tactic: 'command-and-control',
      key: akey, time: f.time_start, device: name, ips: [f.src_ip, dst], exporter: f.exporter, event: flowEvent(f),
      correlation: { flows: n, interval_s: Math.round(gm * 10) / 10, interval_cv: Math.round(cv * 1000) / 1000, mean_bytes: Math.round(bm), first: new Date(times[0]).toISOString(), last: new Date(times[n - 1]).toISOString() },
      reasons: [
        `${n} flows ${f.src_ip} -> ${dst} ${protoName(f.protocol)}/${f.dst_port} within ${s.beacon_window_s} s`,
        `every ${gm.toFixed(1)} s on average with a coefficient of variation of ${cv.toFixed(3)} (at most ${s.beacon_max_cv})`,
        `about ${Math.round(bm)} bytes each (small and similar)`,
        ...(c.isDevice(f.src_ip) ? [`${f.src_ip} is a network device: routers rarely start sessions to the internet`] : []),
      ],
      remediation: 'Identify the process or configuration behind the connection on the source host (or device); block the destination if unknown.',
    }));
  }
}
