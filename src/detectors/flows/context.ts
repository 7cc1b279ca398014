/**
 * What the flow detectors know about the site: internal ranges, approved tunnel peers, management hosts,
 * device addresses (inventory, configured prefixes and, as they appear, the exporters themselves), and the
 * common way they build an Alert from a flow.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import type { Severity } from '../../model/severity.js';
import type { SiteConfig } from '../../model/site.js';
import { PrefixSet } from '../../util/ipset.js';
import { isIp } from '../../util/ip.js';
import type { FlowSettings } from './settings.js';

export class FlowContext {
  readonly internal: PrefixSet;
  readonly tunnelPeers: PrefixSet;
  /** Allowed sources of management traffic: management_hosts and IP-valued jump hosts. */
  readonly managementHosts: PrefixSet;
  readonly snmpManagers: PrefixSet;
  readonly aaaServers: PrefixSet;
  private readonly devicePrefixes: PrefixSet;
  private readonly exporters = new Set<string>();
  /** Device address -> inventory name. */
  readonly deviceNames = new Map<string, string>();

  constructor(readonly site: SiteConfig, readonly settings: FlowSettings) {
    this.internal = new PrefixSet(site.internal_prefixes);
    this.tunnelPeers = new PrefixSet(site.tunnel_peers);
    this.managementHosts = new PrefixSet([...site.management_hosts, ...site.access.jump_hosts.filter((j) => isIp(j))]);
    this.snmpManagers = new PrefixSet(site.snmp_managers);
    this.aaaServers = new PrefixSet(site.aaa_servers);
    const devs: string[] = [...settings.device_prefixes];
    for (const d of site.devices) {
      if (d.address && isIp(d.address)) { devs.push(d.address); this.deviceNames.set(d.address, d.name); }
    }
    this.devicePrefixes = new PrefixSet(devs);
  }

  /** Records an exporter address (a router) so that it counts as a device address. */
  noteExporter(ip: string): void {
    if (this.settings.exporters_are_devices && ip && !this.exporters.has(ip) && this.exporters.size < 100_000) this.exporters.add(ip);
  }

  isDevice(ip: string): boolean {
    return this.exporters.has(ip) || this.devicePrefixes.has(ip);
  }

  isInternal(ip: string): boolean {
    return this.internal.has(ip);
  }

  /** A flow from an internal host or a device to an address that is neither (what volume and beacons watch). */
  isOutbound(f: FlowRecord): boolean {
    const dst = f.dst_ip;
    if (!dst || this.isInternal(dst) || this.isDevice(dst)) return false;
    return this.isInternal(f.src_ip) || this.isDevice(f.src_ip);
  }

  /** Inventory name of a device address, or of the exporter. */
  deviceName(ip: string): string | undefined {
    return this.deviceNames.get(ip);
  }
}

/** A stable alert id: the same evidence re-processed gives the same id (the store dedupes on it). */
export function alertId(rule: string, key: string): string {
  return 'flows-' + createHash('sha256').update(`flows\u0000${rule}\u0000${key}`).digest('hex').slice(0, 20);
}

export const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 4: 'ipip', 6: 'tcp', 17: 'udp', 41: 'ipv6-in-ipv4', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmpv6', 132: 'sctp' };

export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

/** The flow as alert evidence (an Event: time and host first, then the flow fields). */
export function flowEvent(f: FlowRecord): Alert['event'] {
  return {
    time: f.time_start, host: f.exporter, src_ip: f.src_ip, dst_ip: f.dst_ip, src_port: f.src_port, dst_port: f.dst_port,
    protocol: f.protocol, bytes: f.bytes, packets: f.packets, time_end: f.time_end, input_if: f.input_if, output_if: f.output_if,
    tcp_flags: f.tcp_flags, ...(f.sampling_rate ? { sampling_rate: f.sampling_rate } : {}),
  };
}

export interface AlertSpec {
  rule: string;
  title: string;
  kind: string;
  severity: Severity;
  attack: string[];
  tactic: string;
  /** Dedup key (with the time bucket). */
  key: string;
  time: string;
  device?: string;
  ips: string[];
  devices?: string[];
  reasons: string[];
  event?: Alert['event'];
  exporter: string;
  remediation?: string;
  correlation?: Record<string, unknown>;
}

export function makeAlert(s: AlertSpec): Alert {
  const devices = [...new Set([...(s.devices ?? []), ...(s.device ? [s.device] : [])])];
  return {
    id: alertId(s.rule, s.key),
    time: s.time,
    detector: 'flows',
    rule: {
      id: s.rule, title: s.title, level: s.severity, kind: s.kind,
      tags: [`attack.${s.tactic}`, ...s.attack.map((a) => `attack.${a.toLowerCase()}`)],
    },
    severity: s.severity,
    attack: s.attack,
    device: s.device,
    entities: { ips: [...new Set(s.ips.filter(Boolean))], ...(devices.length ? { devices } : {}) },
    source: { file: `netflow:${s.exporter}` },
    event: s.event,
    reasons: s.reasons,
    ...(s.correlation ? { correlation: s.correlation } : {}),
    ...(s.remediation ? { remediation: s.remediation } : {}),
  };
}

/** Start of the period of `ms` (seconds) that `t` falls in. */
export function bucket(t: number, periodS: number): number {
  const p = Math.max(1, periodS) * 1000;
  return Math.floor(t / p) * p;
}

/** Bounded set of "already alerted" keys (keys carry their time bucket), so evidence alerts once per period. */
export class Repeats {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  /** True the first time `key` is seen. */
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.max) {
      // forget the oldest half (Set keeps insertion order)
      let n = 0;
      for (const k of this.seen) { this.seen.delete(k); if (++n >= this.max / 2) break; }
    }
    this.seen.add(key);
    return true;
  }
}
