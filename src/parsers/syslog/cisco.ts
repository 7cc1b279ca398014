/**
 * Cisco-style message ids (`%FACILITY[-SUB]-SEVERITY-MNEMONIC: text`, used by IOS, IOS XE, IOS XR, NX-OS, ASA
 * and Arista EOS) and the field extractors for the messages the detection content reads. Extractors run only
 * for the mnemonics listed here (one map lookup per line); every other message keeps its text as `message`.
 */
import type { Event } from '../../model/event.js';
import { parseAvPairs } from '../tacacs.js';
import { parseLinuxMessage } from './linux.js';
import { detach } from '../../util/detach.js';

export interface MnemonicSplit {
  /** `SYS-5-CONFIG_I`, `ACL-IPV4_ACL-6-IPACCESSLOGP`, `ASA-session-5-106100`, or `CEF-HWIDB` (no severity). */
  mnemonic: string;
  severity?: number;
  /** First part (`SYS`, `ASA`) and last part (`CONFIG_I`, `106100`). */
  facility: string;
  name: string;
  /** Index of the text after `: `. */
  text: number;
}

function isMnemChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Splits `%A-B-5-C: text` at p (p points at `%`). Also accepts `A-B-5-C : text` (IOS XR puts a space before
 * the colon) and, with `lenient`, `CEF-HWIDB: text` without `%` and severity (seen in `show logging`).
 */
export function splitMnemonic(s: string, p: number, lenient = false): MnemonicSplit | undefined {
  const k = mnemonicAt(s, p, lenient);
  return k === undefined ? undefined : { mnemonic: k.mnemonic, severity: k.severity, facility: k.facility, name: k.name, text: mnemonicText };
}

/** Where the text after the id begins, for the id mnemonicAt found last. */
export let mnemonicText = 0;

/**
 * splitMnemonic without a result object per line (hot path, bench/hunt round 6): the shared parts of the id, with
 * the index of the text in `mnemonicText`; undefined when there is no id at p.
 */
export function mnemonicAt(s: string, p: number, lenient = false): KnownMnemonic | undefined {
  const pct = s.charCodeAt(p) === 37;
  if (!pct && !lenient) return undefined;
  const start = pct ? p + 1 : p;
  let q = start;
  // hot path (bench/hunt round 5): the first and the last two dashes kept while walking the id (was: an array of
  // every dash, about 150 bytes of garbage per line)
  let dashes = 0, firstDash = -1, prevDash = -1, lastDash = -1;
  while (q < s.length) {
    const c = s.charCodeAt(q);
    if (c === 45) {
      if (q === start || s.charCodeAt(q - 1) === 45) return undefined;
      if (dashes === 0) firstDash = q;
      prevDash = lastDash;
      lastDash = q;
      dashes++;
    } else if (!isMnemChar(c)) break;
    q++;
  }
  const end = q;
  if (dashes === 0 || end - start > 80) return undefined;
  // ':' directly or after one space
  if (s.charCodeAt(q) === 32 && s.charCodeAt(q + 1) === 58) q++;
  if (s.charCodeAt(q) !== 58) return undefined;
  q++;
  while (s.charCodeAt(q) === 32) q++;
  // hot path: a log repeats a few hundred message ids; their parts are computed once and shared (three slices less
  // per line; on its own within the noise of bench/hunt, about 1%), so the strings
  // later map lookups use (extractors, routing, facility sets) carry a cached hash instead of being fresh slices
  let known = mnemonicCache.get(s.slice(start, end));
  if (known === undefined) {
    const mnemonic = detach(s.slice(start, end));
    // severity: the last dash-separated part that is a single digit 0-7, before the name
    let severity: number | undefined;
    if (dashes >= 2) {
      const prev = prevDash;
      if (lastDash - prev === 2) {
        const d = s.charCodeAt(prev + 1) - 48;
        if (d >= 0 && d <= 7) severity = d;
      }
    }
    known = { mnemonic, severity, facility: mnemonic.slice(0, firstDash - start), name: mnemonic.slice(lastDash + 1 - start), upper: /^[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)+$/.test(mnemonic), parts: dashes + 1, extractor: undefined, family: -1, routeKind: null };
    if (mnemonicCache.size > 20000) mnemonicCache.clear();
    mnemonicCache.set(mnemonic, known);
  }
  if (known.severity === undefined) {
    if (pct) {
      // %FAC-SEV-NAME must have a severity digit; "%ASA-session-5-106100" has it at the second-to-last part
      return undefined;
    }
    // lenient form must be upper case
    if (!known.upper) return undefined;
  }
  mnemonicText = q;
  return known;
}

