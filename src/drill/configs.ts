/**
 * Device configurations of the synthetic carrier, per platform, as the config-backup system stores them
 * (IOS XE / IOS XR / NX-OS / EOS `show running-config`, Junos `show configuration | display set`).
 * A config is a list of blocks (top-level stanzas) whose lines may carry a tag: the id of the planted
 * action that put them there, so the generator can name their line numbers in truth.jsonl.
 * Edits return the commands an operator types to make them, so syslog, TACACS+ accounting and the
 * config snapshots always agree.
 */
import type { Carrier, Device, Iface } from './carrier.js';
import type { Rng } from './rng.js';

export interface CfgLine {
  text: string;
  tag?: string;
}

export interface Block {
  key: string;
  lines: CfgLine[];
}

export class ConfigDoc {
  blocks: Block[] = [];

  clone(): ConfigDoc {
    const c = new ConfigDoc();
    c.blocks = this.blocks.map((b) => ({ key: b.key, lines: b.lines.map((l) => ({ ...l })) }));
    return c;
  }

  has(key: string): boolean {
    return this.blocks.some((b) => b.key === key);
  }

  get(key: string): Block | undefined {
    return this.blocks.find((b) => b.key === key);
  }

  /** Adds (or replaces) a block, after the block `after` (or before the final `end` block). */
  put(key: string, lines: (string | CfgLine)[], opts: { after?: string; tag?: string } = {}): void {
    const cl = lines.map((l) => (typeof l === 'string' ? { text: l, tag: opts.tag } : l));
    const existing = this.blocks.findIndex((b) => b.key === key);
    if (existing >= 0) {
      this.blocks[existing].lines = cl;
      return;
    }
    let at = this.blocks.length;
    if (opts.after) {
      let i = -1;
      this.blocks.forEach((b, j) => { if (b.key === opts.after || b.key.startsWith(opts.after + ':')) i = j; });
      if (i >= 0) at = i + 1;
    } else {
      const endIdx = this.blocks.findIndex((b) => b.key === 'end');
      if (endIdx >= 0) at = endIdx;
    }
    this.blocks.splice(at, 0, { key, lines: cl });
  }

  /** Inserts lines into a block, after the first line matching `after` (else at its end). */
  insert(key: string, lines: string[], opts: { after?: RegExp; before?: RegExp; tag?: string } = {}): void {
    const b = this.get(key);
    if (!b) {
      this.put(key, lines, { tag: opts.tag });
      return;
    }
    let at = b.lines.length;
    if (opts.after) {
      const i = b.lines.findIndex((l) => opts.after!.test(l.text));
      if (i >= 0) at = i + 1;
    } else if (opts.before) {
      const i = b.lines.findIndex((l) => opts.before!.test(l.text));
      if (i >= 0) at = i;
    }
    b.lines.splice(at, 0, ...lines.map((text) => ({ text, tag: opts.tag })));
  }

  remove(key: string): void {
    this.blocks = this.blocks.filter((b) => b.key !== key);
  }

  removeLines(key: string, re: RegExp): void {
    const b = this.get(key);
    if (b) b.lines = b.lines.filter((l) => !re.test(l.text));
  }

  /** The config text, and for each tag the 1-based line numbers carrying it. */
  render(): { text: string; tags: Map<string, number[]> } {
    const out: string[] = [];
    const tags = new Map<string, number[]>();
    for (const b of this.blocks) {
      for (const l of b.lines) {
        out.push(l.text);
        if (l.tag) {
          const a = tags.get(l.tag) ?? [];
          a.push(out.length);
          tags.set(l.tag, a);
        }
      }
    }
    return { text: out.join('\n') + '\n', tags };
  }
}

function mask(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}

const B64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Fake but well-formed hashes and keys (never real secrets). */
export class Secrets {
  constructor(private readonly rng: Rng) {}
  chars(n: number, alphabet = B64): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rng.next() * alphabet.length)];
    return s;
  }
  type9(): string { return `$9$${this.chars(14)}$${this.chars(43)}`; }
  type8(): string { return `$8$${this.chars(14)}$${this.chars(43)}`; }
  type7(): string { return this.chars(22, '0123456789ABCDEF'); }
  type6(): string { return `${this.chars(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdef')}AAB`; }
  sha512(): string { return `$6$${this.chars(16)}$${this.chars(86)}`; }
  junos9(): string { return `$9$${this.chars(24, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-./')}`; }
}

const CUST_PREFIXES = ['203.0.113.0/24'];

/** The initial, mostly hardened, configuration of a device, with its imperfections. */
export function initialConfig(c: Carrier, d: Device, rng: Rng): ConfigDoc {
  const s = new Secrets(rng);
  switch (d.platform) {
    case 'iosxe': return iosxe(c, d, s);
    case 'iosxr': return iosxr(c, d, s);
    case 'nxos': return nxos(c, d, s);
    case 'junos': return junos(c, d, s);
    case 'eos': return eos(c, d, s);
  }
}

