/**
 * Syslog line -> Event: RFC 3164 and RFC 5424 headers, Cisco IOS/IOS XE/IOS XR/NX-OS/ASA, Arista EOS, Junos,
 * Linux daemons, TACACS+ records relayed over syslog and Cisco ISE. See docs/EVENTS.md for the fields.
 */
import type { Event } from '../../model/event.js';
import type { ParseContext, Platform } from '../types.js';
import { VENDOR_OF } from '../types.js';
import { newHeader, scanHeaderInto, programAt, type Header } from './header.js';
import { mnemonicAt, mnemonicText, extractorOf, routeKindOf, type KnownMnemonic, type Extractor } from './cisco.js';
import { parseAsaMessage } from './asa.js';
import { parseLinuxMessage, LINUX_PROGRAMS } from './linux.js';
import { parseRfc5424, applyJunosSd, parseJunosTag, isJunosTag } from './junos.js';
import { isoFromMs, scanIsoStamp } from './time.js';
import { parseIseBody, parseTacPlusRecord, parseTacPlusLine } from '../tacacs.js';

/** Creates an event with the core fields in a fixed order (one object shape for the engine's hot path). */
export function newEvent(raw: string): Event {
  return {
    time: undefined, host: undefined, facility: undefined, severity: undefined, program: undefined, pid: undefined,
    mnemonic: undefined, message: undefined, vendor: undefined, platform: undefined, kind: undefined, raw,
  };
}

const NXOS_FACILITIES = new Set(['VSHD', 'ETHPORT', 'AUTHPRIV', 'DAEMON', 'USER', 'KERN', 'SYSMGR', 'L2FM', 'HMM', 'VPC', 'ETH_PORT_CHANNEL', 'VDC_MGR', 'FEATURE-MGR', 'PLATFORM', 'MODULE', 'INTERFACE_VLAN', 'NXAPI', 'VMAN', 'ACLLOG']);
const XR_FACILITIES = new Set(['MGBL', 'SECURITY', 'INFRA', 'ROUTING', 'PKT_INFRA', 'SYSDB', 'OS', 'PLATFORM', 'L2', 'ACL', 'IP']);

/** Junos daemons that do not exist on Linux hosts. */
const JUNOS_PROGRAMS = new Set(['kmd', 'mgd', 'rpd', 'chassisd', 'dcd', 'mib2d', 'eventd', 'pfed', 'dfwd', 'cosd', 'alarmd', 'craftd', 'jddosd', 'l2ald', 'lacpd', 'ppmd', 'bfdd', 'rmopd', 'dot1xd', 'RT_FLOW', 'RT_IDS', 'RT_UTM', 'RT_NAT', 'flowd', 'idpd', 'appidd', 'useridd']);

function setPlatform(ev: Event, p: Platform): void {
  ev.platform = p;
  ev.vendor = VENDOR_OF[p];
}

const HEADER: Header = newHeader();