/** A message id's parts, computed once per distinct id. */
export interface KnownMnemonic {
  mnemonic: string;
  severity: number | undefined;
  facility: string;
  name: string;
  /** Matches the upper-case form the lenient (no `%`) syntax requires. */
  upper: boolean;
  /** Dash-separated parts (`mnemonic.split('-').length`). */
  parts: number;
  /** The extractor (extractorOf), once looked up. */
  extractor: Extractor | null | undefined;
  /** What the id alone says about the platform and a lazy parse (bits of the syslog parser's familyOf), -1 until it is asked. */
  family: number;
  /** With familyOf's lazy bit: the kind the extractor sets (routeKindOf), null for none. */
  routeKind: string | null;
}
const mnemonicCache = new Map<string, KnownMnemonic>();

export type Extractor = (msg: string, ev: Event) => void;

const RE = {
  configI: /^Configured from (\S+) by (\S+)(?: on (\S+))?(?: \(([^)]*)\))?/,
  configE: /^Enter configuration mode from (\S+) by (\S+)(?: on (\S+))?(?: \(([^)]*)\))?/,
  configP: /^Configured programmatically by process (\S+) from (\S+) as (\S+)(?: on (\S+))?/,
  cfglog: /^User:(\S*)\s+logged command:(.*)$/,
  cfglogXml: /<user>([^<]*)<\/user>.*?(?:<srcIP>([^<]*)<\/srcIP>)?.*?<cli>([^<]*)<\/cli>/,
  bracket: /\[(user|Source|localport|Reason|Server|Domain)\s*:\s*([^\]]*)\]/g,
  ssh2Session: /^SSH2 Session request from (\S+) \(tty = (\d+)\).*?(Succeeded|Failed)\s*$/,
  ssh2Userauth: /^User '([^']*)' authentication for SSH2 Session from (\S+) \(tty = (\d+)\).*?(Succeeded|Failed)\s*$/,
  ssh2Close: /^SSH2 Session from (\S+) \(tty = (\d+)\) for user '([^']*)'/,
  logout: /^User (\S+) has exited tty session (\d+)\(([^)]*)\)/,
  loggingHost: /^Logging to host (\S+)(?: port (\d+))?(?: VRF \S+)? (started|stopped)/,
  reload: /^Reload requested by (\S+) on (\S+)(?: \(([^)]*)\))?\.?(?: Reload [Rr]eason: (.*?)\.?)?$/,
  clearCounters: /^Clear counter on (.+?) by (\S+) on (\S+)(?: \(([^)]*)\))?/,
  ifState: /^(?:Line protocol on )?Interface ([^,]+), changed state to (\S+)/i,
  acl: /(?:^|\s)(?:list|access-list) (\S+) (denied|permitted|deny|permit)\s+(\S+)\s+(?:[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5} )?([0-9A-Fa-f:.]+)(?:\((\d+)\))?(?: \([^)]*\))?\s*(?:\S+\s*)?-> ?([0-9A-Fa-f:.]+)(?:\((\d+)\))?(?:.*?, (\d+) packets?)?/,
  badauth: /^(No|Invalid) MD5 digest from ([0-9A-Fa-f.:]+?)(?:\((\d+)\)|:(\d+)) to ([0-9A-Fa-f.:]+?)(?:\((\d+)\)|:(\d+))/,
  webuiInstall: /^User: ([^,]+), Install Operation: (\S+)\s*(.*)$/,
  usernameConfig: /user with username: (\S+) configured/,
  bgpAdj: /^neighbor (\S+)(?: vpn vrf \S+)? (Up|Down)/,
  nxosAcct: /^(start|stop|update):([^@]*)@([^:]*):([^:]*):(.*?)(?:\s*\((SUCCESS|FAILURE|FAILED)\))?\s*$/,
  vshd: /^Configured from (\S+) by (\S+) on ([^@\s]+)@(\S+)/,
  xrCommit: /^Configuration committed by user '([^']*)'(?:\. Use 'show configuration commit changes (\S+)')?/,
  xrAuth: /(?:uccessfully authenticated|ailed authentication attempt by) user '([^']*)' from '([^']*)' on '([^']*)'/,
  xrRunLogin: /^User (\S+) logged into shell from (\S+)/,
  haEm: /^([^:\s]+):\s?(.*)$/,
  nxosTrailer: / - ([A-Za-z_][\w.-]*)(?:\[(\d+)\])?\s*$/,
  eosAcct: /^(\S+) (\S+) (\S+) (start|stop|update) (.*)$/,
};