const imp = (d: Device, i: Device['imperfections'][number]) => d.imperfections.includes(i);

function iosxe(c: Carrier, d: Device, s: Secrets): ConfigDoc {
  const doc = new ConfigDoc();
  const mgmtIf = d.ifaces.find((i) => i.kind === 'mgmt') as Iface;
  const ver = d.version.split('.').slice(0, 2).join('.');
  doc.put('header', [
    'Building configuration...', '', `Current configuration : ${14000 + d.seq * 37} bytes`, '!',
    `! Last configuration change at 03:12:44 UTC Mon Oct 12 2026 by ${c.engineers[0].user}`, '!',
    `version ${ver}`,
    'service timestamps debug datetime msec',
    'service timestamps log datetime msec localtime show-timezone year',
    'service password-encryption',
    ...(imp(d, 'no_sequence_numbers') ? [] : ['service sequence-numbers']),
    'no service pad', 'no service tcp-small-servers', 'no service udp-small-servers', 'platform punt-keepalive disable-kernel-core', '!',
    `hostname ${d.name}`, '!',
    'boot-start-marker', 'boot system bootflash:packages.conf', 'boot-end-marker', '!',
    'vrf definition Mgmt-intf', ' !', ' address-family ipv4', ' exit-address-family', '!',
    'logging buffered 256000 informational', 'no logging console',
    `enable algorithm-type scrypt secret 9 ${s.type9()}`, '!',
  ]);
  doc.put('aaa', [
    'aaa new-model', '!', '!',
    'aaa group server tacacs+ TACACS-GROUP', ' server name tacacs-01', ' server name tacacs-02', ' ip vrf forwarding Mgmt-intf', ` ip tacacs source-interface ${mgmtIf.name}`, '!',
    'aaa authentication login default group TACACS-GROUP local',
    'aaa authorization exec default group TACACS-GROUP local',
    'aaa authorization commands 15 default group TACACS-GROUP local',
    'aaa accounting exec default start-stop group TACACS-GROUP',
    'aaa accounting commands 1 default start-stop group TACACS-GROUP',
    'aaa accounting commands 15 default start-stop group TACACS-GROUP',
    'aaa accounting connection default start-stop group TACACS-GROUP', '!', '!',
    'aaa session-id common', 'clock timezone UTC 0 0', '!',
  ]);
  doc.put('ip', [
    'no ip source-route', 'no ip bootp server', `ip domain name ${c.domain}`, '!',
    ...(imp(d, 'no_login_block') ? [] : ['login block-for 120 attempts 5 within 60']),
    'login on-failure log', 'login on-success log', '!',
    'password encryption aes', 'no vstack', '!',
  ]);
  doc.put('users', [
    `username ${c.breakglass} privilege 15 algorithm-type scrypt secret 9 ${s.type9()}`,
    ...(imp(d, 'type7_local_password') ? [`username netops privilege 15 password 7 ${s.type7()}`] : []),
    '!',
  ]);
  doc.put('archive', ['archive', ' log config', '  logging enable', '  notify syslog contenttype plaintext', '  hidekeys', ' path bootflash:archive', '!']);
  doc.put('ssh', [
    'ip ssh version 2', 'ip ssh dh min size 4096', `ip ssh source-interface ${mgmtIf.name}`,
    'ip ssh server algorithm encryption aes256-gcm aes256-ctr', 'ip ssh server algorithm mac hmac-sha2-512 hmac-sha2-256', '!',
  ]);
  for (const i of d.ifaces) doc.put(`iface:${i.name}`, iosIface(i, 'iosxe'));
  doc.put('routing', iosRouting(c, d));
  doc.put('http', imp(d, 'web_ui_enabled')
    ? ['no ip http server', 'ip http authentication local', 'ip http secure-server', 'ip http tls-version TLSv1.2', '!']
    : ['no ip http server', 'no ip http secure-server', '!']);
  doc.put('acl:vty', ['ip access-list standard 20', ' 10 permit 10.40.0.0 0.0.0.255', ' 20 deny   any log', '!']);
  doc.put('acl:snmp', ['ip access-list standard SNMP-ACCESS', ' 10 permit 10.40.0.51', ' 20 deny   any log', '!']);
  doc.put('logging', [
    `logging source-interface ${mgmtIf.name} vrf Mgmt-intf`, 'logging trap informational',
    'logging host 10.40.0.31 vrf Mgmt-intf',
    ...(imp(d, 'single_log_host') ? [] : ['logging host 10.40.0.32 vrf Mgmt-intf']),
    '!',
  ]);
  doc.put('snmp', [
    ...(imp(d, 'snmp_v2c_ro') ? [`snmp-server community ${s.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')} RO SNMP-ACCESS`] : []),
    'snmp-server group NMS v3 priv access SNMP-ACCESS', 'snmp-server trap-source ' + mgmtIf.name,
    'snmp-server host 10.40.0.51 vrf Mgmt-intf version 3 priv nmsuser', '!',
  ]);
  doc.put('tacacs', [
    'tacacs server tacacs-01', ' address ipv4 10.40.0.21', ` key 6 ${s.type6()}`,
    'tacacs server tacacs-02', ' address ipv4 10.40.0.22', ` key 6 ${s.type6()}`, '!',
  ]);
  if (d.exportsFlows) {
    doc.put('flow', [
      'flow record TW-RECORD', ' match ipv4 protocol', ' match ipv4 source address', ' match ipv4 destination address',
      ' match transport source-port', ' match transport destination-port', ' match interface input',
      ' collect interface output', ' collect counter bytes long', ' collect counter packets long', ' collect transport tcp flags',
      ' collect timestamp absolute first', ' collect timestamp absolute last', '!',
      'flow exporter FLOWCOL', ' destination 10.40.0.71 vrf Mgmt-intf', ` source ${mgmtIf.name}`, ' transport udp 2055', ' export-protocol netflow-v9', '!',
      'flow monitor TW-MONITOR', ' exporter FLOWCOL', ' cache timeout active 300', ' record TW-RECORD', '!',
    ]);
  }
  doc.put('cp', ['control-plane', ' service-policy input COPP-POLICY', '!']);
  doc.put('ntp', [
    ...(imp(d, 'ntp_unauthenticated') ? [] : [`ntp authentication-key 1 hmac-sha2-256 ${s.chars(32, '0123456789ABCDEF')} 7`, 'ntp authenticate', 'ntp trusted-key 1']),
    `ntp source ${mgmtIf.name}`,
    ...['10.40.0.41', '10.40.0.42'].map((ip) => `ntp server vrf Mgmt-intf ${ip}${imp(d, 'ntp_unauthenticated') ? '' : ' key 1'}`),
    '!',
  ]);
  const to = imp(d, 'long_exec_timeout') ? '60 0' : '10 0';
  const out = imp(d, 'vty_transport_output') ? ' transport output ssh' : ' transport output none';
  doc.put('lines', [
    'line con 0', ' exec-timeout 5 0', ' transport output none', ' stopbits 1',
    'line vty 0 4', ' access-class 20 in vrf-also', ` exec-timeout ${to}`, ' transport input ssh', out,
    'line vty 5 15', ' access-class 20 in vrf-also', ` exec-timeout ${to}`, ' transport input ssh', out, '!',
  ]);
  doc.put('end', ['end']);
  return doc;
}

