/**
 * TACACS+ accounting records in the two styles carriers collect:
 *
 * - tac_plus / tac_plus-ng accounting files (and the same record relayed over syslog by `tac_plus[pid]:`):
 *     `<stamp>\t<nas>\t<user>\t<tty>\t<rem_addr>\t<start|stop|update>\ttask_id=5\t...\tcmd=show running-config <cr>`
 *   Fields may be separated by tabs or spaces; `<stamp>` is `Mmm dd HH:MM:SS`, `YYYY-MM-DD HH:MM:SS [+zzzz]`
 *   or ISO 8601.
 * - Cisco ISE `CISE_TACACS_Accounting` syslog (and the other `CISE_*` categories), `Key=Value, ...` lists that may
 *   be split over several syslog segments.
 */
import type { Event } from '../model/event.js';
import { isoFromMs, scanIsoStamp, scanMonthStamp } from './syslog/time.js';

export const AV_KEYS: ReadonlySet<string> = new Set([
  'task_id', 'start_time', 'stop_time', 'elapsed_time', 'timezone', 'service', 'protocol', 'priv-lvl', 'priv_lvl', 'cmd',
  'cmd-arg', 'bytes_in', 'bytes_out', 'paks_in', 'paks_out', 'disc-cause', 'disc-cause-ext', 'pre-session-time',
  'nas-rx-speed', 'nas-tx-speed', 'addr', 'reason', 'event', 'err_msg', 'status',
]);

const NUMERIC = new Set(['task_id', 'elapsed_time', 'priv_lvl', 'bytes_in', 'bytes_out', 'paks_in', 'paks_out', 'disc_cause', 'disc_cause_ext', 'pre_session_time']);

function stripCr(s: string): string {
  let t = s.trim();
  if (t.endsWith('<cr>')) t = t.slice(0, -4).trimEnd();
  return t;
}

// hot path (every TACACS+ record): the known keys map to their field names once (no regex replace, and a
// property name V8 already knows instead of a fresh slice per pair)
const FIELD_OF = new Map<string, string>();
for (const k of AV_KEYS) FIELD_OF.set(k, k.replace(/-/g, '_'));
FIELD_OF.set('cmd-arg', 'cmd_arg');
FIELD_OF.set('cmd_arg', 'cmd_arg');

// the field names of the AV_KEYS alone (what the space-separated head of a record keeps)
const AV_FIELD = new Map<string, string>();
for (const k of AV_KEYS) AV_FIELD.set(k, FIELD_OF.get(k) as string);

/** Sets one AV pair on the event (the field named after the key, values as parseAvPairs gives them). */
export function setAv(ev: Event, key: string, raw: string): void {
  setField(ev, FIELD_OF.get(key) ?? key.replace(/-/g, '_'), raw);
}

/** setAv with the field name already known. */
function setField(ev: Event, k: string, raw: string): void {
  const v = raw.trim();
  if (k === 'cmd') { ev.cmd = stripCr(v); return; }
  if (k === 'cmd_arg') {
    const a = stripCr(v);
    if (a) ev.cmd = ev.cmd ? `${ev.cmd as string} ${a}` : a;
    return;
  }
  if (k === 'start_time' || k === 'stop_time') {
    const n = Number(v);
    ev[k] = Number.isFinite(n) && v !== '' ? isoFromMs(n * 1000) : v;
    return;
  }
  if (NUMERIC.has(k)) {
    const n = Number(v);
    ev[k] = Number.isFinite(n) && v !== '' ? n : v;
    return;
  }
  ev[k] = v;
}

