/**
 * Flow records the carrier's exporters will send: management sessions, the config backup, SNMP polling,
 * syslog, TACACS+ and NTP toward the NOC, transit traffic on the edges, a sanctioned GRE tunnel to a
 * partner, and whatever the campaign adds. Management traffic is seen by the out-of-band switch of the
 * device's point of presence; internet-facing traffic by the edge router itself. The records are encoded
 * into NetFlow v9 / IPFIX pcaps by src/drill/flows-out.ts.
 */
import type { Carrier, Device } from './carrier.js';
import type { Rng } from './rng.js';

export interface FlowIntent {
  t: number;
  end: number;
  exporter: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  bytes: number;
  packets: number;
  inIf: number;
  outIf: number;
  flags: number;
  tag?: string;
}

const TCP = 6;
const UDP = 17;
const GRE = 47;
export const PROTO = { TCP, UDP, GRE } as const;

/** Exporters export a long flow as one record per active-timeout interval (300 s in the configs). */
export const ACTIVE_TIMEOUT_MS = 300_000;

export class FlowPlan {
  readonly flows: FlowIntent[] = [];
  constructor(private readonly c: Carrier, private readonly rng: Rng) {}

  /** The exporter that sees management traffic of a device: its pop's out-of-band switch, else the device. */
  oobExporter(d: Device): Device | undefined {
    const oob = this.c.devices.find((x) => x.role === 'management' && x.pop === d.pop) ?? this.c.devices.find((x) => x.role === 'management');
    return oob && oob.exportsFlows ? oob : undefined;
  }

  /** The exporter that sees internet-facing traffic of a device: itself if it exports, else its pop's core. */
  edgeExporter(d: Device): Device | undefined {
    if (d.exportsFlows) return d;
    return this.c.devices.find((x) => x.role === 'core' && x.pop === d.pop && x.exportsFlows) ?? this.c.devices.find((x) => x.exportsFlows);
  }

  add(f: FlowIntent): void {
    // split long flows into active-timeout records, bytes spread evenly
    const dur = Math.max(1, f.end - f.t);
    if (dur <= ACTIVE_TIMEOUT_MS) {
      this.flows.push(f);
      return;
    }
    const parts = Math.ceil(dur / ACTIVE_TIMEOUT_MS);
    for (let i = 0; i < parts; i++) {
      const t = f.t + i * ACTIVE_TIMEOUT_MS;
      const end = Math.min(f.end, t + ACTIVE_TIMEOUT_MS);
      this.flows.push({ ...f, t, end, bytes: Math.max(40, Math.round(f.bytes / parts)), packets: Math.max(1, Math.round(f.packets / parts)) });
    }
  }

  /** Both directions of a TCP session. */
  tcp(exporter: Device, src: string, dst: string, dport: number, t: number, end: number, bytesUp: number, bytesDown: number, tag?: string, inIf = 2, outIf = 2): void {
    const sport = this.rng.int(32768, 60999);
    const pu = Math.max(3, Math.round(bytesUp / 400));
    const pd = Math.max(3, Math.round(bytesDown / 900));
    this.add({ t, end, exporter: exporter.name, src, dst, sport, dport, proto: TCP, bytes: bytesUp, packets: pu, inIf, outIf, flags: 0x1b, tag });
    this.add({ t: t + 2, end, exporter: exporter.name, src: dst, dst: src, sport: dport, dport: sport, proto: TCP, bytes: bytesDown, packets: pd, inIf: outIf, outIf: inIf, flags: 0x1b, tag });
  }

  /** An SSH session from a management host to a device's management address. */
  ssh(d: Device, src: string, t: number, end: number, bytesDown = 6000 + this.rng.int(0, 40000), tag?: string, port = 22, dst = d.mgmt): void {
    const x = this.oobExporter(d);
    if (!x) return;
    this.tcp(x, src, dst, port, t, end, 3000 + this.rng.int(0, 4000), bytesDown, tag);
  }