function iosIface(i: Iface, platform: 'iosxe' | 'eos'): string[] {
  const lines = [`interface ${i.name}`];
  if (i.kind !== 'loopback') lines.push(` description ${i.desc}`);
  if (platform === 'eos' && i.kind !== 'loopback' && i.kind !== 'mgmt') lines.push(' no switchport');
  if (i.kind === 'mgmt' && platform === 'iosxe') lines.push(' vrf forwarding Mgmt-intf');
  if (i.kind === 'mgmt' && platform === 'eos') lines.push(' vrf MGMT');
  if (i.ip) {
    if (platform === 'eos') lines.push(` ip address ${i.ip}/${i.len}`);
    else lines.push(` ip address ${i.ip} ${mask(i.len ?? 32)}`);
  }
  if (i.kind === 'customer' || i.kind === 'peering') {
    if (platform === 'iosxe') lines.push(' no ip redirects', ' no ip unreachables', ' no ip proxy-arp', ' no cdp enable');
    if (i.kind === 'customer' && platform === 'iosxe') lines.push(' ip verify unicast source reachable-via rx');
    if (platform === 'iosxe') lines.push(' ip flow monitor TW-MONITOR input');
  }
  if (i.kind === 'core' && platform === 'iosxe') lines.push(' ip ospf network point-to-point', ' ip ospf authentication message-digest', ' mpls ip', ' ip flow monitor TW-MONITOR input');
  lines.push('!');
  return lines;
}

function iosRouting(c: Carrier, d: Device): string[] {
  const lines = ['router ospf 1', ` router-id ${d.loopback}`, ' passive-interface default'];
  for (const i of d.ifaces.filter((x) => x.kind === 'core')) lines.push(` no passive-interface ${i.name}`);
  lines.push(' network 10.0.0.0 0.0.255.255 area 0', ' network 10.1.0.0 0.0.255.255 area 0', '!');
  lines.push(`router bgp ${c.asn}`, ` bgp router-id ${d.loopback}`, ' bgp log-neighbor-changes');
  const rrs = c.devices.filter((x) => x.role === 'core').slice(0, 2);
  for (const rr of rrs) if (rr.name !== d.name) lines.push(` neighbor ${rr.loopback} remote-as ${c.asn}`, ` neighbor ${rr.loopback} update-source Loopback0`, ` neighbor ${rr.loopback} password 7 0822455D0A16`);
  for (const i of d.ifaces.filter((x) => x.kind === 'peering')) {
    lines.push(` neighbor ${i.neighbor} remote-as ${i.neighborAs}`, ` neighbor ${i.neighbor} description transit AS${i.neighborAs}`, ` neighbor ${i.neighbor} password 7 1511021F0725`);
  }
  lines.push('!', 'ip route vrf Mgmt-intf 0.0.0.0 0.0.0.0 ' + d.mgmt.replace(/\.\d+$/, '.1'), '!');
  lines.push(...CUST_PREFIXES.map(() => 'ip prefix-list CUSTOMER-IN seq 5 permit 100.64.0.0/10 le 30'), '!');
  return lines;
}