/** Parses one syslog-family line. Returns the event, or a reason string when the line holds no log record. */
export function parseSyslog(line: string, ctx: ParseContext): Event | string {
  const refMs = ctx.refMs ?? Date.now();
  const ev = newEvent(line);
  // RFC 5424: "<PRI>1 2026-..." (or "<PRI> 2026-..." as some relays write it)
  if (line.charCodeAt(0) === 60) {
    const gt = line.indexOf('>');
    if (gt > 1 && gt <= 4) {
      const c1 = line.charCodeAt(gt + 1);
      let p = -1;
      if (c1 >= 49 && c1 <= 57 && line.charCodeAt(gt + 2) === 32) p = gt + 3;
      else if (c1 === 32 && line.charCodeAt(gt + 6) === 45) p = gt + 2;
      if (p > 0) {
        const pri = Number(line.slice(1, gt));
        if (pri <= 191) {
          const r = parseRfc5424(line, p);
          if (r) {
            ev.facility = pri >> 3;
            ev.severity = pri & 7;
            fill5424(ev, r, refMs);
            finish(ev, ctx);
            return ev;
          }
        }
      }
    }
  }
  // hot path: trim() only when the line could be blank (trim calls were 2.6% of parsing plain IOS lines, perf)
  const c0 = line.charCodeAt(0);
  if (line.length === 0 || ((c0 <= 32 || c0 >= 128) && line.trim() === '')) return 'empty line';
  // hot path (bench/hunt round 6): one header object for every line (read only in this call)
  const h = scanHeaderInto(line, refMs, HEADER);
  const p = h.body;
  const c = line.charCodeAt(p);
  if (h.pri !== undefined) { ev.facility = h.pri >> 3; ev.severity = h.pri & 7; }
  // a lazy parse of a `%` message id may leave the time for completeEvent (it is set below when it does not)
  const lazyId = c === 37 && ctx.lazy === true;
  if (h.ms !== undefined && !lazyId) ev.time = isoFromMs(h.ms);
  ev.host = h.host;
  if (h.seq !== undefined) ev.seq = h.seq;
  if (h.node !== undefined) ev.node = h.node;
  if (h.program !== undefined) {
    ev.program = h.program;
    if (h.pid !== undefined) ev.pid = h.pid;
  }
  // Cisco ISE
  if (c === 67 && line.startsWith('CISE_', p)) {
    const aaaServer = ev.host;
    if (parseIseBody(line.slice(p), ev)) {
      if (aaaServer && aaaServer !== ev.host) ev.aaa_server = aaaServer;
      ev.message = line.slice(p);
      ev.program = ev.ise_category as string;
      setPlatform(ev, 'ise');
      finish(ev, ctx);
      return ev;
    }
  }
  // RFC 5424 body behind a relay's RFC 3164 header ("... junos-flow: 2017-09-23T13:54:54.803Z host RT_FLOW - TAG [..]")
  if (h.program !== undefined && c >= 48 && c <= 57 && line.charCodeAt(p + 4) === 45 && scanIsoStamp(line, p)) {
    const r = parseRfc5424(line, p);
    if (r) {
      const relay = ev.host;
      fill5424(ev, r, refMs);
      if (relay && relay !== ev.host) ev.relay = relay;
      finish(ev, ctx);
      return ev;
    }
  }
  if (c === 37) {
    const sp = mnemonicAt(line, p);
    if (sp) {
      if (lazyId) {
        if (lazyMnemonicEvent(ev, sp, h.node !== undefined, h.yearFirst, h.ms)) {
          finish(ev, ctx);
          return ev;
        }
        if (h.ms !== undefined) ev.time = isoFromMs(h.ms);
      }
      mnemonicEvent(ev, line, sp, mnemonicText, h.node !== undefined, h.yearFirst);
      finish(ev, ctx);
      return ev;
    }
    if (lazyId && h.ms !== undefined) ev.time = isoFromMs(h.ms);
  }
  if (h.program !== undefined) {
    // EOS agents and IOS XR processes put "%MNEMONIC" after the program tag
    if (c === 37) {
      ev.message = line.slice(p);
    } else {
      programEvent(ev, line.slice(p), h.program);
    }
    finish(ev, ctx);
    return ev;
  }
  // "CEF-HWIDB: text" (show logging), tac_plus accounting files, then plain text
  const lenient = mnemonicAt(line, p, true);
  if (lenient && (h.ms !== undefined || h.seq !== undefined)) {
    ev.mnemonic = lenient.mnemonic;
    ev.message = line.slice(mnemonicText);
    setPlatform(ev, 'ios');
    finish(ev, ctx);
    return ev;
  }
  if (line.includes('task_id=')) {
    const t = parseTacPlusLine(line, refMs);
    if (t) { finish(t, ctx); return t; }
    if (h.ms !== undefined) {
      const text = line.slice(p).trim();
      if (parseTacPlusRecord(text, ev)) {
        ev.program = 'tac_plus';
        ev.message = text;
        setPlatform(ev, 'tac_plus');
        finish(ev, ctx);
        return ev;
      }
    }
  }
  // a mnemonic behind unrecognised header text ("vm-ubuntu16->10.0.0.16 May 6 07:28:11 vm-ubuntu16 fortinet Apr 30 15:10:58: %DOT1X-5-FAIL: ...")
  for (let pct = line.indexOf(' %', p); pct >= 0 && pct < p + 200; pct = line.indexOf(' %', pct + 2)) {
    const sp = mnemonicAt(line, pct + 1);
    if (sp) {
      mnemonicEvent(ev, line, sp, mnemonicText, false, false);
      finish(ev, ctx);
      return ev;
    }
  }
  if (h.ms === undefined && h.pri === undefined && h.seq === undefined) return 'no syslog header, timestamp or message id';
  ev.message = line.slice(p).trim();
  if (!ev.platform) setPlatform(ev, ctx.platform ?? 'syslog');
  ev.kind = ev.kind ?? 'system';
  finish(ev, ctx);
  return ev;
}

function mnemonicEvent(ev: Event, line: string, sp: KnownMnemonic, text: number, xrNode: boolean, yearFirst: boolean): void {
  ev.mnemonic = sp.mnemonic;
  if (sp.severity !== undefined) ev.severity = sp.severity;
  const msg = line.slice(text);
  ev.message = msg;
  if (isAsaFacility(sp)) {
    setPlatform(ev, 'asa');
    parseAsaMessage(sp.name, msg, ev);
  } else {
    ciscoPlatform(ev, sp, xrNode, yearFirst);
    const x = extractorOf(sp);
    if (x) x(msg, ev);
  }
}

