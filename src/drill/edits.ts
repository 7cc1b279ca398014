/**
 * Configuration edits, per platform: what the operator (or intruder) types, and what it does to the
 * stored running configuration. Routine change-window edits and the intruder's edits use the same shape,
 * so logs, accounting and snapshots agree line for line.
 */
import type { Device, Platform } from './carrier.js';
import { ConfigDoc, Secrets } from './configs.js';

export interface Edit {
  commands: string[];
  apply: (doc: ConfigDoc, tag?: string) => void;
}

function pubIface(d: Device): string {
  return (d.ifaces.find((i) => i.kind === 'peering') ?? d.ifaces.find((i) => i.kind === 'mgmt'))!.name;
}

export function supports(action: string, p: Platform): boolean {
  const table: Record<string, Platform[]> = {
    local_account: ['iosxe', 'iosxr', 'nxos', 'junos', 'eos'],
    acl_permit: ['iosxe', 'iosxr', 'nxos', 'junos', 'eos'],
    ssh_odd_port: ['iosxe', 'iosxr'],
    gre_tunnel: ['iosxe', 'iosxr', 'junos', 'eos', 'nxos'],
    guestshell: ['iosxe', 'nxos'],
    aaa_server: ['iosxe', 'iosxr', 'nxos', 'junos', 'eos'],
    logging_host_removed: ['iosxe', 'iosxr', 'nxos', 'junos', 'eos'],
    traffic_mirror: ['iosxe', 'nxos', 'eos'],
    history_off: ['iosxe'],
  };
  return (table[action] ?? []).includes(p);
}

export function localAccount(d: Device, user: string, s: Secrets): Edit {
  switch (d.platform) {
    case 'iosxe': {
      const hash = s.type9();
      return {
        commands: [`username ${user} privilege 15 secret 0 ${s.chars(12)}`],
        apply: (doc, tag) => doc.insert('users', [`username ${user} privilege 15 secret 9 ${hash}`], { before: /^!$/, tag }),
      };
    }
    case 'iosxr': {
      const hash = s.sha512();
      return {
        commands: [`username ${user}`, 'group root-lr', 'group cisco-support', `secret 0 ${s.chars(12)}`],
        apply: (doc, tag) => doc.insert('users', [`username ${user}`, ' group root-lr', ' group cisco-support', ` secret 10 ${hash}`, '!'], { tag }),
      };
    }
    case 'nxos': {
      const hash = s.sha512();
      return {
        commands: [`username ${user} password 0 ${s.chars(12)} role network-admin`],
        apply: (doc, tag) => doc.insert('users', [`username ${user} password 5 ${hash}  role network-admin`], { before: /^no password/, tag }),
      };
    }
    case 'junos': {
      const hash = s.sha512();
      const uid = 2100 + (user.length * 13) % 50;
      const lines = [`set system login user ${user} uid ${uid}`, `set system login user ${user} class super-user`, `set system login user ${user} authentication encrypted-password "${hash}"`];
      return { commands: lines, apply: (doc, tag) => doc.insert('users', lines, { before: /retry-options|idle-timeout/, tag }) };
    }
    case 'eos': {
      const hash = s.sha512();
      return {
        commands: [`username ${user} privilege 15 role network-admin secret 0 ${s.chars(12)}`],
        apply: (doc, tag) => doc.insert('users', [`username ${user} privilege 15 role network-admin secret sha512 ${hash}`], { before: /^!$/, tag }),
      };
    }
  }
}

/** A permit for an outside address in the ACL that guards the management plane. */
export function aclPermit(d: Device, ip: string): Edit {
  switch (d.platform) {
    case 'iosxe':
      return {
        commands: ['ip access-list standard 20', `5 permit host ${ip}`],
        apply: (doc, tag) => doc.insert('acl:vty', [` 5 permit ${ip}`], { after: /^ip access-list standard 20/, tag }),
      };
    case 'iosxr':
      return {
        commands: ['ipv4 access-list VTY-ACCESS', `5 permit ipv4 host ${ip} any`],
        apply: (doc, tag) => doc.insert('acl:vty', [` 5 permit ipv4 host ${ip} any`], { after: /^ipv4 access-list/, tag }),
      };
    case 'nxos':
      return {
        commands: ['ip access-list VTY-ACCESS', `5 permit ip ${ip}/32 any`],
        apply: (doc, tag) => doc.insert('acl:vty', [`  5 permit ip ${ip}/32 any`], { after: /^ip access-list/, tag }),
      };
    case 'eos':
      return {
        commands: ['ip access-list VTY-ACCESS', `5 permit ip host ${ip} any`],
        apply: (doc, tag) => doc.insert('acl:vty', [`   5 permit ip host ${ip} any`], { after: /^ip access-list/, tag }),
      };
    case 'junos': {
      const line = `set policy-options prefix-list MGMT-HOSTS ${ip}/32`;
      return { commands: [line], apply: (doc, tag) => doc.insert('firewall', [line], { after: /prefix-list MGMT-HOSTS/, tag }) };
    }
  }
}