function iosxr(c: Carrier, d: Device, s: Secrets): ConfigDoc {
  const doc = new ConfigDoc();
  const mgmtIf = d.ifaces.find((i) => i.kind === 'mgmt') as Iface;
  doc.put('header', [
    `!! IOS XR Configuration ${d.version}`, `!! Last configuration change at Mon Oct 12 03:12:44 2026 by ${c.engineers[0].user}`, '!',
    `hostname ${d.name}`, 'clock timezone UTC UTC',
    'logging trap informational', 'logging console disable', 'logging buffered 2097152',
    'logging 10.40.0.31 vrf MGMT severity info port default',
    ...(imp(d, 'single_log_host') ? [] : ['logging 10.40.0.32 vrf MGMT severity info port default']),
    `logging source-interface ${mgmtIf.name} vrf MGMT`, 'service timestamp log datetime msec show-timezone year', '!',
    `domain name ${c.domain}`, '!',
  ]);
  doc.put('tacacs', [
    'tacacs-server host 10.40.0.21 port 49', ` key 7 ${s.type7()}`, '!',
    'tacacs-server host 10.40.0.22 port 49', ` key 7 ${s.type7()}`, '!',
    'tacacs source-interface ' + mgmtIf.name + ' vrf MGMT', '!',
  ]);
  doc.put('users', [
    `username ${c.breakglass}`, ' group root-lr', ' group cisco-support', ` secret 10 ${s.sha512()}`, '!',
    ...(imp(d, 'type7_local_password') ? ['username netops', ' group netadmin', ` password 7 ${s.type7()}`, '!'] : []),
  ]);
  doc.put('aaa', [
    'aaa accounting exec default start-stop group tacacs+',
    'aaa accounting commands default start-stop group tacacs+',
    'aaa authorization exec default group tacacs+ local',
    'aaa authorization commands default group tacacs+ none',
    'aaa authentication login default group tacacs+ local', '!',
  ]);
  doc.put('vrf', ['vrf MGMT', ' address-family ipv4 unicast', ' !', '!']);
  doc.put('acl:vty', [
    'ipv4 access-list VTY-ACCESS', ' 10 permit ipv4 10.40.0.0 0.0.0.255 any', ' 20 deny ipv4 any any log', '!',
  ]);
  doc.put('lines', [
    'line default', ' access-class ingress VTY-ACCESS', ` exec-timeout ${imp(d, 'long_exec_timeout') ? '60 0' : '10 0'}`,
    ' transport input ssh', imp(d, 'vty_transport_output') ? ' transport output ssh' : ' transport output none', '!',
    'vty-pool default 0 9 line-template default', '!',
  ]);
  doc.put('snmp', [
    ...(imp(d, 'snmp_v2c_ro') ? [`snmp-server community ${s.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')} RO`] : []),
    'snmp-server vrf MGMT', ' host 10.40.0.51 traps version 3 priv nmsuser', '!',
    'snmp-server group NMS v3 priv', '!',
  ]);
  doc.put('ntp', imp(d, 'ntp_unauthenticated')
    ? ['ntp', ' server vrf MGMT 10.40.0.41', ' server vrf MGMT 10.40.0.42', ` source vrf MGMT ${mgmtIf.name}`, '!']
    : ['ntp', ` authentication-key 1 md5 encrypted ${s.type7()}`, ' authenticate', ' trusted-key 1', ' server vrf MGMT 10.40.0.41 key 1', ' server vrf MGMT 10.40.0.42 key 1', ` source vrf MGMT ${mgmtIf.name}`, '!']);
  doc.put('ssh', ['ssh server v2', 'ssh server vrf MGMT', 'ssh server rate-limit 30', 'ssh timeout 60', '!']);
  if (d.exportsFlows) {
    doc.put('flow', [
      'flow exporter-map FLOWCOL', ' version v9', '  options interface-table timeout 300', ' !', ' transport udp 2055',
      ` source ${mgmtIf.name}`, ' destination 10.40.0.71 vrf MGMT', '!',
      'flow monitor-map TW-MONITOR', ' record ipv4', ' exporter FLOWCOL', ' cache timeout active 300', '!',
    ]);
  }
  for (const i of d.ifaces) {
    const lines = [`interface ${i.name}`];
    if (i.kind !== 'loopback') lines.push(` description ${i.desc}`);
    if (i.kind === 'mgmt') lines.push(' vrf MGMT');
    if (i.ip) lines.push(` ipv4 address ${i.ip} ${mask(i.len ?? 32)}`);
    if ((i.kind === 'core' || i.kind === 'peering' || i.kind === 'customer') && d.exportsFlows) lines.push(' flow ipv4 monitor TW-MONITOR ingress');
    lines.push('!');
    doc.put(`iface:${i.name}`, lines);
  }
  const rrs = c.devices.filter((x) => x.role === 'core').slice(0, 2);
  doc.put('routing', [
    'router static', ' vrf MGMT', '  address-family ipv4 unicast', `   0.0.0.0/0 ${d.mgmt.replace(/\.\d+$/, '.1')}`, '!',
    'router ospf CORE', ` router-id ${d.loopback}`, ' area 0',
    ...d.ifaces.filter((i) => i.kind === 'core' || i.kind === 'loopback').flatMap((i) => [`  interface ${i.name}`, i.kind === 'loopback' ? '   passive enable' : '   network point-to-point']),
    '!',
    `router bgp ${c.asn}`, ` bgp router-id ${d.loopback}`, ' address-family ipv4 unicast', ' !',
    ...rrs.filter((rr) => rr.name !== d.name).flatMap((rr) => [` neighbor ${rr.loopback}`, `  remote-as ${c.asn}`, '  update-source Loopback0', `  password encrypted ${s.type7()}`, '  address-family ipv4 unicast', '  !', ' !']),
    ...d.ifaces.filter((i) => i.kind === 'peering').flatMap((i) => [` neighbor ${i.neighbor}`, `  remote-as ${i.neighborAs}`, `  description transit AS${i.neighborAs}`, `  password encrypted ${s.type7()}`, '  address-family ipv4 unicast', '   route-policy TRANSIT-IN in', '   route-policy TRANSIT-OUT out', '  !', ' !']),
    '!',
  ]);
  doc.put('cp', ['control-plane', ' management-plane', '  out-of-band', '   vrf MGMT', '   interface ' + mgmtIf.name, '    allow SSH peer', '     address ipv4 10.40.0.0/24', '    allow SNMP peer', '     address ipv4 10.40.0.51', '!']);
  doc.put('end', ['end']);
  return doc;
}