  /** Background flows for every hour of the dataset: SNMP, syslog, TACACS+, NTP, transit, partner GRE. */
  background(): void {
    const c = this.c;
    const hours = c.days * 24;
    const partner = c.devices.find((d) => d.role === 'edge' && !d.imperfections.includes('web_ui_enabled'));
    for (let h = 0; h < hours; h++) {
      const h0 = c.start + h * 3600_000;
      const r = this.rng.fork(`bg${h}`);
      for (const d of c.devices) {
        const x = this.oobExporter(d);
        if (x) {
          // SNMP polling from the NMS every 15 minutes
          for (let q = 0; q < 4; q++) {
            const poll = h0 + q * 900_000 + 60_000 + (d.seq % 50) * 1000;
            this.add({ t: poll, end: poll + 2500, exporter: x.name, src: c.nms[0].ip, dst: d.mgmt, sport: 40161, dport: 161, proto: UDP, bytes: 1800 + r.int(0, 600), packets: 14, inIf: 2, outIf: 2, flags: 0 });
            this.add({ t: poll + 20, end: poll + 2520, exporter: x.name, src: d.mgmt, dst: c.nms[0].ip, sport: 161, dport: 40161, proto: UDP, bytes: 9000 + r.int(0, 3000), packets: 14, inIf: 2, outIf: 2, flags: 0 });
          }
          // syslog bursts to both collectors
          for (const s of c.syslog) {
            for (let q = 0, n = r.int(1, 3); q < n; q++) {
              const t = h0 + r.int(0, 3590) * 1000;
              this.add({ t, end: t + r.int(1, 15) * 1000, exporter: x.name, src: d.mgmt, dst: s.ip, sport: 514, dport: 514, proto: UDP, bytes: r.int(2, 12) * 190, packets: r.int(2, 12), inIf: 2, outIf: 2, flags: 0 });
            }
          }
          // TACACS+ accounting and NTP
          this.tcp(x, d.mgmt, c.aaa[0].ip, 49, h0 + 420_000 + d.seq * 4000, h0 + 421_500 + d.seq * 4000, 900 + r.int(0, 900), 400);
          this.add({ t: h0 + 1000 * (d.seq % 60), end: h0 + 1000 * (d.seq % 60) + 1, exporter: x.name, src: d.mgmt, dst: c.ntp[h % 2].ip, sport: 123, dport: 123, proto: UDP, bytes: 76, packets: 1, inIf: 2, outIf: 2, flags: 0 });
        }
        // transit on the edges: customers talking to the internet
        if (d.role === 'edge' && d.exportsFlows) {
          const peering = d.ifaces.find((i) => i.kind === 'peering');
          const cust = d.ifaces.filter((i) => i.kind === 'customer');
          const n = r.int(10, 24);
          for (let k = 0; k < n; k++) {
            const ci = r.pick(cust);
            const cbase = ci.ip!.split('.').slice(0, 3).join('.');
            const local = `${cbase}.${r.int(2, 2)}`;
            const remote = randomPublic(r);
            const t = h0 + r.int(0, 3590) * 1000;
            const web = r.chance(0.8);
            const dport = web ? r.pick([443, 443, 443, 80, 853]) : r.pick([25, 993, 5060, 1194, 3478]);
            const proto = dport === 5060 || dport === 3478 || dport === 1194 ? UDP : TCP;
            const down = r.int(2000, 900000);
            this.add({ t, end: t + r.int(200, 55000), exporter: d.name, src: local, dst: remote, sport: r.int(32768, 60999), dport, proto, bytes: r.int(600, 40000), packets: r.int(6, 80), inIf: ci.ifIndex, outIf: peering?.ifIndex ?? 40, flags: proto === TCP ? 0x1b : 0 });
            this.add({ t: t + 30, end: t + r.int(300, 56000), exporter: d.name, src: remote, dst: local, sport: dport, dport: r.int(32768, 60999), proto, bytes: down, packets: Math.max(4, Math.round(down / 1200)), inIf: peering?.ifIndex ?? 40, outIf: ci.ifIndex, flags: proto === TCP ? 0x1b : 0 });
          }
        }
      }
      // the sanctioned partner GRE tunnel (an approved tunnel peer): steady, both ways
      if (partner && partner.exportsFlows && partner.publicIp) {
        const peering = partner.ifaces.find((i) => i.kind === 'peering');
        this.add({ t: h0, end: h0 + 3599_000, exporter: partner.name, src: partner.publicIp, dst: c.tunnelPeers[0], sport: 0, dport: 0, proto: GRE, bytes: r.int(2e6, 9e6), packets: r.int(3000, 9000), inIf: 1, outIf: peering?.ifIndex ?? 40, flags: 0 });
        this.add({ t: h0 + 10, end: h0 + 3599_010, exporter: partner.name, src: c.tunnelPeers[0], dst: partner.publicIp, sport: 0, dport: 0, proto: GRE, bytes: r.int(2e6, 9e6), packets: r.int(3000, 9000), inIf: peering?.ifIndex ?? 40, outIf: 1, flags: 0 });
      }
    }
  }
}

/** A random public address outside documentation, private and the drill's own ranges. */
export function randomPublic(r: Rng): string {
  for (;;) {
    const a = r.int(1, 223);
    if ([10, 100, 127, 169, 172, 192, 198, 203].includes(a)) continue;
    return `${a}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }
}