/** An SSH listener on a non-standard port (IOS XE rotary; IOS XR is done from the Linux shell, not config). */
export function sshOddPort(d: Device, port: number): Edit {
  if (d.platform === 'iosxe') {
    return {
      commands: [`ip ssh port ${port} rotary 9`, 'line vty 0 4', 'rotary 9'],
      apply: (doc, tag) => {
        doc.insert('ssh', [`ip ssh port ${port} rotary 9`], { before: /^!$/, tag });
        doc.insert('lines', [' rotary 9'], { after: /^line vty 0 4/, tag });
      },
    };
  }
  return { commands: [], apply: () => undefined };
}

export function greTunnel(d: Device, dest: string, n: number, inner: string): Edit {
  const src = pubIface(d);
  const srcIp = d.publicIp ?? d.mgmt;
  switch (d.platform) {
    case 'iosxe': {
      const lines = [`interface Tunnel${n}`, ` ip address ${inner} 255.255.255.252`, ` tunnel source ${src}`, ` tunnel destination ${dest}`];
      return { commands: lines.map((l) => l.trim()), apply: (doc, tag) => doc.put(`iface:Tunnel${n}`, [...lines, '!'], { after: 'iface', tag }) };
    }
    case 'iosxr': {
      const lines = [`interface tunnel-ip${n}`, ` ipv4 address ${inner} 255.255.255.252`, ' tunnel mode gre ipv4', ` tunnel source ${src}`, ` tunnel destination ${dest}`];
      return { commands: lines.map((l) => l.trim()), apply: (doc, tag) => doc.put(`iface:tunnel-ip${n}`, [...lines, '!'], { after: 'iface', tag }) };
    }
    case 'nxos': {
      const lines = [`interface tunnel${n}`, `  ip address ${inner}/30`, `  tunnel source ${srcIp}`, `  tunnel destination ${dest}`, '  no shutdown'];
      return {
        commands: ['feature tunnel', ...lines.map((l) => l.trim())],
        apply: (doc, tag) => {
          doc.insert('header', ['feature tunnel'], { after: /^feature bfd/, tag });
          doc.put(`iface:tunnel${n}`, [...lines, ''], { after: 'iface', tag });
        },
      };
    }
    case 'eos': {
      const lines = [`interface Tunnel${n}`, ' tunnel mode gre', ` ip address ${inner}/30`, ` tunnel source ${srcIp}`, ` tunnel destination ${dest}`];
      return { commands: lines.map((l) => l.trim()), apply: (doc, tag) => doc.put(`iface:Tunnel${n}`, [...lines, '!'], { after: 'iface', tag }) };
    }
    case 'junos': {
      const lines = [`set interfaces gr-0/0/0 unit ${n} tunnel source ${srcIp}`, `set interfaces gr-0/0/0 unit ${n} tunnel destination ${dest}`, `set interfaces gr-0/0/0 unit ${n} family inet address ${inner}/30`];
      return { commands: lines, apply: (doc, tag) => doc.insert('interfaces', lines, { tag }) };
    }
  }
}

/** Guest Shell / IOx: IOS XE needs config (iox, app-hosting); NX-OS enables it from exec mode only. */
export function guestshellConfig(d: Device): Edit {
  if (d.platform === 'iosxe') {
    const lines = ['iox', '!', 'app-hosting appid guestshell', ' app-vnic management guest-interface 0', '!'];
    return { commands: ['iox', 'app-hosting appid guestshell', 'app-vnic management guest-interface 0'], apply: (doc, tag) => doc.put('iox', lines, { after: 'routing', tag }) };
  }
  return { commands: [], apply: () => undefined };
}