function nxos(c: Carrier, d: Device, s: Secrets): ConfigDoc {
  const doc = new ConfigDoc();
  doc.put('header', [
    '!Command: show running-config', `!Running configuration last done at: Mon Oct 12 03:12:44 2026`, '!Time: Mon Oct 19 00:00:01 2026', '',
    `version ${d.version} Bios:version 05.47`, `hostname ${d.name}`,
    'feature tacacs+', 'feature bgp', 'feature ospf', 'feature bfd', 'feature lacp', 'feature lldp',
    ...(d.exportsFlows ? ['feature netflow'] : []), '', 'no feature telnet', '',
  ]);
  doc.put('users', [
    `username admin password 5 ${s.sha512()}  role network-admin`,
    `username ${c.breakglass} password 5 ${s.sha512()}  role network-admin`,
    ...(imp(d, 'type7_local_password') ? [`username netops password 7 ${s.type7()}  role network-operator`] : []),
    'no password strength-check', 'ip domain-lookup', '',
  ]);
  doc.put('tacacs', [
    `tacacs-server key 7 "${s.type7()}"`,
    'tacacs-server host 10.40.0.21', 'tacacs-server host 10.40.0.22',
    'aaa group server tacacs+ TACACS-GROUP', '    server 10.40.0.21', '    server 10.40.0.22', '    use-vrf management', '    source-interface mgmt0', '',
  ]);
  doc.put('aaa', [
    'aaa authentication login default group TACACS-GROUP',
    'aaa authentication login console local',
    'aaa authorization commands default group TACACS-GROUP local',
    'aaa authorization config-commands default group TACACS-GROUP local',
    'aaa accounting default group TACACS-GROUP',
    'aaa authentication login error-enable', '',
  ]);
  doc.put('snmp', [
    'snmp-server user nmsuser network-operator auth sha ' + `0x${s.chars(32, '0123456789abcdef')}` + ' priv aes-128 ' + `0x${s.chars(32, '0123456789abcdef')}` + ' localizedkey',
    ...(imp(d, 'snmp_v2c_ro') ? [`snmp-server community ${s.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')} group network-operator`] : []),
    'snmp-server host 10.40.0.51 traps version 3 priv nmsuser', 'snmp-server host 10.40.0.51 use-vrf management', '',
  ]);
  doc.put('ntp', [
    ...(imp(d, 'ntp_unauthenticated') ? [] : [`ntp authentication-key 1 md5 ${s.chars(12)} 7`, 'ntp trusted-key 1', 'ntp authenticate']),
    `ntp server 10.40.0.41 use-vrf management${imp(d, 'ntp_unauthenticated') ? '' : ' key 1'}`,
    `ntp server 10.40.0.42 use-vrf management${imp(d, 'ntp_unauthenticated') ? '' : ' key 1'}`, 'ntp source-interface mgmt0', '',
  ]);
  doc.put('acl:vty', ['ip access-list VTY-ACCESS', '  10 permit ip 10.40.0.0/24 any', '  20 deny ip any any log', '']);
  doc.put('ssh', ['ssh key rsa 4096', 'ssh ciphers aes256-gcm', '']);
  doc.put('vrf', ['vrf context management', `  ip route 0.0.0.0/0 ${d.mgmt.replace(/\.\d+$/, '.1')}`, '']);
  for (const i of d.ifaces) {
    const lines = [`interface ${i.name}`];
    if (i.kind !== 'loopback') lines.push(`  description ${i.desc}`);
    if (i.kind === 'mgmt') lines.push('  vrf member management');
    else if (i.kind !== 'loopback') lines.push('  no switchport', '  mtu 9216');
    if (i.ip) lines.push(`  ip address ${i.ip}/${i.len}`);
    if (i.kind === 'core') lines.push('  ip ospf network point-to-point', '  ip router ospf 1 area 0.0.0.0');
    if (i.kind !== 'mgmt' && i.kind !== 'loopback') lines.push('  no shutdown');
    lines.push('');
    doc.put(`iface:${i.name}`, lines);
  }
  doc.put('lines', [
    'line console', '  exec-timeout 5',
    'line vty', `  exec-timeout ${imp(d, 'long_exec_timeout') ? 60 : 10}`, '  access-class VTY-ACCESS in', '  session-limit 8', '',
  ]);
  doc.put('routing', ['router ospf 1', `  router-id ${d.loopback}`, '  passive-interface default', '']);
  doc.put('logging', [
    'logging server 10.40.0.31 6 use-vrf management',
    ...(imp(d, 'single_log_host') ? [] : ['logging server 10.40.0.32 6 use-vrf management']),
    'logging source-interface mgmt0', 'logging timestamp milliseconds', 'no logging console', '',
  ]);
  if (d.exportsFlows) {
    doc.put('flow', [
      'flow exporter FLOWCOL', '  destination 10.40.0.71 use-vrf management', '  transport udp 2055', '  source mgmt0', '  version 9', '',
      'flow record TW-RECORD', '  match ipv4 source address', '  match ipv4 destination address', '  match ip protocol', '  match transport source-port', '  match transport destination-port',
      '  collect counter bytes long', '  collect counter packets long', '  collect timestamp sys-uptime first', '  collect timestamp sys-uptime last', '',
      'flow monitor TW-MONITOR', '  record TW-RECORD', '  exporter FLOWCOL', '',
    ]);
  }
  doc.put('end', []);
  return doc;
}