/** A character `\s` matches (white space and line terminators, as split(/\s+/) and trim() take them). */
export function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Parses TACACS+ AV pairs (`task_id=5 timezone=UTC service=shell priv-lvl=15 cmd=show run <cr>`), tab- or space-separated. */
export function parseAvPairs(text: string, ev: Event): void {
  if (text.includes('\t')) {
    for (const part of text.split('\t')) {
      const eq = part.indexOf('=');
      if (eq > 0) setAv(ev, part.slice(0, eq), part.slice(eq + 1));
    }
    return;
  }
  // space-separated: cmd= runs to the end (commands have spaces); other values are single tokens
  const ci = /(?:^|\s)cmd=/.exec(text);
  // hot path (bench/hunt round 9: EOS accounting and tac_plus records, 8% of the bench, parsed in full): the
  // tokens of the head are walked in place, each key sliced and looked up once. Was: head.split(/\s+/), then two
  // slices of the key and two lookups (AV_KEYS, FIELD_OF) per token; the same tokens (maximal runs of non-`\s`
  // characters) and the same first `=` in each.
  const end = ci ? ci.index : text.length;
  for (let i = 0; i < end;) {
    let c = text.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    const a = i;
    let eq = -1;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (isSpace(c)) break;
      if (c === 61 && eq < 0) eq = i;
    }
    if (eq > a) {
      const f = AV_FIELD.get(text.slice(a, eq));
      if (f !== undefined) setField(ev, f, text.slice(eq + 1, i));
    }
  }
  if (ci) {
    let rest = text.slice(ci.index + ci[0].length);
    // trailing known AV pairs after the command (rare): split them off
    const tail = /\s(task_id|timezone|service|priv-lvl|elapsed_time|stop_time|start_time)=\S*(?:\s+\S+=\S*)*\s*$/.exec(rest);
    if (tail && !/<cr>\s*$/.test(rest)) {
      for (const tok of rest.slice(tail.index).trim().split(/\s+/)) {
        const eq = tok.indexOf('=');
        if (eq > 0) setAv(ev, tok.slice(0, eq), tok.slice(eq + 1));
      }
      rest = rest.slice(0, tail.index);
    }
    setAv(ev, 'cmd', rest);
  }
}

function accountingKind(ev: Event): void {
  const t = typeof ev.acct_type === 'string' ? ev.acct_type : '';
  if (ev.cmd !== undefined && ev.cmd !== '') ev.kind = 'command';
  else if (t === 'start') { ev.kind = 'login'; ev.outcome = 'success'; }
  else if (t === 'stop') ev.kind = 'logout';
  else ev.kind = 'accounting';
}

const RECORD = /^(\S+)[\t ]+(\S+)[\t ]+(\S+)[\t ]+(\S+)[\t ]+(start|stop|update)(?:[\t ]+(.*))?$/;

/**
 * The part of a tac_plus accounting record after its stamp: `nas user tty rem_addr type av...`.
 * Returns false when the text is not such a record.
 */
export function parseTacPlusRecord(text: string, ev: Event): boolean {
  const m = RECORD.exec(text);
  if (!m) return false;
  if (!m[6] || !/(?:^|\s)(task_id|service|cmd|timezone)=/.test(m[6])) return false;
  ev.nas = m[1];
  ev.host = m[1];
  ev.user = m[2];
  ev.tty = m[3];
  if (m[4] && m[4] !== '-' && m[4] !== 'unknown') ev.src_ip = m[4];
  ev.acct_type = m[5];
  parseAvPairs(m[6], ev);
  accountingKind(ev);
  return true;
}

/** A whole tac_plus accounting-file line (stamp first). Returns undefined when the line is not one. */
export function parseTacPlusLine(line: string, refMs: number): Event | undefined {
  let p = 0;
  // optional weekday ("Mon Nov 23 03:04:05 2026")
  if (/^[A-Z][a-z]{2} [A-Z][a-z]{2} /.test(line)) p = 4;
  let ms: number | undefined, end = -1;
  const iso = scanIsoStamp(line, p);
  if (iso) { ms = iso.ms; end = iso.end; }
  else {
    const st = scanMonthStamp(line, p, refMs, false);
    if (st) {
      ms = st.ms; end = st.end;
      const y = /^ (\d{4})(?=[\t ])/.exec(line.slice(end, end + 6));
      if (y) {
        const d = new Date(ms);
        d.setUTCFullYear(Number(y[1]));
        ms = d.getTime(); end += 5;
      }
    }
  }
  if (ms === undefined || (line.charCodeAt(end) !== 9 && line.charCodeAt(end) !== 32)) return undefined;
  const ev: Event = { time: isoFromMs(ms), host: undefined, program: 'tac_plus', message: line.slice(end + 1).trim(), vendor: undefined, platform: 'tac_plus', kind: 'accounting', raw: line };
  if (!parseTacPlusRecord(line.slice(end + 1).trim(), ev)) return undefined;
  return ev;
}