export function aaaServer(d: Device, ip: string, s: Secrets): Edit {
  switch (d.platform) {
    case 'iosxe': {
      const k = s.type6();
      return {
        commands: ['tacacs server tacacs-03', `address ipv4 ${ip}`, `key 0 ${s.chars(16)}`, 'aaa group server tacacs+ TACACS-GROUP', 'server name tacacs-03'],
        apply: (doc, tag) => {
          doc.insert('tacacs', ['tacacs server tacacs-03', ` address ipv4 ${ip}`, ` key 6 ${k}`], { before: /^!$/, tag });
          doc.insert('aaa', [' server name tacacs-03'], { after: /^ server name tacacs-02/, tag });
        },
      };
    }
    case 'iosxr': {
      const k = s.type7();
      return {
        commands: [`tacacs-server host ${ip} port 49`, `key 0 ${s.chars(16)}`],
        apply: (doc, tag) => doc.insert('tacacs', [`tacacs-server host ${ip} port 49`, ` key 7 ${k}`, '!'], { before: /^tacacs source-interface/, tag }),
      };
    }
    case 'nxos':
      return {
        commands: [`tacacs-server host ${ip} key 0 ${s.chars(16)}`, 'aaa group server tacacs+ TACACS-GROUP', `server ${ip}`],
        apply: (doc, tag) => {
          doc.insert('tacacs', [`tacacs-server host ${ip} key 7 "${s.type7()}"`], { after: /^tacacs-server host 10\.40\.0\.22/, tag });
          doc.insert('tacacs', [`    server ${ip}`], { after: /^ {4}server 10\.40\.0\.22/, tag });
        },
      };
    case 'eos':
      return {
        commands: [`tacacs-server host ${ip} vrf MGMT key 0 ${s.chars(16)}`],
        apply: (doc, tag) => doc.insert('aaa', [`tacacs-server host ${ip} vrf MGMT key 7 ${s.type7()}`], { after: /^tacacs-server host 10\.40\.0\.22/, tag }),
      };
    case 'junos': {
      const line = `set system tacplus-server ${ip} secret "${s.junos9()}"`;
      return { commands: [`set system tacplus-server ${ip} secret "${s.chars(16)}"`], apply: (doc, tag) => doc.insert('system', [line], { after: /tacplus-server 10\.40\.0\.22 source/, tag }) };
    }
  }
}

/** Removes the second syslog destination (the intruder quiets one collector). */
export function loggingHostRemoved(d: Device): Edit {
  switch (d.platform) {
    case 'iosxe':
      return { commands: ['no logging host 10.40.0.32 vrf Mgmt-intf'], apply: (doc) => doc.removeLines('logging', /^logging host 10\.40\.0\.32/) };
    case 'iosxr':
      return { commands: ['no logging 10.40.0.32 vrf MGMT'], apply: (doc) => doc.removeLines('header', /^logging 10\.40\.0\.32/) };
    case 'nxos':
      return { commands: ['no logging server 10.40.0.32'], apply: (doc) => doc.removeLines('logging', /^logging server 10\.40\.0\.32/) };
    case 'eos':
      return { commands: ['no logging vrf MGMT host 10.40.0.32'], apply: (doc) => doc.removeLines('logging', /host 10\.40\.0\.32/) };
    case 'junos':
      return { commands: ['delete system syslog host 10.40.0.32'], apply: (doc) => doc.removeLines('syslog', /host 10\.40\.0\.32/) };
  }
}

/** An ERSPAN session copying an interface's traffic to an outside collector. */
export function trafficMirror(d: Device, dest: string): Edit {
  const src = (d.ifaces.find((i) => i.kind === 'customer') ?? d.ifaces.find((i) => i.kind === 'core'))!.name;
  const origin = d.publicIp ?? d.loopback;
  switch (d.platform) {
    case 'iosxe': {
      const lines = ['monitor session 1 type erspan-source', ` source interface ${src} both`, ' no shutdown', ' destination', '  erspan-id 101', `  ip address ${dest}`, `  origin ip address ${origin}`, '!'];
      return { commands: lines.filter((l) => l !== '!').map((l) => l.trim()), apply: (doc, tag) => doc.put('monitor', lines, { after: 'routing', tag }) };
    }
    case 'nxos': {
      const lines = ['monitor erspan origin ip-address ' + origin + ' global', 'monitor session 1 type erspan-source', '  erspan-id 101', '  vrf default', `  destination ip ${dest}`, `  source interface ${src} both`, '  no shut', ''];
      return { commands: lines.filter(Boolean).map((l) => l.trim()), apply: (doc, tag) => doc.put('monitor', lines, { after: 'routing', tag }) };
    }
    case 'eos': {
      const lines = [`monitor session MS1 source ${src}`, `monitor session MS1 destination tunnel mode gre source ${origin} destination ${dest}`, '!'];
      return { commands: lines.filter((l) => l !== '!'), apply: (doc, tag) => doc.put('monitor', lines, { after: 'routing', tag }) };
    }
    default:
      return { commands: [], apply: () => undefined };
  }
}

