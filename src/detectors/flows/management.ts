/**
 * Management-plane traffic (SSH, Telnet, TACACS+, SNMP, NETCONF, HTTP(S), Smart Install, gNMI) to device
 * addresses from sources outside the declared management hosts (threat model FLOW-06/FLOW-12; the intruders
 * logged in to routers from their own addresses with stolen credentials).
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import type { Severity } from '../../model/severity.js';
import { bucket, flowEvent, makeAlert, Repeats, type FlowContext } from './context.js';

const SERVICE: Record<number, string> = {
  22: 'SSH', 23: 'Telnet', 49: 'TACACS+', 80: 'HTTP', 443: 'HTTPS', 830: 'NETCONF', 4786: 'Smart Install', 8443: 'HTTPS', 57400: 'gNMI', 161: 'SNMP',
};

export class ManagementAccessDetector {
  private readonly tcp: Set<number>;
  private readonly udp: Set<number>;
  private readonly repeats: Repeats;
  constructor(private readonly ctx: FlowContext) {
    this.tcp = new Set(ctx.settings.management_tcp_ports);
    this.udp = new Set(ctx.settings.management_udp_ports);
    this.repeats = new Repeats(ctx.settings.max_tracked);
  }

  check(f: FlowRecord, out: Alert[]): void {
    const port = f.dst_port;
    const tcp = f.protocol === 6;
    if (!(tcp ? this.tcp.has(port) : f.protocol === 17 && this.udp.has(port))) return;
    const c = this.ctx;
    if (!c.isDevice(f.dst_ip)) return;
    const src = f.src_ip;
    if (!src || c.managementHosts.has(src)) return;
    if (port === 161 && c.snmpManagers.has(src)) return;
    if (port === 49 && c.aaaServers.has(src)) return;
    // a reply leg (device answering from its service port) is not an access
    if (tcp && this.tcp.has(f.src_port) && f.src_port < port) return;
    const t = Date.parse(f.time_start);
    const key = `${src}|${f.dst_ip}|${f.protocol}/${port}|${bucket(t, c.settings.management_repeat_s)}`;
    if (!this.repeats.first(key)) return;
    const service = SERVICE[port] ?? `${tcp ? 'TCP' : 'UDP'} ${port}`;
    // SYN without ACK: an attempt that was not answered; an established session otherwise (or flags unknown)
    const attempt = tcp && f.tcp_flags !== 0 && (f.tcp_flags & 0x02) !== 0 && (f.tcp_flags & 0x10) === 0;
    const external = !c.isInternal(src) && !c.isDevice(src);
    let severity: Severity = attempt ? 'medium' : 'high';
    if (port === 4786 || (external && !attempt)) severity = 'critical';
    const fromDevice = c.isDevice(src);
    const attack = port === 22 ? ['T1021.004', 'T1078'] : port === 4786 ? ['T1190'] : port === 161 ? ['T1078', 'T1602.001'] : ['T1078'];
    const name = c.deviceName(f.dst_ip) ?? c.deviceName(f.exporter);
    out.push(makeAlert({
      rule: 'flows.management_access', title: `${service} to a network device from outside the management hosts`,
      kind: attempt ? 'management_attempt' : 'management_access', severity, attack,
      tactic: port === 22 ? 'lateral-movement' : 'initial-access',
      key, time: f.time_start, device: name, ips: [src, f.dst_ip], exporter: f.exporter, event: flowEvent(f),
      reasons: [
        `${service} (${tcp ? 'tcp' : 'udp'}/${port}) from ${src} to device address ${f.dst_ip}, seen by exporter ${f.exporter}`,
        `${src} is not in management_hosts${port === 161 ? ' or snmp_managers' : port === 49 ? ' or aaa_servers' : ''} of the site file`,
        ...(external ? [`${src} is outside the internal prefixes`] : []),
        ...(fromDevice ? [`${src} is itself a device address: device-to-device management sessions are how the intruders moved between routers`] : []),
        ...(attempt ? ['only SYN seen (no ACK): an attempt, not an established session'] : []),
      ],
      remediation: 'Restrict the management plane to the management hosts (vty access-class, SNMP ACLs, control-plane policing) and check who logged in from that address.',
    }));
  }
}
