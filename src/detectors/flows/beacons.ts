/**
 * Periodic beacons: many small, similar flows from one internal host (or device) to one external address
 * and port at regular intervals (threat model FLOW-10: >= 20 flows a day, inter-arrival coefficient of
 * variation < 0.2). Flows of one long session cut by the exporter's active timeout are also regular, so
 * the flows must mostly be new sessions (new source ports) for TCP and UDP.
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { bucket, flowEvent, makeAlert, protoName, Repeats, type FlowContext } from './context.js';

interface Series { times: number[]; bytes: number[]; ports: number[]; last: number }

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

  constructor(private readonly ctx: FlowContext) {
    this.repeats = new Repeats(ctx.settings.max_tracked);
    this.keep = Math.max(ctx.settings.beacon_min_flows * 2, 48);
  }

  check(f: FlowRecord, out: Alert[]): void {
    const c = this.ctx;
    const dst = f.dst_ip;
    if (!dst || c.isInternal(dst) || c.isDevice(dst)) return;
    if (!c.isInternal(f.src_ip) && !c.isDevice(f.src_ip)) return;
    const s = c.settings;
    const key = `${f.src_ip}|${dst}|${f.protocol}/${f.dst_port}`;
    const t = Date.parse(f.time_start);
    let e = this.pairs.get(key);
    if (!e) {
      if (this.pairs.size >= s.max_tracked) {
        // forget the oldest tenth
        let n = 0;
        for (const k of this.pairs.keys()) { this.pairs.delete(k); if (++n >= s.max_tracked / 10) break; }
      }
      e = { times: [], bytes: [], ports: [], last: t };
      this.pairs.set(key, e);
    }
    e.times.push(t);
    e.bytes.push(f.bytes);
    e.ports.push(f.src_port);
    e.last = t;
    if (e.times.length > this.keep) { e.times.shift(); e.bytes.shift(); e.ports.shift(); }
    // keep only the window
    const from = t - s.beacon_window_s * 1000;
    while (e.times.length && e.times[0] < from) { e.times.shift(); e.bytes.shift(); e.ports.shift(); }
    const n = e.times.length;
    if (n < s.beacon_min_flows || (n !== s.beacon_min_flows && n % 4 !== 0)) return;
    const times = [...e.times].sort((a, b) => a - b);
    const gaps: number[] = [];
    for (let i = 1; i < times.length; i++) gaps.push((times[i] - times[i - 1]) / 1000);
    const [gm, gsd] = meanSd(gaps);
    if (gm < s.beacon_min_interval_s) return;
    const cv = gsd / gm;
    if (cv > s.beacon_max_cv) return;
    const [bm, bsd] = meanSd(e.bytes);
    if (bm > s.beacon_max_mean_bytes || (bm > 0 && bsd / bm > s.beacon_max_bytes_cv)) return;
    if (f.protocol === 6 || f.protocol === 17) {
      let fresh = 0;
      for (let i = 1; i < e.ports.length; i++) if (e.ports[i] !== e.ports[i - 1]) fresh++;
      if (fresh / Math.max(1, e.ports.length - 1) < s.beacon_min_distinct_src_ports) return;
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