const FAMILY_ASA = 1, FAMILY_XR = 2, FAMILY_NXOS = 4, FAMILY_LAZY = 8;
const VENDOR_IOSXR = VENDOR_OF.iosxr, VENDOR_EOS = VENDOR_OF.eos, VENDOR_NXOS = VENDOR_OF.nxos, VENDOR_IOS = VENDOR_OF.ios;

/**
 * What a message id alone says about the platform, as FAMILY_* bits: an ASA/PIX/FTD/FWSM id, an IOS XR facility
 * with four or more parts, an NX-OS facility (or the NX-OS accounting message), and whether a lazy parse may leave
 * its extractor for later (then with the kind it sets in `routeKind`). hot path (bench/hunt round 9): computed once
 * per distinct id and kept with it (was: four string compares, two or three set lookups and a map lookup per line).
 */
function familyOf(sp: KnownMnemonic): number {
  let f = sp.family;
  if (f < 0) {
    const fac = sp.facility;
    f = 0;
    if (fac === 'ASA' || fac === 'PIX' || fac === 'FTD' || fac === 'FWSM') f |= FAMILY_ASA;
    if (XR_FACILITIES.has(fac) && sp.parts >= 4 && !NXOS_FACILITIES.has(fac)) f |= FAMILY_XR;
    if (NXOS_FACILITIES.has(fac) || sp.name === 'AAA_ACCOUNTING_MESSAGE') f |= FAMILY_NXOS;
    // a lazy parse may leave the extractor for later when it sets at most a constant kind (routeKindOf); not ASA ids
    const x = extractorOf(sp);
    const k = x === null ? null : routeKindOf(x);
    if ((f & FAMILY_ASA) === 0 && k !== undefined) { f |= FAMILY_LAZY; sp.routeKind = k; }
    sp.family = f;
  }
  return f;
}

function isAsaFacility(sp: KnownMnemonic): boolean {
  return (familyOf(sp) & FAMILY_ASA) !== 0;
}

function ciscoPlatform(ev: Event, sp: KnownMnemonic, xrNode: boolean, yearFirst: boolean): void {
  const f = familyOf(sp);
  // VENDOR_OF's vendors, read once (no keyed lookup per line)
  if (xrNode || (f & FAMILY_XR) !== 0) { ev.platform = 'iosxr'; ev.vendor = VENDOR_IOSXR; }
  else if (ev.program !== undefined && ev.program !== 'tac_plus') { ev.platform = 'eos'; ev.vendor = VENDOR_EOS; }
  else if (yearFirst || (f & FAMILY_NXOS) !== 0) { ev.platform = 'nxos'; ev.vendor = VENDOR_NXOS; }
  else { ev.platform = 'ios'; ev.vendor = VENDOR_IOS; }
}

/**
 * Fields whose values a lazy parse (ParseContext.lazy) has already set when it returns the event: a route over
 * these fields alone may be decided before completeEvent. The time, the message and the extracted fields may wait.
 */
export const LAZY_ROUTE_FIELDS: ReadonlySet<string> = new Set(['host', 'facility', 'severity', 'program', 'pid', 'mnemonic', 'vendor', 'platform', 'kind', 'seq', 'node', 'raw']);

// The one event a lazy parse left incomplete (a lazy caller completes or drops it before it parses the next line).
let pendingEv: Event | undefined;
let pendingMs: number | undefined;
let pendingText = 0;
let pendingX: Extractor | null = null;

/**
 * mnemonicEvent for a lazy parse: the routing fields now, the time, the message and the extractor's fields left
 * for completeEvent. hot path (bench/hunt round 7): 44% of the bench's lines are routed to rules that all have
 * literals and hold none of them, and were done with after a full parse. Returns false (nothing set) for ids whose
 * routing fields depend on the extraction (ASA messages, extractors that decide the kind from the text or change
 * the program).
 */
function lazyMnemonicEvent(ev: Event, sp: KnownMnemonic, xrNode: boolean, yearFirst: boolean, ms: number | undefined): boolean {
  if ((familyOf(sp) & FAMILY_LAZY) === 0) return false;
  const kind = sp.routeKind;
  ev.mnemonic = sp.mnemonic;
  if (sp.severity !== undefined) ev.severity = sp.severity;
  ciscoPlatform(ev, sp, xrNode, yearFirst);
  if (kind !== null) ev.kind = kind;
  pendingEv = ev;
  pendingMs = ms;
  pendingText = mnemonicText;
  pendingX = extractorOf(sp);
  return true;
}

