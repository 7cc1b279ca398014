/**
 * The synthetic carrier: points of presence, devices of every role and platform, the management network
 * (jump hosts, AAA, syslog, NTP, NMS, config backup, flow collector), network engineers and service
 * accounts, and the lawful-intercept enclave with its operators and warrants. Everything is drawn from a
 * seeded generator, so one seed always builds the same carrier whatever campaign is later played into it.
 */
import { Rng } from './rng.js';

export type Platform = 'iosxe' | 'iosxr' | 'nxos' | 'junos' | 'eos';
export type Role = 'core' | 'edge' | 'aggregation' | 'management';
export const PLATFORMS: readonly Platform[] = ['iosxe', 'iosxr', 'nxos', 'junos', 'eos'];
export const ROLES: readonly Role[] = ['core', 'edge', 'aggregation', 'management'];

export interface Iface {
  name: string;
  kind: 'loopback' | 'mgmt' | 'core' | 'customer' | 'peering';
  ip?: string;
  /** Prefix length of `ip`. */
  len?: number;
  desc: string;
  /** SNMP ifIndex, used in flow records. */
  ifIndex: number;
  /** The peer device (core links) or external party. */
  peer?: string;
  /** External peering address (eBGP neighbor) for peering interfaces. */
  neighbor?: string;
  neighborAs?: number;
}

/** Hardening gaps a device carries from the start (realistic imperfections); names are documented in docs/DRILL.md. */
export type Imperfection =
  | 'long_exec_timeout'
  | 'no_login_block'
  | 'snmp_v2c_ro'
  | 'type7_local_password'
  | 'no_sequence_numbers'
  | 'ntp_unauthenticated'
  | 'web_ui_enabled'
  | 'vty_transport_output'
  | 'single_log_host';

export interface Device {
  name: string;
  pop: string;
  role: Role;
  platform: Platform;
  model: string;
  version: string;
  mgmt: string;
  loopback: string;
  ifaces: Iface[];
  /** Exports NetFlow v9 (Cisco) or IPFIX (Junos, EOS) to the collector: edges and cores for their traffic, the
   * out-of-band switches for the management network. */
  exportsFlows: boolean;
  /** The address on the internet-facing interface, for edge devices. */
  publicIp?: string;
  imperfections: Imperfection[];
  /** Local break-glass user name and its hash seed. */
  seq: number;
}

export interface Person {
  user: string;
  name: string;
  /** The workstation or VPN address the person works from. */
  workstation: string;
  /** Usual working hours (UTC) start and end. */
  hours: [number, number];
  oncall?: boolean;
}

export interface Host {
  name: string;
  ip: string;
}

export interface LiOperator {
  name: string;
  role: 'li-admin' | 'li-analyst' | 'cdr-analyst' | 'compliance';
  status: 'active' | 'disabled';
  /** Workstation (inside the corporate network) from which the operator reaches the LI jump host. */
  workstation: string;
  hours: [number, number];
  /** Mean searches per working day. */
  rate: number;
}

export interface Warrant {
  case_ref: string;
  targets: string[];
  valid_from: string;
  valid_until: string;
  operators: string[];
}

export interface Carrier {
  seed: string;
  name: string;
  domain: string;
  asn: number;
  start: number;
  days: number;
  end: number;
  pops: string[];
  devices: Device[];
  internalPrefixes: string[];
  publicPrefixes: string[];
  customerPrefixes: string[];
  jumpHosts: Host[];
  aaa: Host[];
  syslog: Host[];
  ntp: Host[];
  nms: Host[];
  backup: Host;
  collector: Host;
  /** Approved GRE peers (a partner interconnect). */
  tunnelPeers: string[];
  engineers: Person[];
  /** Config-backup account used by the backup host (automation). */
  backupUser: string;
  breakglass: string;
  li: {
    jumpHosts: Host[];
    systems: Host[];
    operators: LiOperator[];
    warrants: Warrant[];
    /** Subscriber identifiers that ordinary customers have (for searches). */
    subscribers: string[];
  };
}

