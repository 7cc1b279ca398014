import type { ConfigTree } from '../../model/config.js';
import { isIp } from '../../util/ip.js';
import { walk } from '../../parsers/configs/parse.js';
import { aclEntries } from './acl.js';

/** An address a configuration references, for the intel matcher and reports. */
export interface ConfigAddress {
  address: string;
  line: number;
  kind: 'acl' | 'tunnel' | 'aaa' | 'syslog' | 'ntp' | 'snmp' | 'mirror' | 'route' | 'bgp' | 'management';
  /** The statement (not redacted: callers redact before printing). */
  text: string;
}

const IP = String.raw`(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)`;

/** Statement patterns that name a peer/server address; group 1 is the address. Shared by all platforms. */
const PATTERNS: [ConfigAddress['kind'], RegExp][] = [
  ['tunnel', new RegExp(`^(?:tunnel destination|destination) ${IP}`)],
  ['tunnel', new RegExp(`^interfaces \\S+ unit \\S+ tunnel (?:source \\S+ )?destination ${IP}`)],
  ['tunnel', new RegExp(`^crypto isakmp key \\S+ address ${IP}`)],
  ['tunnel', new RegExp(`^(?:set peer|peer|pre-shared-key address) ${IP}`)],
  ['tunnel', new RegExp(`^tunnel-group ${IP} `)],
  ['tunnel', new RegExp(`^security ike gateway \\S+ address ${IP}`)],
  ['aaa', new RegExp(`^(?:tacacs-server|radius-server) host ${IP}`)],
  ['aaa', new RegExp(`^(?:address ipv[46]|server-private|server) ${IP}`)],
  ['aaa', new RegExp(`^aaa-server \\S+ (?:\\(\\S+\\) )?host ${IP}`)],
  ['aaa', new RegExp(`^system (?:tacplus-server|radius-server) ${IP}`)],
  ['syslog', new RegExp(`^logging (?:host |server )?(?:\\S+ )?${IP}`)],
  ['syslog', new RegExp(`^system syslog host ${IP}`)],
  ['ntp', new RegExp(`^ntp (?:server|peer)(?: vrf \\S+)? ${IP}`)],
  ['ntp', new RegExp(`^system ntp (?:server|peer) ${IP}`)],
  ['snmp', new RegExp(`^snmp-server host (?:\\S+ )?${IP}`)],
  ['snmp', new RegExp(`^snmp (?:trap-group \\S+ targets|client-list \\S+) ${IP}`)],
  ['mirror', new RegExp(`^(?:ip address|erspan-destination|destination ip) ${IP}`)],
  ['route', new RegExp(`^(?:ip|ipv6) route (?:vrf \\S+ )?\\S+ (?:\\S+ )?${IP}`)],
  ['route', new RegExp(`^set ip next-hop ${IP}`)],
  ['bgp', new RegExp(`^neighbor ${IP} remote-as`)],
  ['management', new RegExp(`^(?:ssh|telnet|http) ${IP} \\d`)],
];

/**
 * Every address the configuration references: ACL entries (source and destination), tunnel and IPsec
 * peers, AAA/syslog/NTP/SNMP servers, mirror destinations, static next hops and BGP neighbours, each
 * with its line. `mirror` and `ip address` are only taken inside `monitor session` bodies.
 */
export function configAddresses(tree: ConfigTree): ConfigAddress[] {
  const out: ConfigAddress[] = [];
  const seen = new Set<string>();
  const add = (address: string, line: number, kind: ConfigAddress['kind'], text: string) => {
    const a = address.replace(/\/\d+$/, '');
    if (!isIp(a)) return;
    const k = `${a}\u0000${line}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ address: a, line, kind, text });
  };
  for (const n of walk(tree.nodes)) {
    for (const [kind, re] of PATTERNS) {
      const m = re.exec(n.text);
      if (!m) continue;
      if (kind === 'mirror' && !(n.parent && /monitor session|erspan/.test(n.parent.text + (n.parent.parent?.text ?? '')))) continue;
      if (kind === 'aaa' && /^(?:address|server)/.test(n.text) && !(n.parent && /^(?:tacacs|radius|aaa group server)/.test(n.parent.text))) continue;
      add(m[1], n.line, kind, n.text);
      break;
    }
  }
  for (const entries of aclEntries(tree).values()) {
    for (const e of entries) {
      for (const m of e.text.matchAll(/(?:^|\s)(\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?|[0-9a-fA-F]*:[0-9a-fA-F:]+(?:\/\d+)?)(?=\s|$)/g)) {
        // skip wildcard masks (0.0.0.255) and netmasks: they follow an address
        const a = m[1];
        if (/^0\.|^255\./.test(a)) continue;
        add(a, e.node.line, 'acl', e.node.text);
      }
    }
  }
  out.sort((a, b) => a.line - b.line);
  return out;
}