/** Forgets the event a lazy parse left incomplete (it holds its line, a slice of a read chunk): end of a lazy input. */
export function dropPending(): void {
  pendingEv = undefined;
  pendingX = null;
}

/**
 * Completes an event a lazy parse returned: afterwards it is the event a full parse gives (same fields, same order).
 * Nothing to do for any other event. A lazy caller must call this before it reads any field outside
 * LAZY_ROUTE_FIELDS and before it parses the next line.
 */
export function completeEvent(ev: Event): void {
  if (ev !== pendingEv) return;
  pendingEv = undefined;
  if (pendingMs !== undefined) ev.time = isoFromMs(pendingMs);
  const msg = (ev.raw as string).slice(pendingText);
  ev.message = msg;
  const x = pendingX;
  pendingX = null;
  if (x !== null) x(msg, ev);
}

function programEvent(ev: Event, text: string, program: string): void {
  if (program === 'tac_plus' || program === 'tac_plus-ng' || program === 'tacacs') {
    const server = ev.host;
    if (parseTacPlusRecord(text, ev)) {
      ev.message = text;
      setPlatform(ev, 'tac_plus');
      if (server && server !== ev.host) ev.aaa_server = server;
      return;
    }
  }
  // "UI_COMMIT: User 'x' requested..." (Junos BSD-style syslog)
  const colon = text.indexOf(': ');
  if (colon > 3 && colon < 64) {
    const tag = text.slice(0, colon);
    if (isJunosTag(tag)) {
      ev.mnemonic = tag;
      ev.message = text.slice(colon + 2);
      setPlatform(ev, 'junos');
      parseJunosTag(tag, ev.message as string, ev);
      ev.kind = ev.kind ?? 'system';
      return;
    }
  }
  if (/^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(text)) {
    ev.mnemonic = text; ev.message = ''; setPlatform(ev, 'junos'); parseJunosTag(text, '', ev); ev.kind = ev.kind ?? 'system';
    return;
  }
  ev.message = text;
  if (LINUX_PROGRAMS.has(program) || /^sshd/.test(program)) {
    setPlatform(ev, 'linux');
    parseLinuxMessage(text, ev, program.startsWith('sshd') ? 'sshd' : program);
  } else setPlatform(ev, 'syslog');
  ev.kind = ev.kind ?? 'system';
}

function fill5424(ev: Event, r: NonNullable<ReturnType<typeof parseRfc5424>>, _refMs: number): void {
  if (r.ms !== undefined) ev.time = isoFromMs(r.ms);
  ev.host = r.host;
  ev.program = r.app;
  if (r.procid !== undefined) { const n = Number(r.procid); ev.pid = Number.isFinite(n) ? n : r.procid; }
  ev.message = r.msg;
  const junos = r.sdId?.startsWith('junos@') || (r.msgid !== undefined && isJunosTag(r.msgid)) || (r.app !== undefined && JUNOS_PROGRAMS.has(r.app));
  if (r.msgid !== undefined) ev.mnemonic = r.msgid;
  if (r.sd) applyJunosSd(r.sd, ev);
  if (junos) {
    setPlatform(ev, 'junos');
    if (r.msgid) parseJunosTag(r.msgid, r.msg, ev);
  } else if (r.app && (LINUX_PROGRAMS.has(r.app) || r.app.startsWith('sshd'))) {
    setPlatform(ev, 'linux');
    parseLinuxMessage(r.msg, ev, r.app.startsWith('sshd') ? 'sshd' : r.app);
  } else if (r.msg.charCodeAt(0) === 37) {
    const sp = mnemonicAt(r.msg, 0);
    if (sp) { mnemonicEvent(ev, r.msg, sp, mnemonicText, false, false); return; }
    setPlatform(ev, 'syslog');
  } else {
    // Junos lines without a msgid: "- - - - HOST TAG: text" or "host kernel: text"
    const pt = programAt(r.msg, 0);
    if (pt && ev.program === undefined) {
      ev.program = pt[0];
      programEvent(ev, r.msg.slice(pt[2]).trim(), pt[0]);
      return;
    }
    setPlatform(ev, 'syslog');
  }
  ev.kind = ev.kind ?? 'system';
}

function finish(ev: Event, ctx: ParseContext): void {
  if (ctx.platform && ctx.platform !== 'jsonl' && ev.platform !== ctx.platform) {
    ev.platform = ctx.platform;
    ev.vendor = VENDOR_OF[ctx.platform];
  }
  if (ev.kind === undefined) ev.kind = 'system';
}