export function historyOff(d: Device): Edit {
  if (d.platform !== 'iosxe') return { commands: [], apply: () => undefined };
  return {
    commands: ['line vty 0 4', 'history size 0'],
    apply: (doc, tag) => doc.insert('lines', [' history size 0'], { after: /^line vty 0 4/, tag }),
  };
}

/** Routine change-window work: customer description, prefix-list entry or static route. */
export function routineEdit(d: Device, kind: number, n: number): Edit {
  const cust = d.ifaces.filter((i) => i.kind === 'customer');
  const ifc = cust.length ? cust[n % cust.length] : d.ifaces.find((i) => i.kind === 'core')!;
  const ckt = 200000 + ((n * 7919) % 700000);
  const pfx = `100.${64 + (n % 60)}.${(n * 4) % 256}.0/24`;
  const desc = `cust: ${ifc.desc.replace(/^cust: /, '').split(' ckt')[0]} ckt ${ckt}`;
  switch (d.platform) {
    case 'iosxe':
      if (kind === 0) return { commands: [`interface ${ifc.name}`, `description ${desc}`], apply: (doc) => doc.get(`iface:${ifc.name}`)?.lines.splice(1, 1, { text: ` description ${desc}` }) };
      if (kind === 1) return { commands: [`ip prefix-list CUSTOMER-IN seq ${10 + n * 5} permit ${pfx}`], apply: (doc) => doc.insert('routing', [`ip prefix-list CUSTOMER-IN seq ${10 + n * 5} permit ${pfx}`], { after: /^ip prefix-list CUSTOMER-IN/ }) };
      return { commands: [`ip route ${pfx.replace('/24', '')} 255.255.255.0 ${ifc.name} name CUST-${ckt}`], apply: (doc) => doc.insert('routing', [`ip route ${pfx.replace('/24', '')} 255.255.255.0 ${ifc.name} name CUST-${ckt}`], { after: /^ip route vrf/ }) };
    case 'iosxr':
      if (kind === 0) return { commands: [`interface ${ifc.name}`, `description ${desc}`], apply: (doc) => doc.get(`iface:${ifc.name}`)?.lines.splice(1, 1, { text: ` description ${desc}` }) };
      return { commands: ['prefix-set CUSTOMER-IN', `${pfx}`, 'end-set'], apply: (doc) => doc.insert('routing', ['prefix-set CUSTOMER-IN', `  ${pfx}`, 'end-set', '!'], { before: /^router ospf/ }) };
    case 'nxos':
      if (kind === 0) return { commands: [`interface ${ifc.name}`, `description ${desc}`], apply: (doc) => doc.get(`iface:${ifc.name}`)?.lines.splice(1, 1, { text: `  description ${desc}` }) };
      return { commands: [`ip prefix-list CUSTOMER-IN seq ${10 + n * 5} permit ${pfx}`], apply: (doc) => doc.insert('routing', [`ip prefix-list CUSTOMER-IN seq ${10 + n * 5} permit ${pfx}`], { before: /^router ospf/ }) };
    case 'eos':
      if (kind === 0) return { commands: [`interface ${ifc.name}`, `description ${desc}`], apply: (doc) => doc.get(`iface:${ifc.name}`)?.lines.splice(1, 1, { text: ` description ${desc}` }) };
      return { commands: ['ip prefix-list CUSTOMER-IN', `seq ${10 + n * 5} permit ${pfx}`], apply: (doc) => doc.insert('routing', ['ip prefix-list CUSTOMER-IN', `   seq ${10 + n * 5} permit ${pfx}`, '!'], { before: /^router ospf/ }) };
    case 'junos': {
      if (kind === 0) {
        const line = `set interfaces ${ifc.name} description "${desc}"`;
        return { commands: [line], apply: (doc) => { const b = doc.get('interfaces'); const i = b?.lines.findIndex((l) => l.text.startsWith(`set interfaces ${ifc.name} description`)) ?? -1; if (b && i >= 0) b.lines[i] = { text: line }; } };
      }
      const line = `set policy-options prefix-list CUSTOMER-IN ${pfx}`;
      return { commands: [line], apply: (doc) => doc.insert('firewall', [line], { after: /prefix-list NMS/ }) };
    }
  }
}