const ISE_SPLIT = /, (?=[A-Za-z][A-Za-z0-9 _-]{0,40}=)/;

/**
 * Cisco ISE syslog body starting at the category (`CISE_TACACS_Accounting 0000000001 4 0 <stamp> ...`).
 * Fills the event; returns false when the text is not an ISE message.
 */
export function parseIseBody(body: string, ev: Event): boolean {
  const m = /^(CISE_\w+) (\d+) (\d+) (\d+) ?(.*)$/.exec(body);
  if (!m) return false;
  ev.ise_category = m[1];
  ev.ise_message_id = m[2];
  ev.segment_total = Number(m[3]);
  ev.segment = Number(m[4]);
  let rest = m[5];
  const iso = scanIsoStamp(rest, 0);
  if (iso) {
    ev.time = isoFromMs(iso.ms);
    const h = /^ (\d+) (\d+) (\w+) ([^,]*?)(?:, |$)/.exec(rest.slice(iso.end));
    if (h) {
      ev.ise_sequence = h[1];
      ev.ise_code = h[2];
      ev.ise_level = h[3];
      ev.description = h[4];
      rest = rest.slice(iso.end + h[0].length);
    } else rest = rest.slice(iso.end).trim();
  }
  const kv: Record<string, string> = {};
  for (const part of rest.split(ISE_SPLIT)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 'AVPair') {
      const e2 = v.indexOf('=');
      if (e2 > 0) setAv(ev, v.slice(0, e2), v.slice(e2 + 1));
      continue;
    }
    if (k === 'CmdSet') {
      const cm = /CmdAV=([^\]]*?)\s*(?:CmdArgAV=|\]|$)/.exec(v);
      const args = [...v.matchAll(/CmdArgAV=([^\]\s]*(?:\s+(?!CmdArgAV=)[^\]\s]+)*)/g)].map((x) => stripCr(x[1])).filter(Boolean);
      const cmd = [cm ? stripCr(cm[1]) : '', ...args].filter(Boolean).join(' ');
      if (cmd) ev.cmd = cmd;
      continue;
    }
    if (kv[k] === undefined) kv[k] = v;
  }
  if (kv['NetworkDeviceName']) ev.host = kv['NetworkDeviceName'];
  if (kv['Device IP Address']) { ev.nas = kv['Device IP Address']; if (!ev.host) ev.host = kv['Device IP Address']; }
  if (kv['User'] ?? kv['UserName']) ev.user = kv['User'] ?? kv['UserName'];
  if (kv['Port']) ev.tty = kv['Port'];
  const rem = kv['Remote-Address'] ?? kv['Calling-Station-ID'];
  if (rem && rem !== '-') ev.src_ip = rem;
  if (kv['Privilege-Level'] !== undefined && ev.priv_lvl === undefined) ev.priv_lvl = Number(kv['Privilege-Level']);
  if (kv['Service-Argument']) ev.service = kv['Service-Argument'];
  if (kv['AcctRequest-Flags']) ev.acct_type = kv['AcctRequest-Flags'].toLowerCase();
  if (kv['Authen-Method']) ev.authen_method = kv['Authen-Method'];
  if (kv['FailureReason']) ev.reason = kv['FailureReason'];
  if (m[1] === 'CISE_TACACS_Accounting') {
    accountingKind(ev);
  } else if (m[1] === 'CISE_Failed_Attempts') {
    ev.kind = 'login'; ev.outcome = 'failure';
  } else if (m[1] === 'CISE_Passed_Authentications') {
    ev.kind = 'login'; ev.outcome = 'success';
  }
  return true;
}