function eos(c: Carrier, d: Device, s: Secrets): ConfigDoc {
  const doc = new ConfigDoc();
  doc.put('header', [
    `! Command: show running-config`, `! device: ${d.name} (${d.model}, EOS-${d.version})`, '!', '! boot system flash:/EOS.swi', '!',
    'service routing protocols model multi-agent', '!',
    `hostname ${d.name}`, `ip domain-name ${c.domain}`, '!',
    'vrf instance MGMT', '!',
  ]);
  doc.put('aaa', [
    `tacacs-server key 7 ${s.type7()}`,
    'tacacs-server host 10.40.0.21 vrf MGMT', 'tacacs-server host 10.40.0.22 vrf MGMT', '!',
    'aaa group server tacacs+ TACACS-GROUP', '   server 10.40.0.21 vrf MGMT', '   server 10.40.0.22 vrf MGMT', '!',
    'aaa authentication login default group TACACS-GROUP local',
    'aaa authorization exec default group TACACS-GROUP local',
    'aaa authorization commands all default group TACACS-GROUP local',
    'aaa accounting exec default start-stop group TACACS-GROUP',
    'aaa accounting commands all default start-stop group TACACS-GROUP logging', '!',
    'no aaa root', '!',
  ]);
  doc.put('users', [
    `username ${c.breakglass} privilege 15 role network-admin secret sha512 ${s.sha512()}`,
    ...(imp(d, 'type7_local_password') ? [`username netops privilege 15 role network-admin secret 7 ${s.type7()}`] : []),
    '!',
  ]);
  doc.put('logging', [
    'logging buffered 100000 informational', 'logging trap informational',
    'logging vrf MGMT host 10.40.0.31',
    ...(imp(d, 'single_log_host') ? [] : ['logging vrf MGMT host 10.40.0.32']),
    'logging vrf MGMT source-interface Management1', 'logging format timestamp high-resolution', '!',
  ]);
  doc.put('ntp', [
    ...(imp(d, 'ntp_unauthenticated') ? [] : [`ntp authentication-key 1 sha1 7 ${s.type7()}`, 'ntp trusted-key 1', 'ntp authenticate']),
    `ntp server vrf MGMT 10.40.0.41${imp(d, 'ntp_unauthenticated') ? '' : ' key 1'}`,
    `ntp server vrf MGMT 10.40.0.42${imp(d, 'ntp_unauthenticated') ? '' : ' key 1'}`, '!',
  ]);
  doc.put('snmp', [
    ...(imp(d, 'snmp_v2c_ro') ? [`snmp-server community ${s.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')} ro SNMP-ACCESS`] : []),
    'snmp-server group NMS v3 priv', 'snmp-server vrf MGMT', 'snmp-server host 10.40.0.51 vrf MGMT version 3 priv nmsuser', '!',
  ]);
  doc.put('acl:vty', ['ip access-list VTY-ACCESS', '   10 permit ip 10.40.0.0/24 any', '   20 deny ip any any log', '!']);
  doc.put('mgmt', [
    'management ssh', '   ip access-group VTY-ACCESS vrf MGMT in', `   idle-timeout ${imp(d, 'long_exec_timeout') ? 60 : 10}`, '   vrf MGMT', '      no shutdown', '!',
    'management api http-commands', '   shutdown', '!',
    'management telnet', '   shutdown', '!',
  ]);
  for (const i of d.ifaces) doc.put(`iface:${i.name}`, iosIface(i, 'eos'));
  if (d.exportsFlows) {
    doc.put('flow', [
      'sflow run', '!',
      'flow tracking hardware', '   tracker TW', '      exporter FLOWCOL', '         collector 10.40.0.71 port 2055', '         format ipfix version 10', '         local interface Management1', '   no shutdown', '!',
    ]);
  }
  doc.put('routing', [
    'ip routing', 'no ip routing vrf MGMT', '!', `ip route vrf MGMT 0.0.0.0/0 ${d.mgmt.replace(/\.\d+$/, '.1')}`, '!',
    'router ospf 1', `   router-id ${d.loopback}`, '   passive-interface default', ...d.ifaces.filter((i) => i.kind === 'core').map((i) => `   no passive-interface ${i.name}`), '   network 10.0.0.0/16 area 0.0.0.0', '   network 10.1.0.0/16 area 0.0.0.0', '!',
  ]);
  doc.put('cp', ['control-plane', '   ip access-group CP-ACL in', '!']);
  doc.put('end', ['end']);
  return doc;
}