const POPS = ['nyc', 'chi', 'dal', 'atl', 'lax', 'sea', 'den', 'mia', 'bos', 'phx'];
const FIRST = ['alice', 'bruno', 'chen', 'dana', 'emeka', 'farah', 'gavin', 'hana', 'ivan', 'jules', 'kofi', 'lena', 'marco', 'nadia', 'omar', 'priya'];
const LAST = ['ng', 'silva', 'wang', 'ortiz', 'obi', 'haddad', 'reed', 'sato', 'petrov', 'moreau', 'mensah', 'berg', 'rossi', 'karim', 'diaz', 'iyer'];
const LI_NAMES = ['m.okafor', 'r.lindqvist', 's.baptiste', 't.nakamura', 'e.kowalski', 'j.achebe', 'l.fontaine', 'k.varga', 'd.osei', 'p.reyes', 'h.larsen', 'n.castro'];

const MODELS: Record<Platform, Record<Role, string>> = {
  iosxe: { core: 'ASR1009-X', edge: 'ASR1006-X', aggregation: 'C9500-48Y4C', management: 'ISR4451-X' },
  iosxr: { core: 'ASR-9910', edge: 'ASR-9906', aggregation: 'NCS-5501', management: 'NCS-540' },
  nxos: { core: 'N9K-C9508', edge: 'N9K-C93180YC-FX', aggregation: 'N9K-C93180YC-FX', management: 'N3K-C3048TP-1GE' },
  junos: { core: 'MX960', edge: 'MX480', aggregation: 'QFX5120-48Y', management: 'EX3400-48T' },
  eos: { core: '7280R3', edge: '7280SR', aggregation: '7050SX3-48YC8', management: '720XP-48ZC2' },
};
const VERSIONS: Record<Platform, string[]> = {
  iosxe: ['17.9.4a', '17.6.6a', '17.12.3', '17.9.5'],
  iosxr: ['7.9.2', '7.10.2', '7.11.1'],
  nxos: ['10.2(6)', '10.3(4a)', '9.3(12)'],
  junos: ['22.4R3-S2', '23.2R2', '21.4R3-S5'],
  eos: ['4.30.4M', '4.31.2F', '4.29.6M'],
};

/** Platforms a role is built from, with weights. */
const ROLE_PLATFORMS: Record<Role, [Platform, number][]> = {
  core: [['iosxr', 5], ['junos', 4], ['eos', 1]],
  edge: [['iosxe', 4], ['iosxr', 3], ['junos', 3]],
  aggregation: [['nxos', 4], ['eos', 4], ['iosxe', 2]],
  management: [['iosxe', 4], ['eos', 3], ['nxos', 3]],
};

export function ifaceNames(platform: Platform): { loop: string; mgmt: string; phys: (slot: number, port: number) => string } {
  switch (platform) {
    case 'iosxe': return { loop: 'Loopback0', mgmt: 'GigabitEthernet0', phys: (s, p) => `TenGigabitEthernet0/${s}/${p}` };
    case 'iosxr': return { loop: 'Loopback0', mgmt: 'MgmtEth0/RSP0/CPU0/0', phys: (s, p) => `TenGigE0/0/${s}/${p}` };
    case 'nxos': return { loop: 'loopback0', mgmt: 'mgmt0', phys: (s, p) => `Ethernet${s + 1}/${p + 1}` };
    case 'junos': return { loop: 'lo0', mgmt: 'fxp0', phys: (s, p) => `xe-0/${s}/${p}` };
    case 'eos': return { loop: 'Loopback0', mgmt: 'Management1', phys: (s, p) => `Ethernet${s * 24 + p + 1}` };
  }
}

function roleCode(r: Role): string {
  return r === 'core' ? 'cr' : r === 'edge' ? 'pe' : r === 'aggregation' ? 'agg' : 'oob';
}

export const DRILL_START = Date.parse('2026-10-19T00:00:00.000Z');

export interface CarrierOptions {
  seed: string;
  devices: number;
  days: number;
}

