import type { DetectedPlatform } from '../../model/config.js';

/**
 * Platform recognition from the text alone (file names are for people). Each platform has weighted
 * markers; the best score wins if it reaches a minimum, else `unknown`. Markers were chosen from what
 * each OS prints in `show running-config` and from RANCID/Oxidized headers.
 */
interface Marker { re: RegExp; w: number }

const M = (re: RegExp, w: number): Marker => ({ re, w });

const MARKERS: Record<Exclude<DetectedPlatform, 'unknown'>, Marker[]> = {
  junos: [
    M(/^#RANCID-CONTENT-TYPE: (?:juniper|junos)/m, 20),
    M(/^## Last commit: /m, 10),
    M(/^version \S+;\s*$/m, 10),
    M(/^(?:system|interfaces|protocols|policy-options|routing-options|firewall|security|snmp|chassis|vlans|routing-instances|class-of-service|forwarding-options|groups) \{\s*$/m, 10),
    M(/^\s+host-name \S+;\s*$/m, 10),
    M(/^set (?:system|interfaces|protocols|policy-options|routing-options|firewall|security|snmp|chassis|vlans|routing-instances|class-of-service|forwarding-options|version|groups|applications|event-options|services|switch-options|bridge-domains) /m, 12),
    M(/^set system host-name /m, 10),
  ],
  asa: [
    M(/^(?:ASA|PIX|FWSM) Version \d/m, 30),
    M(/^: Saved\s*$/m, 8),
    M(/^\s+nameif \S+/m, 10),
    M(/^\s+security-level \d+/m, 8),
    M(/^same-security-traffic /m, 6),
    M(/^access-group \S+ (?:in|out) interface /m, 8),
    M(/^object network \S+/m, 3),
    M(/^(?:ssh|telnet|http) \d+\.\d+\.\d+\.\d+ \d+\.\d+\.\d+\.\d+ \S+\s*$/m, 6),
    M(/^passwd \S+ encrypted/m, 8),
    M(/^tunnel-group \S+ (?:type|ipsec-attributes|general-attributes)/m, 6),
  ],
  iosxr: [
    M(/^!RANCID-CONTENT-TYPE: cisco-xr/m, 30),
    M(/^!! IOS XR Configuration/m, 30),
    M(/^\s*end-policy\s*$/m, 8),
    M(/^\s*end-set\s*$/m, 8),
    M(/^route-policy \S+/m, 5),
    M(/^(?:prefix|community|as-path|rd|large-community)-set \S+/m, 5),
    M(/^interface (?:GigabitEthernet|TenGigE|HundredGigE|FortyGigE|TwentyFiveGigE|Bundle-Ether|MgmtEth)\d+\/\d+\/\d+\/\d+/m, 10),
    M(/^interface (?:TenGigE|HundredGigE|FortyGigE|TwentyFiveGigE|Bundle-Ether|MgmtEth)/m, 6),
    M(/^\s+ipv4 address \d/m, 5),
    M(/^ipv4 access-list \S+/m, 6),
    M(/^\s+group (?:root-lr|netadmin|cisco-support|root-system)\s*$/m, 10),
    M(/^ssh server v2\s*$/m, 6),
    M(/^telnet vrf \S+ ipv4 server/m, 8),
    M(/^router static\s*$/m, 4),
    M(/^\s+address-family ipv4 unicast\s*$/m, 1),
    M(/^\s+!\s*$/m, 1),
    M(/^\S.*\n\s+#/m, 1),
    M(/^(?:logging|snmp-server|ntp|tacacs-server|domain|telnet|ssh) vrf /m, 4),
    M(/^domain name(?:-server)? /m, 3),
    M(/^\s+(?:neighbor \S+\s*\n\s+)?remote-as \d+/m, 4),
    M(/^\s+secret \d+ \S+/m, 3),
  ],
  nxos: [
    M(/^!RANCID-CONTENT-TYPE: cisco-nx/m, 30),
    M(/^!Command: show running-config/m, 6),
    M(/^!Time: /m, 4),
    M(/^feature \S+/m, 12),
    M(/^version \d+\.\d+\(\d+\)/m, 12),
    M(/^boot nxos /m, 12),
    M(/^vrf context \S+/m, 10),
    M(/^switchname /m, 10),
    M(/^vpc domain /m, 8),
    M(/^copp profile /m, 8),
    M(/ role network-(?:admin|operator)/m, 3),
    M(/^interface Ethernet\d+\/\d+/m, 3),
    M(/^interface mgmt0/m, 6),
    M(/^system default switchport/m, 8),
    M(/^\s+use-vrf \S+/m, 4),
    M(/^hardware access-list tcam/m, 8),
    M(/^telemetry\s*$/m, 6),
  ],
  eos: [
    M(/^!RANCID-CONTENT-TYPE: arista/m, 30),
    M(/^! device: .*EOS-/m, 30),
    M(/EOS-\d+\.\d+/m, 8),
    M(/^daemon TerminAttr/m, 20),
    M(/^management (?:api|console|ssh|security|telnet|defaults|http-server)\b/m, 10),
    M(/^transceiver qsfp default-mode/m, 10),
    M(/^switch forwarding-mode/m, 8),
    M(/^switchport default mode/m, 8),
    M(/^interface Ethernet\d+(?:\/\d+)?\s*$/m, 3),
    M(/^interface Management\d/m, 6),
    M(/^vrf instance \S+/m, 10),
    M(/^ +neighbor \S+ peer group \S+/m, 8),
    M(/^ +peer-filter /m, 6),
    M(/^spanning-tree mode mstp/m, 2),
    M(/^ {3}\S/m, 4),
    M(/^ {3}exit\s*$/m, 6),
    M(/ secret sha512 /m, 8),
    M(/^ip routing vrf /m, 6),
    M(/^service routing protocols model/m, 10),
    M(/^router ospfv3\s*$/m, 2),
    M(/^ +fips restrictions/m, 6),
    M(/^aaa authorization exec default local/m, 2),
    M(/^peer-filter /m, 6),
  ],
  iosxe: [
    M(/^version 1[67]\.\d+/m, 30),
    M(/Cisco IOS[ -]XE/i, 20),
    M(/^license boot level/m, 10),
    M(/^platform (?:console|punt-keepalive|hardware|qfp)/m, 10),
    M(/^vrf definition Mgmt-intf/m, 10),
    M(/^interface GigabitEthernet\d+\s*$/m, 6),
    M(/^interface (?:Gigabit|TenGigabit|FortyGigabit|HundredGig)Ethernet\d+\/\d+\/\d+\s*$/m, 5),
    M(/^zone-pair security /m, 6),
    M(/^diagnostic bootup level/m, 4),
    M(/^subscriber templating/m, 6),
    M(/^license udi pid /m, 6),
    M(/^iox\s*$/m, 6),
    M(/^app-hosting /m, 6),
    M(/^netconf-yang/m, 6),
    M(/^restconf\s*$/m, 6),
    M(/^ip http client source-interface/m, 2),
  ],
  ios: [
    M(/^!RANCID-CONTENT-TYPE: cisco\s*$/m, 14),
    M(/^version 1[0-5]\.\d+/m, 20),
    M(/^Building configuration\.\.\./m, 4),
    M(/^Current configuration : \d+ bytes/m, 6),
    M(/^service timestamps /m, 6),
    M(/^line vty \d+/m, 6),
    M(/^line con 0/m, 4),
    M(/^ip cef\s*$/m, 4),
    M(/^ip access-list (?:standard|extended) \S+/m, 5),
    M(/^access-list \d+ (?:permit|deny|remark) /m, 5),
    M(/^interface (?:FastEthernet|GigabitEthernet|Serial|Ethernet|Vlan|Loopback|Tunnel|Port-channel|Dialer|BVI)\d+(?:\/\d+)*(?:\.\d+)?\s*$/m, 3),
    M(/^ ip address \d+\.\d+\.\d+\.\d+ \d+\.\d+\.\d+\.\d+/m, 4),
    M(/^ no ip (?:redirects|unreachables|proxy-arp|route-cache)/m, 4),
    M(/^ip (?:route|domain[- ]name|name-server|http server|classless|subnet-zero|host) /m, 3),
    M(/^route-map \S+ (?:permit|deny) \d+/m, 2),
    M(/^enable (?:secret|password) /m, 4),
    M(/^service (?:password-encryption|nagle|tcp-keepalives-in|pad)\s*$/m, 4),
    M(/^vrf definition \S+/m, 2),
    M(/^crypto (?:isakmp|keyring|map|ca|pki) /m, 3),
    M(/^hostname \S+/m, 2),
    M(/^snmp-server /m, 2),
    M(/^logging /m, 2),
    M(/^track \d+ /m, 2),
    M(/^router (?:eigrp|ospf|bgp|rip|isis)\b/m, 2),
    M(/^ (?:description|shutdown|match|set) /m, 1),
    M(/^object-group /m, 1),
    M(/^class-map /m, 2),
  ],
};

const ENTRIES = Object.entries(MARKERS) as [Exclude<DetectedPlatform, 'unknown'>, Marker[]][];

/** Looks at this much of the file: every marker that matters shows up in the first few hundred KiB. */
const DETECT_WINDOW = 512 * 1024;

export interface Detection {
  platform: DetectedPlatform;
  /** For Junos: curly or set. */
  form: 'indent' | 'curly' | 'set';
  scores: Partial<Record<DetectedPlatform, number>>;
}

/** Scores every platform's markers over the text and returns the best (or `unknown`). */
export function detectPlatformDetailed(text: string): Detection {
  const t = text.length > DETECT_WINDOW ? text.slice(0, DETECT_WINDOW) : text;
  const scores: Partial<Record<DetectedPlatform, number>> = {};
  let best: DetectedPlatform = 'unknown';
  let bestScore = 0;
  for (const [p, markers] of ENTRIES) {
    let s = 0;
    for (const m of markers) if (m.re.test(t)) s += m.w;
    scores[p] = s;
    if (s > bestScore) { best = p; bestScore = s; }
  }
  // IOS XE is IOS plus markers: only IOS XE when some XE-only marker fired on top of an IOS-looking file.
  if (best === 'ios' && (scores.iosxe ?? 0) >= 6) best = 'iosxe';
  if (best === 'iosxe' && (scores.ios ?? 0) < 4 && (scores.iosxe ?? 0) < 20) best = 'ios';
  if (bestScore < 6) best = 'unknown';
  let form: Detection['form'] = 'indent';
  if (best === 'junos') form = isSetForm(t) ? 'set' : 'curly';
  return { platform: best, form, scores };
}

export function detectPlatform(text: string): DetectedPlatform {
  return detectPlatformDetailed(text).platform;
}

/** Junos `set` form: most statements start with `set `/`deactivate `/`delete `. */
export function isSetForm(text: string): boolean {
  let set = 0, curly = 0;
  const re = /^(?:(set|deactivate|delete|activate) |.*[{;]\s*$)/gm;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text)) && n < 4000) {
    n++;
    if (m[1]) set++; else curly++;
  }
  return set > curly;
}