function junos(c: Carrier, d: Device, s: Secrets): ConfigDoc {
  const doc = new ConfigDoc();
  const rrs = c.devices.filter((x) => x.role === 'core').slice(0, 2);
  doc.put('header', [`set version ${d.version}`]);
  doc.put('system', [
    `set system host-name ${d.name}`,
    `set system domain-name ${c.domain}`,
    'set system time-zone UTC',
    `set system root-authentication encrypted-password "${s.sha512()}"`,
    'set system authentication-order tacplus',
    'set system authentication-order password',
    `set system tacplus-server 10.40.0.21 secret "${s.junos9()}"`,
    'set system tacplus-server 10.40.0.21 source-address ' + d.mgmt,
    `set system tacplus-server 10.40.0.22 secret "${s.junos9()}"`,
    'set system tacplus-server 10.40.0.22 source-address ' + d.mgmt,
    'set system accounting events login',
    'set system accounting events change-log',
    'set system accounting events interactive-commands',
    'set system accounting destination tacplus',
  ]);
  doc.put('users', [
    `set system login class noc-admin permissions all`,
    `set system login user remote class noc-admin`,
    `set system login user ${c.breakglass} uid 2001`,
    `set system login user ${c.breakglass} class super-user`,
    `set system login user ${c.breakglass} authentication encrypted-password "${s.sha512()}"`,
    ...(imp(d, 'type7_local_password') ? ['set system login user netops uid 2002', 'set system login user netops class super-user', `set system login user netops authentication encrypted-password "$1$${s.chars(8)}$${s.chars(22)}"`] : []),
    ...(imp(d, 'no_login_block') ? [] : ['set system login retry-options tries-before-disconnect 3', 'set system login retry-options lockout-period 5']),
    `set system login idle-timeout ${imp(d, 'long_exec_timeout') ? 60 : 10}`,
  ]);
  doc.put('services', [
    'set system services ssh root-login deny',
    'set system services ssh protocol-version v2',
    'set system services ssh ciphers aes256-gcm@openssh.com',
    'set system services ssh connection-limit 10',
    'set system services netconf ssh',
  ]);
  doc.put('syslog', [
    'set system syslog host 10.40.0.31 any notice',
    'set system syslog host 10.40.0.31 interactive-commands any',
    'set system syslog host 10.40.0.31 structured-data',
    ...(imp(d, 'single_log_host') ? [] : ['set system syslog host 10.40.0.32 any notice', 'set system syslog host 10.40.0.32 interactive-commands any', 'set system syslog host 10.40.0.32 structured-data']),
    'set system syslog file messages any notice',
    'set system syslog file interactive-commands interactive-commands any',
    'set system syslog time-format year millisecond',
    `set system syslog source-address ${d.mgmt}`,
  ]);
  doc.put('ntp', imp(d, 'ntp_unauthenticated')
    ? ['set system ntp server 10.40.0.41', 'set system ntp server 10.40.0.42']
    : [`set system ntp authentication-key 1 type sha256 value "${s.junos9()}"`, 'set system ntp trusted-key 1', 'set system ntp server 10.40.0.41 key 1', 'set system ntp server 10.40.0.42 key 1']);
  doc.put('snmp', [
    ...(imp(d, 'snmp_v2c_ro') ? [`set snmp community ${s.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')} authorization read-only`, 'set snmp community ' + 'nms-ro clients 10.40.0.51/32'] : []),
    'set snmp v3 usm local-engine user nmsuser authentication-sha256 authentication-key "' + s.junos9() + '"',
    'set snmp v3 usm local-engine user nmsuser privacy-aes128 privacy-key "' + s.junos9() + '"',
    'set snmp v3 target-address NMS address 10.40.0.51',
  ]);
  const ifl: string[] = [];
  for (const i of d.ifaces) {
    if (i.kind === 'loopback') { ifl.push(`set interfaces lo0 unit 0 family inet address ${i.ip}/32`, 'set interfaces lo0 unit 0 family inet filter input PROTECT-RE'); continue; }
    ifl.push(`set interfaces ${i.name} description "${i.desc}"`);
    if (i.ip) ifl.push(`set interfaces ${i.name} unit 0 family inet address ${i.ip}/${i.len}`);
    if (i.kind === 'core') ifl.push(`set interfaces ${i.name} unit 0 family mpls`);
    if (d.exportsFlows && i.kind !== 'mgmt') ifl.push(`set interfaces ${i.name} unit 0 family inet sampling input`);
  }
  doc.put('interfaces', ifl);
  doc.put('firewall', [
    'set policy-options prefix-list MGMT-HOSTS 10.40.0.0/24',
    'set policy-options prefix-list NMS 10.40.0.51/32',
    'set firewall family inet filter PROTECT-RE term SSH from source-prefix-list MGMT-HOSTS',
    'set firewall family inet filter PROTECT-RE term SSH from protocol tcp',
    'set firewall family inet filter PROTECT-RE term SSH from destination-port ssh',
    'set firewall family inet filter PROTECT-RE term SSH then accept',
    'set firewall family inet filter PROTECT-RE term SNMP from source-prefix-list NMS',
    'set firewall family inet filter PROTECT-RE term SNMP from protocol udp',
    'set firewall family inet filter PROTECT-RE term SNMP from destination-port snmp',
    'set firewall family inet filter PROTECT-RE term SNMP then accept',
    'set firewall family inet filter PROTECT-RE term ROUTING from protocol [ ospf tcp ]',
    'set firewall family inet filter PROTECT-RE term ROUTING then accept',
    'set firewall family inet filter PROTECT-RE term DEFAULT then syslog',
    'set firewall family inet filter PROTECT-RE term DEFAULT then discard',
  ]);
  if (d.exportsFlows) {
    doc.put('flow', [
      'set services flow-monitoring version-ipfix template IPV4 ipv4-template',
      'set forwarding-options sampling instance TW input rate 1',
      'set forwarding-options sampling instance TW family inet output flow-server 10.40.0.71 port 2055',
      'set forwarding-options sampling instance TW family inet output flow-server 10.40.0.71 version-ipfix template IPV4',
      `set forwarding-options sampling instance TW family inet output inline-jflow source-address ${d.mgmt}`,
    ]);
  }
  doc.put('routing', [
    `set routing-options router-id ${d.loopback}`,
    `set routing-options autonomous-system ${c.asn}`,
    `set routing-options static route 0.0.0.0/0 next-hop ${d.mgmt.replace(/\.\d+$/, '.1')}`,
    ...d.ifaces.filter((i) => i.kind === 'core').map((i) => `set protocols ospf area 0.0.0.0 interface ${i.name}.0 interface-type p2p`),
    'set protocols ospf area 0.0.0.0 interface lo0.0 passive',
    ...rrs.filter((rr) => rr.name !== d.name).flatMap((rr) => [`set protocols bgp group IBGP type internal`, `set protocols bgp group IBGP local-address ${d.loopback}`, `set protocols bgp group IBGP neighbor ${rr.loopback}`, `set protocols bgp group IBGP authentication-key "${s.junos9()}"`]),
    ...d.ifaces.filter((i) => i.kind === 'peering').flatMap((i) => [`set protocols bgp group TRANSIT type external`, `set protocols bgp group TRANSIT neighbor ${i.neighbor} peer-as ${i.neighborAs}`, `set protocols bgp group TRANSIT authentication-key "${s.junos9()}"`]),
  ]);
  return doc;
}
