import type { DetectedPlatform } from '../../model/config.js';

/**
 * Platform recognition from the text alone (file names are for people). Each platform has weighted
 * markers; the best score wins if it reaches a minimum, else `unknown`. Markers were chosen from what
 * each OS prints in `show running-config` and from RANCID/Oxidized headers.
 */
interface Marker { re: RegExp; w: number }

const M = (re: RegExp, w: number): Marker => ({ re, w });

/**
 * Markers are written as multi-line regexes for readability, and compiled to tests over the lines that can
 * match them: top-level lines by first word, indented lines by first word, or comment lines (`!`, `#`, `:`
 * in column 1). Detection then costs one pass over the lines plus a few regex tests (hot path).
 */
interface LineMarker { re: RegExp; w: number; where: 'top' | 'indented' | 'any' | 'comment'; words: string[] | null }

function leading(src: string): string[] | null {
  const lit = /^([A-Za-z0-9_:-]+)(?= |\\s|\\b|\$|$|\\\{|\\\()/.exec(src);
  if (lit) return [lit[1]];
  const alt = /^\(\?:([A-Za-z0-9_|:-]+)\)(?= |\\s|\\b|\$|$)/.exec(src);
  if (alt) return alt[1].split('|');
  return null;
}

function compileMarker(m: Marker): LineMarker {
  const src = m.re.source;
  const flags = m.re.flags.replace('m', '');
  if (!src.startsWith('^')) throw new Error(`detection marker must be anchored: ${src}`);
  const rest = src.slice(1);
  if (/^[!#:]/.test(rest)) return { re: new RegExp(src, flags), w: m.w, where: 'comment', words: null };
  const ws = /^(?:\\s\+|\\s\*| \+| \{\d+\}| )/.exec(rest);
  if (ws) {
    return { re: new RegExp(src, flags), w: m.w, where: ws[0] === '\\s*' ? 'any' : 'indented', words: leading(rest.slice(ws[0].length)) };
  }
  return { re: new RegExp(src, flags), w: m.w, where: 'top', words: leading(rest) };
}

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
    M(/^\s*interface (?:GigabitEthernet|TenGigE|HundredGigE|FortyGigE|TwentyFiveGigE|Bundle-Ether)\d+\/\d+\/\d+\/\d+\b/m, 8),
    M(/^\s+ipv4 address \d/m, 5),
    M(/^ipv4 access-list \S+/m, 6),
    M(/^\s+group (?:root-lr|netadmin|cisco-support|root-system)\s*$/m, 10),
    M(/^ssh server v2\s*$/m, 6),
    M(/^telnet vrf \S+ ipv4 server/m, 8),
    M(/^router static\s*$/m, 4),
    M(/^\s+address-family ipv4 unicast\s*$/m, 1),
    M(/^(?:logging|snmp-server|ntp|tacacs-server|domain|telnet|ssh) vrf /m, 4),
    M(/^domain name(?:-server)? /m, 3),
    M(/^\s+remote-as \d+/m, 4),
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
    M(/^username \S+ .*role network-(?:admin|operator)/m, 3),
    M(/^interface Ethernet\d+\/\d+(?:\.\d+)?\s*$/m, 3),
    M(/^interface mgmt0/m, 6),
    M(/^ +ip address \d+\.\d+\.\d+\.\d+\/\d+/m, 3),
    M(/^system default switchport/m, 8),
    M(/^\s+use-vrf \S+/m, 4),
    M(/^hardware access-list tcam/m, 8),
    M(/^telemetry\s*$/m, 6),
  ],
  eos: [
    M(/^!RANCID-CONTENT-TYPE: arista/m, 30),
    M(/^! device: .*EOS-/m, 30),
    M(/^!.*\bEOS-\d+\.\d+/m, 8),
    M(/^daemon TerminAttr/m, 20),
    M(/^management (?:api|console|ssh|security|telnet|defaults|http-server)\b/m, 10),
    M(/^transceiver qsfp default-mode/m, 10),
    M(/^switch forwarding-mode/m, 8),
    M(/^switchport default mode/m, 8),
    M(/^interface Ethernet\d+\s*$/m, 8),
    M(/^interface Ethernet\d+\/\d+\s*$/m, 2),
    M(/^interface Management\d/m, 6),
    M(/^ +ip address \d+\.\d+\.\d+\.\d+\/\d+/m, 5),
    M(/^vrf instance \S+/m, 10),
    M(/^ +neighbor \S+ peer group \S+/m, 8),
    M(/^ +peer-filter /m, 6),
    M(/^spanning-tree mode mstp/m, 2),
    M(/^ {3}\S/m, 4),
    M(/^ {3}exit\s*$/m, 6),
    M(/^(?:username \S+ .*|enable |aaa root )secret sha512 /m, 8),
    M(/^ip routing vrf /m, 6),
    M(/^service routing protocols model/m, 10),
    M(/^router ospfv3\s*$/m, 2),
    M(/^ +fips restrictions/m, 6),
    M(/^aaa authorization exec default local/m, 2),
    M(/^peer-filter /m, 6),
  ],
  iosxe: [
    M(/^!.*Cisco IOS[ -]XE/i, 20),
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
    M(/^version 1[0-7]\.\d+/m, 20),
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
    M(/^vrf definition \S+/m, 4),
    M(/^ exit-address-family\s*$/m, 6),
    M(/^ [^ !]/m, 3),
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

const ENTRIES = (Object.entries(MARKERS) as [Exclude<DetectedPlatform, 'unknown'>, Marker[]][])
  .map(([p, ms]) => [p, ms.map(compileMarker)] as const);

/**
 * Looks at the first 500 and the last 100 lines: headers, `version`, `hostname`, features and the first
 * sections come first, `line vty`/`end` last. Keeps detection cheap on 100k-line files (hot path).
 */
const DETECT_LINES = 500;
const DETECT_TAIL = 100;

export interface Detection {
  platform: DetectedPlatform;
  /** For Junos: curly or set. */
  form: 'indent' | 'curly' | 'set';
  scores: Partial<Record<DetectedPlatform, number>>;
}

/** Lines by class and first word: built in one pass, then markers only test lines that can match. */
class LineIndex {
  readonly top = new Map<string, string[]>();
  readonly indented = new Map<string, string[]>();
  readonly allTop: string[] = [];
  readonly allIndented: string[] = [];
  readonly comments: string[] = [];
  setLines = 0;
  curlyLines = 0;
  constructor(lines: readonly string[]) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const len = l.length;
      if (len === 0) continue;
      let j = 0;
      while (j < len) { const c = l.charCodeAt(j); if (c === 32 || c === 9) j++; else break; }
      if (j === len) continue;
      const c0 = l.charCodeAt(j);
      if (j === 0 && (c0 === 33 || c0 === 35 || c0 === 58)) { this.comments.push(l); continue; }
      let e = l.indexOf(' ', j);
      if (e < 0) e = len;
      if (e === len && l.charCodeAt(len - 1) === 13) e--;
      const w = l.slice(j, e);
      const map = j === 0 ? this.top : this.indented;
      const list = map.get(w);
      if (list) list.push(l); else map.set(w, [l]);
      (j === 0 ? this.allTop : this.allIndented).push(l);
      if (j === 0 && (w === 'set' || w === 'deactivate' || w === 'delete' || w === 'activate')) this.setLines++;
      else {
        const last = l.charCodeAt(len - 1) === 13 ? l.charCodeAt(len - 2) : l.charCodeAt(len - 1);
        if (last === 123 /* { */ || last === 59 /* ; */) this.curlyLines++;
      }
    }
  }
  private any(list: readonly string[] | undefined, re: RegExp): boolean {
    if (!list) return false;
    for (const l of list) if (re.test(l)) return true;
    return false;
  }
  test(m: LineMarker): boolean {
    if (m.where === 'comment') return this.any(this.comments, m.re);
    const maps = m.where === 'top' ? [this.top] : m.where === 'indented' ? [this.indented] : [this.top, this.indented];
    for (const map of maps) {
      if (m.words) { for (const w of m.words) if (this.any(map.get(w), m.re)) return true; }
      else if (this.any(map === this.top ? this.allTop : this.allIndented, m.re)) return true;
    }
    return false;
  }
}

/** Scores every platform's markers over the lines and returns the best (or `unknown`). */
export function detectPlatformLines(lines: readonly string[]): Detection {
  const ix = new LineIndex(lines.length > DETECT_LINES + DETECT_TAIL ? [...lines.slice(0, DETECT_LINES), ...lines.slice(-DETECT_TAIL)] : lines);
  const scores: Partial<Record<DetectedPlatform, number>> = {};
  let best: DetectedPlatform = 'unknown';
  let bestScore = 0;
  for (const [p, markers] of ENTRIES) {
    let s = 0;
    for (const m of markers) if (ix.test(m)) s += m.w;
    scores[p] = s;
    if (s > bestScore) { best = p; bestScore = s; }
  }
  // IOS and IOS XE share one grammar: compete as one family, then split on the version line
  // (16.x/17.x is IOS XE; 12.x-15.x prints as IOS even on early XE trains), else on XE-only markers.
  const ios = Math.max(scores.ios ?? 0, scores.iosxe ?? 0);
  if ((best === 'ios' || best === 'iosxe' || ios > bestScore) && ios >= bestScore) {
    bestScore = ios;
    const versions = ix.top.get('version') ?? [];
    if (versions.some((v) => /^version 1[67]\.\d+/.test(v)) || ix.comments.some((c) => /Cisco IOS[ -]XE/i.test(c))) best = 'iosxe';
    else if (versions.some((v) => /^version (?:1[0-5]|\d)\.\d+/.test(v))) best = 'ios';
    else best = (scores.iosxe ?? 0) >= 10 ? 'iosxe' : 'ios';
  }
  if (bestScore < 6) {
    // Fragments (`show running-config | section ...`) carry few markers: Cisco-style keywords at the
    // start of most top-level statements still make them IOS.
    best = ciscoish(ix) ? 'ios' : 'unknown';
  }
  let form: Detection['form'] = 'indent';
  if (best === 'junos') form = ix.setLines > ix.curlyLines ? 'set' : 'curly';
  return { platform: best, form, scores };
}

export function detectPlatformDetailed(text: string): Detection {
  return detectPlatformLines(text.split('\n'));
}

export function detectPlatform(text: string): DetectedPlatform {
  return detectPlatformDetailed(text).platform;
}

const IOS_TOP = new Set(['interface', 'router', 'ip', 'ipv6', 'logging', 'snmp-server', 'route-map', 'access-list', 'hostname',
  'line', 'ntp', 'aaa', 'username', 'service', 'banner', 'vlan', 'spanning-tree', 'crypto', 'class-map', 'policy-map', 'key',
  'control-plane', 'archive', 'boot', 'version', 'enable', 'no', 'end', 'mpls', 'vrf', 'track', 'object-group', 'clock',
  'tacacs-server', 'radius-server', 'license', 'redundancy', 'controller', 'dial-peer', 'voice', 'multilink', 'call-home',
  'bfd', 'event', 'kron', 'alias', 'privilege', 'errdisable', 'cdp', 'lldp', 'monitor', 'system', 'feature', 'policy',
  'prefix-list']);

/** True when most top-level statements start with an IOS-family keyword (at least 2 such lines). */
function ciscoish(ix: LineIndex): boolean {
  let top = 0, hits = 0;
  for (const [w, list] of ix.top) {
    const c = w.charCodeAt(0);
    if (!(c >= 97 && c <= 122)) continue; // statements start with a lower-case keyword; banners and headers do not
    top += list.length;
    if (IOS_TOP.has(w)) hits += list.length;
  }
  return hits >= 2 && hits / top >= 0.6;
}

/** Junos `set` form: most statements start with `set `/`deactivate `/`delete `. */
export function isSetForm(text: string): boolean {
  const ix = new LineIndex(text.split('\n', DETECT_LINES));
  return ix.setLines > ix.curlyLines;
}