/** Builds the carrier for a seed. */
export function buildCarrier(opts: CarrierOptions): Carrier {
  const rng = new Rng(`carrier:${opts.seed}`);
  const n = Math.max(5, Math.floor(opts.devices));
  const days = Math.max(2, Math.floor(opts.days));
  const npops = Math.max(2, Math.min(POPS.length, Math.ceil(n / 5)));
  const pops = POPS.slice(0, npops);

  // role counts: core ~20 %, edge ~35 %, aggregation ~30 %, management the rest (at least one each)
  const counts: Record<Role, number> = {
    core: Math.max(1, Math.round(n * 0.2)),
    edge: Math.max(1, Math.round(n * 0.35)),
    aggregation: Math.max(1, Math.round(n * 0.3)),
    management: 1,
  };
  counts.management = Math.max(1, n - counts.core - counts.edge - counts.aggregation);
  while (counts.core + counts.edge + counts.aggregation + counts.management > n) {
    const r = (['aggregation', 'edge', 'core'] as Role[]).find((x) => counts[x] > 1);
    if (!r) break;
    counts[r]--;
  }

  // platforms: draw by weight, then make sure each platform appears (when there are enough devices) and
  // that an IOS XE edge, an IOS XR device and an NX-OS device exist: the shipped scenarios need them.
  const slots: { role: Role; platform: Platform }[] = [];
  for (const role of ROLES) for (let i = 0; i < counts[role]; i++) slots.push({ role, platform: rng.weighted(ROLE_PLATFORMS[role]) });
  const ensure = (platform: Platform, role?: Role) => {
    if (slots.some((s) => s.platform === platform && (!role || s.role === role))) return;
    const candidates = slots.filter((s) => (!role || s.role === role) && ROLE_PLATFORMS[s.role].some(([p]) => p === platform));
    const counted = (p: Platform) => slots.filter((s) => s.platform === p).length;
    const victim = candidates.find((s) => counted(s.platform) > 1) ?? candidates[0];
    if (victim) victim.platform = platform;
  };
  ensure('iosxe', 'edge');
  ensure('iosxr');
  ensure('nxos');
  ensure('junos');
  ensure('eos');

  const perPop = new Map<string, number>();
  const popCount: Record<string, Record<Role, number>> = {};
  const devices: Device[] = [];
  let pubHost = 1;
  slots.forEach((slot, i) => {
    const pop = pops[i % pops.length];
    popCount[pop] ??= { core: 0, edge: 0, aggregation: 0, management: 0 };
    const k = ++popCount[pop][slot.role];
    const popIdx = pops.indexOf(pop);
    const inPop = (perPop.get(pop) ?? 0) + 1;
    perPop.set(pop, inPop);
    const name = `${pop}-${roleCode(slot.role)}-${String(k).padStart(2, '0')}`;
    const names = ifaceNames(slot.platform);
    const loopback = `10.0.${popIdx}.${inPop}`;
    const mgmt = `10.20.${popIdx}.${10 + inPop}`;
    const ifaces: Iface[] = [
      { name: names.loop, kind: 'loopback', ip: loopback, len: 32, desc: 'router-id', ifIndex: 1 },
      { name: names.mgmt, kind: 'mgmt', ip: mgmt, len: 24, desc: 'OOB management', ifIndex: 2 },
    ];
    const d: Device = {
      name, pop, role: slot.role, platform: slot.platform,
      model: MODELS[slot.platform][slot.role],
      version: rng.pick(VERSIONS[slot.platform]),
      mgmt, loopback, ifaces,
      exportsFlows: slot.role !== 'aggregation',
      imperfections: [],
      seq: i,
    };
    devices.push(d);
  });

  // links: every non-core device uplinks to a core (same pop first), cores form a ring
  const cores = devices.filter((d) => d.role === 'core');
  let linkNet = 0;
  const nextPort = new Map<string, number>();
  const addLink = (a: Device, b: Device) => {
    const base = linkNet++;
    const ipA = `10.1.${Math.floor(base / 128)}.${(base % 128) * 2}`;
    const ipB = `10.1.${Math.floor(base / 128)}.${(base % 128) * 2 + 1}`;
    for (const [d, ip, peer] of [[a, ipA, b], [b, ipB, a]] as [Device, string, Device][]) {
      const p = nextPort.get(d.name) ?? 0;
      nextPort.set(d.name, p + 1);
      d.ifaces.push({ name: ifaceNames(d.platform).phys(0, p), kind: 'core', ip, len: 31, desc: `core: ${peer.name} ${ifaceNames(peer.platform).phys(0, nextPort.get(peer.name) ?? 0)}`, ifIndex: 10 + p, peer: peer.name });
    }
  };
  for (let i = 0; i < cores.length && cores.length > 1; i++) {
    if (cores.length === 2 && i === 1) break;
    addLink(cores[i], cores[(i + 1) % cores.length]);
  }
  for (const d of devices) {
    if (d.role === 'core') continue;
    const core = cores.find((c) => c.pop === d.pop) ?? cores[d.seq % cores.length];
    addLink(d, core);
  }

  // edges: peering and customer interfaces; public addresses from the carrier's block
  let custNet = 0;
  for (const d of devices) {
    if (d.role !== 'edge' && d.role !== 'aggregation') continue;
    const names = ifaceNames(d.platform);
    if (d.role === 'edge') {
      const pub = `198.51.100.${pubHost++}`;
      d.publicIp = pub;
      const as = rng.pick([174, 1299, 3356, 2914, 6453, 6939]);
      d.ifaces.push({ name: names.phys(1, 0), kind: 'peering', ip: pub, len: 31, desc: `peering: AS${as} transit`, ifIndex: 40, neighbor: `198.51.100.${pubHost++}`, neighborAs: as });
    }
    const ncust = rng.int(2, 4);
    for (let c = 0; c < ncust; c++) {
      const net = custNet++;
      d.ifaces.push({ name: names.phys(2, c), kind: 'customer', ip: `100.${64 + Math.floor(net / 64)}.${(net % 64) * 4}.1`, len: 30, desc: `cust: ${rng.pick(['ACME-CORP', 'NORTHWIND', 'GLOBEX', 'INITECH', 'UMBRELLA', 'HOOLI', 'STARK-IND', 'WAYNE-ENT', 'TYRELL', 'CYBERDYNE'])} ckt ${rng.int(100000, 999999)}`, ifIndex: 60 + c });
    }
  }

  // realistic imperfections: most devices are clean, some carry one or two gaps
  const imperfectionPool: Imperfection[] = ['long_exec_timeout', 'no_login_block', 'snmp_v2c_ro', 'type7_local_password', 'no_sequence_numbers', 'ntp_unauthenticated', 'vty_transport_output', 'single_log_host'];
  for (const d of devices) {
    const k = rng.weighted([[0, 5], [1, 4], [2, 2]] as const);
    d.imperfections = rng.sample(imperfectionPool, k);
  }
  // one internet-facing IOS XE edge keeps its web UI on (the CVE-2023-20198 precondition)
  const webEdge = devices.find((d) => d.role === 'edge' && d.platform === 'iosxe');
  if (webEdge) webEdge.imperfections.push('web_ui_enabled');

  // people
  const nEng = Math.max(4, Math.min(12, Math.round(n / 3) + 3));
  const engineers: Person[] = rng.sample(FIRST, nEng).map((f, i) => {
    const start = rng.pick([13, 13, 14, 14, 15, 16]);
    return {
      user: `${f}.${LAST[(i * 7 + FIRST.indexOf(f)) % LAST.length]}`.slice(0, 14),
      name: f,
      workstation: `10.70.${rng.int(1, 9)}.${rng.int(10, 250)}`,
      hours: [start, start + 9] as [number, number],
      oncall: i < 2,
    };
  });

  const nOps = Math.max(5, Math.min(LI_NAMES.length, Math.round(n / 3) + 4));
  const opNames = rng.sample(LI_NAMES, nOps);
  const roleOf = (i: number): LiOperator['role'] => (i === 0 || i === 1 ? 'li-admin' : i % 3 === 0 ? 'cdr-analyst' : i % 3 === 1 ? 'li-analyst' : 'compliance');
  const operators: LiOperator[] = opNames.map((name, i) => ({
    name, role: roleOf(i), status: i === nOps - 1 ? 'disabled' : 'active',
    workstation: `10.61.${rng.int(1, 4)}.${rng.int(20, 200)}`,
    hours: [rng.pick([12, 13, 14]), rng.pick([21, 22, 23])] as [number, number],
    rate: roleOf(i) === 'li-admin' ? 2 : rng.int(3, 9),
  }));

  const start = DRILL_START;
  const end = start + days * 86400_000;
  const subscribers: string[] = [];
  for (let i = 0; i < 400; i++) subscribers.push(`+1${rng.pick(['212', '312', '214', '404', '213', '206', '303', '305'])}555${String(rng.int(0, 9999)).padStart(4, '0')}`);
  const uniq = [...new Set(subscribers)];
  const warrants: Warrant[] = [];
  const active = operators.filter((o) => o.status === 'active' && o.role !== 'compliance');
  for (let i = 0; i < Math.max(6, Math.round(nOps * 1.5)); i++) {
    const from = start - rng.int(5, 60) * 86400_000;
    const until = from + rng.int(60, 120) * 86400_000;
    warrants.push({
      case_ref: `LEA-2026-${String(1000 + i * 37 + rng.int(0, 30)).padStart(5, '0')}`,
      targets: rng.sample(uniq, rng.int(1, 3)),
      valid_from: new Date(from).toISOString(),
      valid_until: new Date(until).toISOString(),
      operators: rng.sample(active, Math.min(active.length, rng.int(2, 3))).map((o) => o.name),
    });
  }

  return {
    seed: opts.seed,
    name: 'Meridian Telecom',
    domain: 'meridian-telecom.net',
    asn: 64496,
    start, days, end,
    pops,
    devices,
    internalPrefixes: ['10.0.0.0/8', '100.64.0.0/10', '198.51.100.0/24'],
    publicPrefixes: ['198.51.100.0/24'],
    customerPrefixes: ['100.64.0.0/10'],
    jumpHosts: [{ name: 'noc-jump-01', ip: '10.40.0.10' }, { name: 'noc-jump-02', ip: '10.40.0.11' }],
    aaa: [{ name: 'tacacs-01', ip: '10.40.0.21' }, { name: 'tacacs-02', ip: '10.40.0.22' }],
    syslog: [{ name: 'syslog-01', ip: '10.40.0.31' }, { name: 'syslog-02', ip: '10.40.0.32' }],
    ntp: [{ name: 'ntp-01', ip: '10.40.0.41' }, { name: 'ntp-02', ip: '10.40.0.42' }],
    nms: [{ name: 'nms-01', ip: '10.40.0.51' }],
    backup: { name: 'oxidized-01', ip: '10.40.0.61' },
    collector: { name: 'flowcol-01', ip: '10.40.0.71' },
    tunnelPeers: ['203.0.113.2'],
    engineers,
    backupUser: 'svc-oxidized',
    breakglass: 'breakglass',
    li: {
      jumpHosts: [{ name: 'li-jump-01', ip: '10.60.0.10' }],
      systems: [{ name: 'li-admin', ip: '10.60.0.20' }, { name: 'li-mediation', ip: '10.60.0.21' }, { name: 'cdr-warehouse', ip: '10.60.0.30' }],
      operators,
      warrants,
      subscribers: uniq,
    },
  };
}

export function deviceByName(c: Carrier, name: string): Device | undefined {
  return c.devices.find((d) => d.name === name);
}

/** Every address that belongs to a device (loopback, management, interfaces). */
export function deviceAddresses(d: Device): string[] {
  return d.ifaces.filter((i) => i.ip).map((i) => i.ip as string);
}
