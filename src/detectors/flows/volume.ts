/**
 * Outbound volume per external destination over a tumbling window, against a configured threshold or, once
 * enough windows have been seen for that destination, a learned one (factor x its usual window volume)
 * (threat model FLOW-11; the intruders carried off call records and configurations).
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { bucket, flowEvent, makeAlert, type FlowContext } from './context.js';

/**
 * One destination's window: totals and the bytes of its first 16 sources (two small arrays, not a Map: a Map per
 * destination was a large part of the analytics' allocations).
 */
interface Cur { bytes: number; flows: number; ips: string[]; by: number[]; alerted: boolean }

/** A window entry restored from a snapshot taken before the array layout (`srcs` Map). */
export function upgradeCur(e: Cur | { bytes: number; flows: number; srcs: Map<string, number>; alerted: boolean }): Cur {
  if ('ips' in e) return e;
  return { bytes: e.bytes, flows: e.flows, ips: [...e.srcs.keys()], by: [...e.srcs.values()], alerted: e.alerted };
}

export class VolumeDetector {
  private win = -1;
  private cur = new Map<string, Cur>();
  /** Learned per-destination window volume: sum of window totals and windows seen. */
  private readonly base = new Map<string, { sum: number; n: number }>();
  /** Destinations not tracked because of the memory bound. */
  untracked = 0;

  constructor(private readonly ctx: FlowContext) {}

  /** An outbound flow (FlowContext.isOutbound) starting at `t` (ms). */
  observe(f: FlowRecord, t: number, out: Alert[]): void {
    const c = this.ctx;
    const dst = f.dst_ip;
    const s = c.settings;
    const w = bucket(t, s.volume_window_s);
    if (w > this.win) this.roll(w);
    let e = this.cur.get(dst);
    if (!e) {
      if (this.cur.size >= s.max_tracked) { this.untracked++; return; }
      e = { bytes: 0, flows: 0, ips: [], by: [], alerted: false };
      this.cur.set(dst, e);
    }
    const bytes = f.bytes * (s.volume_sampling_adjust && f.sampling_rate ? f.sampling_rate : 1);
    e.bytes += bytes;
    e.flows++;
    const si = e.ips.indexOf(f.src_ip);
    if (si >= 0) e.by[si] += bytes;
    else if (e.ips.length < 16) { e.ips.push(f.src_ip); e.by.push(bytes); }
    if (e.alerted) return;
    const learned = this.learned(dst);
    const thr = learned ?? s.volume_bytes;
    if (e.bytes <= thr) return;
    e.alerted = true;
    const top = e.ips.map((ip, i): [string, number] => [ip, e.by[i]]).sort((a, b) => b[1] - a[1]).slice(0, 5);
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

  /** After a restore from a snapshot: window entries in the older layout are converted. */
  upgradeRestored(): void {
    for (const [k, e] of this.cur) this.cur.set(k, upgradeCur(e));
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