function outcomeOf(word: string): 'success' | 'failure' {
  return /^succ/i.test(word) ? 'success' : 'failure';
}

function setIp(ev: Event, key: string, v: string | undefined): void {
  if (!v) return;
  const t = v.trim();
  if (t && t !== '-' && t !== 'unknown') ev[key] = t;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Fills user/tty/src_ip from "by USER on LINE (IP)". */
function byUserOnLine(ev: Event, m: RegExpExecArray, userIdx: number): void {
  ev.user = m[userIdx];
  if (m[userIdx + 1]) ev.tty = m[userIdx + 1];
  setIp(ev, 'src_ip', m[userIdx + 2]);
}

const configI: Extractor = (msg, ev) => {
  ev.kind = 'config';
  const m = RE.configI.exec(msg);
  if (m) { ev.config_source = m[1]; byUserOnLine(ev, m, 2); }
};

const secLogin: Extractor = (msg, ev) => {
  ev.kind = 'login';
  RE.bracket.lastIndex = 0;
  for (let m = RE.bracket.exec(msg); m; m = RE.bracket.exec(msg)) {
    const k = m[1], v = m[2].trim();
    if (k === 'user') ev.user = v;
    else if (k === 'Source') setIp(ev, 'src_ip', v);
    else if (k === 'localport') ev.local_port = num(v) ?? v;
    else if (k === 'Reason') ev.reason = v;
  }
  ev.outcome = failIn20(msg) ? 'failure' : 'success';
};

const aclLog: Extractor = (msg, ev) => {
  ev.kind = 'traffic';
  const m = RE.acl.exec(msg);
  if (!m) return;
  ev.acl = m[1];
  ev.action = m[2].startsWith('deny') || m[2] === 'denied' ? 'deny' : 'permit';
  ev.protocol = m[3];
  setIp(ev, 'src_ip', m[4]);
  if (m[5]) ev.src_port = Number(m[5]);
  setIp(ev, 'dst_ip', m[6]);
  if (m[7]) ev.dst_port = Number(m[7]);
  if (m[8]) ev.packets = Number(m[8]);
};

/** `/fail/i.test(msg.slice(0, 20))` without the slice and the regex (hot path, bench/hunt round 6: login lines). */
function failIn20(msg: string): boolean {
  const n = Math.min(msg.length, 20);
  for (let i = 0; i + 4 <= n; i++) {
    if ((msg.charCodeAt(i) | 0x20) === 102 && (msg.charCodeAt(i + 1) | 0x20) === 97 && (msg.charCodeAt(i + 2) | 0x20) === 105 && (msg.charCodeAt(i + 3) | 0x20) === 108) return true;
  }
  return false;
}

const linkState: Extractor = (msg, ev) => {
  const m = RE.ifState.exec(msg);
  if (m) {
    ev.interface = m[1].trim();
    // hot path (bench/hunt round 6: 18% of its lines): a trailing '.' or ',' cut without a regex replace
    const st = m[2], c = st.charCodeAt(st.length - 1);
    ev.state = c === 46 || c === 44 ? st.slice(0, -1) : st;
  }
};

const ssh2Userauth: Extractor = (msg, ev) => {
  ev.kind = 'login';
  const m = RE.ssh2Userauth.exec(msg);
  if (m) { ev.user = m[1]; setIp(ev, 'src_ip', m[2]); ev.tty = m[3]; ev.outcome = outcomeOf(m[4]); }
};

/** Linux messages relayed inside NX-OS `%AUTHPRIV-n-SYSTEM_MSG: text - prog[pid]` and `%DAEMON-...` lines. */
const nxosSystemMsg: Extractor = (msg, ev) => {
  const t = RE.nxosTrailer.exec(msg);
  let text = msg;
  if (t) {
    ev.program = t[1];
    if (t[2]) ev.pid = Number(t[2]);
    text = msg.slice(0, t.index);
  }
  parseLinuxMessage(text.trim(), ev, (ev.program as string | undefined) ?? '');
};

const EXTRACTORS: Record<string, Extractor> = {
  'SYS-CONFIG_I': configI,
  'SYS-CONFIG_E': (msg, ev) => {
    ev.kind = 'config';
    const m = RE.configE.exec(msg);
    if (m) { ev.config_source = m[1]; byUserOnLine(ev, m, 2); }
  },
  'SYS-CONFIG_P': (msg, ev) => {
    ev.kind = 'config';
    const m = RE.configP.exec(msg);
    if (m) { ev.config_process = m[1]; ev.config_source = m[2]; ev.user = m[3]; if (m[4]) ev.tty = m[4]; }
  },
  'PARSER-CFGLOG_LOGGEDCMD': (msg, ev) => {
    ev.kind = 'command';
    const m = RE.cfglog.exec(msg);
    if (m) { ev.user = m[1]; ev.cmd = m[2].trim(); return; }
    const x = RE.cfglogXml.exec(msg);
    if (x) { ev.user = x[1]; setIp(ev, 'src_ip', x[2]); ev.cmd = decodeXml(x[3]).trim(); }
  },
  'HA_EM-LOG': (msg, ev) => {
    const m = RE.haEm.exec(msg);
    if (m) { ev.applet = m[1]; if (/cli|cmd|catch|log/i.test(m[1])) { ev.kind = 'command'; ev.cmd = m[2].trim(); } }
  },
  'SEC_LOGIN-LOGIN_SUCCESS': secLogin,
  'SEC_LOGIN-LOGIN_FAILED': secLogin,
  'SEC_LOGIN-WEBLOGIN_SUCCESS': (msg, ev) => { secLogin(msg, ev); ev.login_via = 'web'; },
  'SEC_LOGIN-WEBLOGIN_FAILED': (msg, ev) => { secLogin(msg, ev); ev.login_via = 'web'; },
  'SSH-SSH2_SESSION': (msg, ev) => {
    ev.kind = 'session';
    const m = RE.ssh2Session.exec(msg);
    if (m) { setIp(ev, 'src_ip', m[1]); ev.tty = m[2]; ev.outcome = outcomeOf(m[3]); }
  },
  'SSH-SSH2_USERAUTH': ssh2Userauth,
  'SSH-SSH2_CLOSE': (msg, ev) => {
    ev.kind = 'logout';
    const m = RE.ssh2Close.exec(msg);
    if (m) { setIp(ev, 'src_ip', m[1]); ev.tty = m[2]; ev.user = m[3]; }
  },
  'SYS-LOGOUT': (msg, ev) => {
    ev.kind = 'logout';
    const m = RE.logout.exec(msg);
    if (m) { ev.user = m[1]; ev.tty = m[2]; setIp(ev, 'src_ip', m[3]); }
  },
  'SYS-LOGOUT_C6K': (msg, ev) => {
    ev.kind = 'logout';
    const m = RE.logout.exec(msg);
    if (m) { ev.user = m[1]; ev.tty = m[2]; setIp(ev, 'src_ip', m[3]); }
  },
  'SYS-LOGGINGHOST_STARTSTOP': (msg, ev) => {
    ev.kind = 'config';
    const m = RE.loggingHost.exec(msg);
    if (m) { setIp(ev, 'dst_ip', m[1]); if (m[2]) ev.dst_port = Number(m[2]); ev.state = m[3]; }
  },
  'SYS-LOG_CONFIG_CHANGE': (_msg, ev) => { ev.kind = 'config'; },
  'SYS-RELOAD': (msg, ev) => {
    const m = RE.reload.exec(msg);
    if (m) { byUserOnLine(ev, m, 1); if (m[4]) ev.reason = m[4]; }
  },
  'CLEAR-COUNTERS': (msg, ev) => {
    const m = RE.clearCounters.exec(msg);
    if (m) { ev.interface = m[1]; byUserOnLine(ev, m, 2); }
  },
  'LINK-UPDOWN': linkState,
  'LINK-CHANGED': linkState,
  'LINEPROTO-UPDOWN': linkState,
  'SEC-IPACCESSLOGP': aclLog,
  'SEC-IPACCESSLOGDP': aclLog,
  'SEC-IPACCESSLOGRP': aclLog,
  'SEC-IPACCESSLOGNP': aclLog,
  'SEC-IPACCESSLOGSP': aclLog,
  'SEC-IPACCESSLOGS': aclLog,
  'IPV6-ACCESSLOGP': aclLog,
  'IPV6-ACCESSLOGDP': aclLog,
  'IPV6-ACCESSLOGSP': aclLog,
  'IPV6_ACL-ACCESSLOGP': aclLog,
  'IPV6_ACL-ACCESSLOGDP': aclLog,
  'IPV6_ACL-ACCESSLOGSP': aclLog,
  'FMANFP-IPACCESSLOGP': aclLog,
  'FMANFP-IPACCESSLOGDP': aclLog,
  'FMANFP-IPACCESSLOGSP': aclLog,
  'FMANFP-IPACCESSLOGNP': aclLog,
  'FMANFP-IPV6ACCESSLOGP': aclLog,
  'FMANFP-IPV6ACCESSLOGDP': aclLog,
  'ACL-IPACCESSLOGP': aclLog,
  'ACL-IPACCESSLOGDP': aclLog,
  'ACL-IPACCESSLOGNP': aclLog,
  'ACL-IPV6ACCESSLOGP': aclLog,
  'TCP-BADAUTH': (msg, ev) => {
    const m = RE.badauth.exec(msg);
    if (!m) return;
    ev.reason = m[1] === 'No' ? 'no MD5 digest' : 'invalid MD5 digest';
    setIp(ev, 'src_ip', m[2]); ev.src_port = num(m[3] ?? m[4]);
    setIp(ev, 'dst_ip', m[5]); ev.dst_port = num(m[6] ?? m[7]);
  },
  'WEBUI-INSTALL_OPERATION_INFO': (msg, ev) => {
    const m = RE.webuiInstall.exec(msg);
    if (m) { ev.user = m[1].trim(); ev.operation = m[2]; if (m[3]) ev.file = m[3].trim(); }
  },
  'AAA-USERNAME_CONFIGURATION': (msg, ev) => {
    ev.kind = 'account';
    const m = RE.usernameConfig.exec(msg);
    if (m) ev.target_user = m[1];
  },
  'BGP-ADJCHANGE': (msg, ev) => {
    const m = RE.bgpAdj.exec(msg);
    if (m) { setIp(ev, 'neighbor', m[1]); ev.state = m[2]; }
  },
  'AAA-AAA_ACCOUNTING_MESSAGE': (msg, ev) => {
    const m = RE.nxosAcct.exec(msg);
    if (!m) return;
    ev.acct_type = m[1];
    setIp(ev, 'src_ip', m[2]);
    ev.tty = m[3];
    ev.user = m[4];
    const cmd = m[5].trim();
    if (cmd) { ev.cmd = cmd; ev.kind = 'command'; } else ev.kind = 'accounting';
    if (m[6]) ev.outcome = m[6] === 'SUCCESS' ? 'success' : 'failure';
  },
  'VSHD-VSHD_SYSLOG_CONFIG_I': (msg, ev) => {
    ev.kind = 'config';
    const m = RE.vshd.exec(msg);
    if (m) { ev.config_source = m[1]; ev.user = m[2]; setIp(ev, 'src_ip', m[3]); ev.tty = m[4]; }
  },
  'AUTHPRIV-SYSTEM_MSG': nxosSystemMsg,
  'DAEMON-SYSTEM_MSG': nxosSystemMsg,
  'USER-SYSTEM_MSG': nxosSystemMsg,
  'KERN-SYSTEM_MSG': (msg, ev) => { const t = RE.nxosTrailer.exec(msg); if (t) ev.program = t[1]; },
  // IOS XR
  'MGBL-DB_COMMIT': (msg, ev) => {
    ev.kind = 'config';
    const m = RE.xrCommit.exec(msg);
    if (m) { ev.user = m[1]; if (m[2]) ev.commit_id = m[2]; }
  },
  'MGBL-CONFIG_I': configI,
  'SECURITY-INFO_SUCCESS': xrAuth,
  'SECURITY-INFO_FAILURE': xrAuth,
  'SECURITY-AUTHEN_SUCCESS': xrAuth,
  'SECURITY-AUTHEN_FAILED': xrAuth,
  'INFRA-RUN_LOGIN': (msg, ev) => {
    ev.kind = 'login';
    const m = RE.xrRunLogin.exec(msg);
    if (m) { ev.user = m[1]; ev.tty = m[2]; ev.outcome = 'success'; ev.shell = true; }
  },
  // Arista EOS
  'ACCOUNTING-CMD': (msg, ev) => {
    const m = RE.eosAcct.exec(msg);
    if (!m) return;
    ev.user = m[1]; ev.tty = m[2]; setIp(ev, 'src_ip', m[3]); ev.acct_type = m[4];
    parseAvPairs(m[5], ev);
    ev.kind = ev.cmd !== undefined ? 'command' : 'accounting';
  },
};

/**
 * Extractors whose only effect on the fields a route reads (see LAZY_ROUTE_FIELDS in index.ts) is to set `kind` to
 * one constant (null: they never set it), so a lazy parse can route an event before they run. Every extractor not
 * listed here (kind decided by the text, `program` changed) runs before routing. hot path (bench/hunt round 7).
 */
const ROUTE_KIND = new Map<Extractor, string | null>();
{
  const k = (key: string, kind: string | null) => {
    const x = EXTRACTORS[key];
    if (!x) throw new Error(`no extractor ${key}`);
    ROUTE_KIND.set(x, kind);
  };
  for (const key of ['SYS-CONFIG_I', 'SYS-CONFIG_E', 'SYS-CONFIG_P', 'SYS-LOGGINGHOST_STARTSTOP', 'SYS-LOG_CONFIG_CHANGE', 'VSHD-VSHD_SYSLOG_CONFIG_I', 'MGBL-DB_COMMIT', 'MGBL-CONFIG_I']) k(key, 'config');
  for (const key of ['SEC_LOGIN-LOGIN_SUCCESS', 'SEC_LOGIN-LOGIN_FAILED', 'SEC_LOGIN-WEBLOGIN_SUCCESS', 'SEC_LOGIN-WEBLOGIN_FAILED', 'SSH-SSH2_USERAUTH', 'SECURITY-INFO_SUCCESS', 'SECURITY-INFO_FAILURE', 'SECURITY-AUTHEN_SUCCESS', 'SECURITY-AUTHEN_FAILED', 'INFRA-RUN_LOGIN']) k(key, 'login');
  k('PARSER-CFGLOG_LOGGEDCMD', 'command');
  k('SSH-SSH2_SESSION', 'session');
  for (const key of ['SSH-SSH2_CLOSE', 'SYS-LOGOUT', 'SYS-LOGOUT_C6K']) k(key, 'logout');
  k('AAA-USERNAME_CONFIGURATION', 'account');
  for (const [key, x] of Object.entries(EXTRACTORS)) if (x === EXTRACTORS['SEC-IPACCESSLOGP']) k(key, 'traffic');
  for (const key of ['SYS-RELOAD', 'CLEAR-COUNTERS', 'LINK-UPDOWN', 'LINK-CHANGED', 'LINEPROTO-UPDOWN', 'TCP-BADAUTH', 'WEBUI-INSTALL_OPERATION_INFO', 'BGP-ADJCHANGE']) k(key, null);
}

/**
 * The kind an extractor always sets (null: none) when it changes no other routing field, so it may run after
 * routing; undefined when it must run before. Exported for the tests.
 */
export function routeKindOf(x: Extractor): string | null | undefined {
  return ROUTE_KIND.get(x);
}

/** Every extractor by its key (for the tests). */
export function extractorEntries(): [string, Extractor][] {
  return Object.entries(EXTRACTORS);
}

function xrAuth(msg: string, ev: Event): void {
  ev.kind = 'login';
  const m = RE.xrAuth.exec(msg);
  if (m) { ev.user = m[1]; setIp(ev, 'src_ip', m[2]); ev.tty = m[3]; }
  ev.outcome = /^Success|uccessfully/.test(msg) ? 'success' : 'failure';
}

/**
 * The extractor of a message id (by its first and last parts, so `SEC_LOGIN-SW2-5-LOGIN_SUCCESS` works), or null;
 * kept with the id (hot path, bench/hunt round 6: no map lookup per line).
 */
export function extractorOf(k: KnownMnemonic): Extractor | null {
  let x = k.extractor;
  if (x === undefined) { x = EXTRACTORS[k.facility + '-' + k.name] ?? null; k.extractor = x; }
  return x;
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_m, e: string) => {
    switch (e) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default: return String.fromCharCode(Number(e.slice(1)));
    }
  });
}
