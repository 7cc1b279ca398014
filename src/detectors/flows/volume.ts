/**
 * Outbound volume per external destination over a tumbling window, against a configured threshold or, once
 * enough windows have been seen for that destination, a learned one (factor x its usual window volume)
 * (threat model FLOW-11; the intruders carried off call records and configurations).
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { bucket, flowEvent, makeAlert, type FlowContext } from './context.js';

interface Cur { bytes: number; flows: number; srcs: Map<string, number>; alerted: boolean }

export class VolumeDetector {
  private win = -1;
  private cur = new Map<string, Cur>();
  /** Learned per-destination window volume: sum of window totals and windows seen. */
  private readonly base = new Map<string, { sum: number; n: number }>();
  /** Destinations not tracked because of the memory bound. */
  untracked = 0;

  constructor(private readonly ctx: FlowContext) {}

  check(f: FlowRecord, out: Alert[]): void {
    const c = this.ctx;
    const dst = f.dst_ip;
    if (!dst || c.isInternal(dst) || c.isDevice(dst)) return;
    if (!c.isInternal(f.src_ip) && !c.isDevice(f.src_ip)) return;
    const s = c.settings;
    const t = Date.parse(f.time_start);
    const w = bucket(t, s.volume_window_s);
    if (w > this.win) this.roll(w);
    let e = this.cur.get(dst);
    if (!e) {
      if (this.cur.size >= s.max_tracked) { this.untracked++; return; }
      e = { bytes: 0, flows: 0, srcs: new Map(), alerted: false };
      this.cur.set(dst, e);
    }
    const bytes = f.bytes * (s.volume_sampling_adjust && f.sampling_rate ? f.sampling_rate : 1);
    e.bytes += bytes;
    e.flows++;
    if (e.srcs.size < 16 || e.srcs.has(f.src_ip)) e.srcs.set(f.src_ip, (e.srcs.get(f.src_ip) ?? 0) + bytes);
    if (e.alerted) return;
    const learned = this.learned(dst);
    const thr = learned ?? s.volume_bytes;
    if (e.bytes <= thr) return;
    e.alerted = true;
    const top = [...e.srcs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const name = c.deviceName(top[0]?.[0] ?? '') ?? c.deviceName(f.exporter);
    out.push(makeAlert({
      rule: 'flows.outbound_volume', title: 'Outbound volume to one external destination above threshold', kind: 'outbound_volume',
      severity: 'high', attack: ['T1048'], tactic: 'exfiltration',
      key: `${dst}|${this.win}`, time: f.time_start, device: name, ips: [dst, ...top.map(([ip]) => ip)], exporter: f.exporter,
      event: flowEvent(f),
      correlation: { window_start: new Date(this.win).toISOString(), window_s: s.volume_window_s, bytes: e.bytes, flows: e.flows, threshold: thr, learned: learned !== undefined, sources: Object.fromEntries(top) },
      reasons: [
        `${e.bytes} bytes in ${e.flows} flows from internal sources to ${dst} in the ${s.volume_window_s} s window starting ${new Date(this.win).toISOString()}`,
        learned !== undefined
          ? `above the learned threshold of ${Math.round(thr)} bytes (${s.volume_learn_factor} x this destination's usual window volume, at least ${s.volume_min_bytes})`
          : `above the configured threshold of ${thr} bytes (flows.volume_bytes)`,
        `largest senders: ${top.map(([ip, b]) => `${ip} (${b} bytes)`).join(', ')}`,
      ],
      remediation: 'Find what the senders transferred (session logs, proxy logs); block the destination if it is not a known service.',
    }));
  }

  private learned(dst: string): number | undefined {
    const s = this.ctx.settings;
    if (!s.volume_learn) return undefined;
    const b = this.base.get(dst);
    if (!b || b.n < s.volume_learn_min_windows) return undefined;
    return Math.max(s.volume_min_bytes, s.volume_learn_factor * (b.sum / b.n));
  }

  private roll(w: number): void {
    if (this.win >= 0 && this.ctx.settings.volume_learn) {
      for (const [dst, e] of this.cur) {
        let b = this.base.get(dst);
        if (!b) {
          if (this.base.size >= this.ctx.settings.max_tracked) continue;
          b = { sum: 0, n: 0 };
          this.base.set(dst, b);
        }
        b.sum += e.bytes;
        b.n++;
      }
    }
    this.cur = new Map();
    this.win = w;
  }
}
