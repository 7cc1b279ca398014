/**
 * GRE, IPsec (ESP/AH, IKE and NAT-T) and IP-in-IP flows between one of our addresses and a peer outside the
 * site's internal ranges and approved tunnel peers (threat model FLOW-01/02; RedMike built GRE tunnels out
 * of carrier routers). Critical when our end is a device address or the flow is large (mirroring via ERSPAN
 * or bulk exfiltration over the tunnel).
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { bucket, flowEvent, makeAlert, protoName, Repeats, type FlowContext } from './context.js';

export class TunnelDetector {
  private readonly protos: Set<number>;
  private readonly udpPorts: Set<number>;
  private readonly repeats: Repeats;
  constructor(private readonly ctx: FlowContext) {
    this.protos = new Set(ctx.settings.tunnel_protocols);
    this.udpPorts = new Set(ctx.settings.tunnel_udp_ports);
    this.repeats = new Repeats(ctx.settings.max_tracked);
  }

  check(f: FlowRecord, out: Alert[]): void {
    const p = f.protocol;
    const ike = p === 17 && (this.udpPorts.has(f.dst_port) || this.udpPorts.has(f.src_port));
    if (!ike && !this.protos.has(p)) return;
    const c = this.ctx;
    const srcOurs = c.isInternal(f.src_ip) || c.isDevice(f.src_ip);
    const dstOurs = c.isInternal(f.dst_ip) || c.isDevice(f.dst_ip);
    if (srcOurs === dstOurs) return; // both ours (internal tunnel) or both foreign (transit)
    const ours = srcOurs ? f.src_ip : f.dst_ip;
    const peer = srcOurs ? f.dst_ip : f.src_ip;
    if (!peer || c.tunnelPeers.has(peer)) return;
    const t = Date.parse(f.time_start);
    const what = ike ? `IPsec key exchange (UDP ${this.udpPorts.has(f.dst_port) ? f.dst_port : f.src_port})`
      : p === 47 ? 'GRE' : p === 50 ? 'IPsec ESP' : p === 51 ? 'IPsec AH' : p === 4 ? 'IP-in-IP' : p === 41 ? 'IPv6-in-IPv4' : `protocol ${p}`;
    const kind = ike || p === 50 || p === 51 ? 'ipsec_tunnel' : p === 47 ? 'gre_tunnel' : 'ip_in_ip_tunnel';
    const lo = ours < peer ? ours : peer;
    const hi = ours < peer ? peer : ours;
    const key = `${lo}|${hi}|${kind}|${bucket(t, c.settings.tunnel_repeat_s)}`;
    if (!this.repeats.first(key)) return;
    const device = c.isDevice(ours);
    const big = f.bytes * (f.sampling_rate ?? 1) > c.settings.tunnel_critical_bytes;
    const name = c.deviceName(ours) ?? c.deviceName(f.exporter);
    out.push(makeAlert({
      rule: 'flows.tunnel', title: `${what} tunnel to an undeclared peer`, kind,
      severity: device || big ? 'critical' : 'high',
      attack: kind === 'gre_tunnel' && (device || big) ? ['T1572', 'T1020.001'] : ['T1572'], tactic: 'command-and-control',
      key, time: f.time_start, device: name, ips: [ours, peer], exporter: f.exporter, event: flowEvent(f),
      reasons: [
        `${protoName(p)} flow ${f.src_ip} -> ${f.dst_ip} seen by exporter ${f.exporter}`,
        `${peer} is outside internal_prefixes and tunnel_peers of the site file`,
        ...(device ? [`${ours} is a network device address: routers should only tunnel to declared peers`] : []),
        ...(big ? [`${f.bytes * (f.sampling_rate ?? 1)} bytes in one flow (above ${c.settings.tunnel_critical_bytes})`] : []),
      ],
      remediation: `Check the device configuration for \`interface Tunnel\`, \`crypto map\`/\`tunnel destination ${peer}\` and ERSPAN/monitor sessions; remove unauthorised tunnels and add approved peers to \`tunnel_peers\`.`,
    }));
  }
}
