/**
 * RFC 5424 bodies (Junos structured-data syslog, rsyslog forwarding) and Junos message tags
 * (`UI_COMMIT`, `UI_CMDLINE_READ_LINE`, `UI_LOGIN_EVENT`, `SSHD_LOGIN_FAILED`, `RT_FLOW_*` ...).
 */
import type { Event } from '../../model/event.js';
import { scanIsoStamp } from './time.js';

export interface Rfc5424 {
  ms?: number;
  host?: string;
  app?: string;
  procid?: string;
  msgid?: string;
  sdId?: string;
  sd?: Record<string, string>;
  msg: string;
}

function token(s: string, p: number): [string, number] {
  let q = p;
  while (q < s.length && s.charCodeAt(q) !== 32) q++;
  return [s.slice(p, q), q + 1];
}

/** Parses `TIMESTAMP HOST APP PROCID MSGID SD [MSG]` at p (after `<PRI>VERSION `). Undefined if malformed. */
export function parseRfc5424(s: string, p: number): Rfc5424 | undefined {
  let ms: number | undefined;
  if (s.charCodeAt(p) === 45) p += 2;
  else {
    const st = scanIsoStamp(s, p);
    if (!st || s.charCodeAt(st.end) !== 32) return undefined;
    ms = st.ms;
    p = st.end + 1;
  }
  const [host, p1] = token(s, p);
  const [app, p2] = token(s, p1);
  const [procid, p3] = token(s, p2);
  const [msgid, p4] = token(s, p3);
  if (!host || !app || !procid || !msgid || p4 > s.length + 1) return undefined;
  const r: Rfc5424 = { ms, msg: '' };
  if (host !== '-') r.host = host;
  if (app !== '-') r.app = app;
  if (procid !== '-') r.procid = procid;
  if (msgid !== '-') r.msgid = msgid;
  let q = p4;
  if (s.charCodeAt(q) === 45) q += 1;
  else if (s.charCodeAt(q) === 91) {
    // one or more [id k="v" ...] elements; values escape \" \\ \]
    const sd: Record<string, string> = {};
    while (s.charCodeAt(q) === 91) {
      let e = q + 1;
      while (e < s.length && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 93) e++;
      if (!r.sdId) r.sdId = s.slice(q + 1, e);
      q = e;
      for (;;) {
        while (s.charCodeAt(q) === 32) q++;
        if (q >= s.length) return undefined;
        if (s.charCodeAt(q) === 93) { q++; break; }
        const eq = s.indexOf('="', q);
        if (eq < 0) return undefined;
        const name = s.slice(q, eq);
        let v = '';
        let i = eq + 2;
        for (; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c === 92 && i + 1 < s.length) { v += s[i + 1]; i++; continue; }
          if (c === 34) break;
          v += s[i];
        }
        if (i >= s.length) return undefined;
        sd[name] = v;
        q = i + 1;
      }
    }
    r.sd = sd;
  } else return undefined;
  if (s.charCodeAt(q) === 32) q++;
  let msg = s.slice(q);
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
  r.msg = msg.trim();
  return r;
}

const SD_MAP: Record<string, string> = {
  username: 'user', 'source-address': 'src_ip', 'destination-address': 'dst_ip', 'source-port': 'src_port',
  'destination-port': 'dst_port', 'command': 'cmd', 'protocol-id': 'protocol', 'interface-name': 'interface',
  'policy-name': 'policy', 'source-zone-name': 'src_zone', 'destination-zone-name': 'dst_zone', 'service-name': 'service',
  'local-address': 'local_ip', 'remote-address': 'remote_ip', 'nat-source-address': 'nat_src_ip', 'nat-destination-address': 'nat_dst_ip',
};
const SD_NUMERIC = new Set(['src_port', 'dst_port']);

/** Copies well-known Junos structured-data parameters onto normalized names; the raw params stay under `sd`. */
export function applyJunosSd(sd: Record<string, string>, ev: Event): void {
  ev.sd = sd;
  for (const k in sd) {
    const f = SD_MAP[k];
    if (!f) continue;
    const v = sd[k];
    if (v === '' || v === 'N/A') continue;
    ev[f] = SD_NUMERIC.has(f) && /^\d+$/.test(v) ? Number(v) : v;
  }
}

const RE = {
  commit: /^User '([^']*)' requested '([^']*)' operation(?: \(comment: (.*)\))?/,
  cmdline: /^User '([^']*)', command '(.*)'\s*$/,
  login: /^User '([^']*)' login, class '([^']*)'(?: \[\d+\])?(?:, ssh-connection '(\S+) (\d+) (\S+) (\d+)')?/,
  logout: /^User '([^']*)' logout/,
  auth: /^Authenticated user '([^']*)'(?: assigned to class '([^']*)'| at permission level '([^']*)')?/,
  sshdFail: /^(?:Login failed|Failed \S+) for (?:invalid user )?(?:user )?'?([^'\s]*)'? from (?:host )?'?([0-9A-Fa-f.:]+)'?/,
};

/** Junos tag handling: fills kind and fields from the message text for the tags the rules read. */
export function parseJunosTag(tag: string, msg: string, ev: Event): void {
  let m: RegExpExecArray | null;
  switch (tag) {
    case 'UI_COMMIT':
    case 'UI_COMMIT_PROGRESS':
    case 'UI_COMMIT_COMPLETED':
      ev.kind = 'config';
      if ((m = RE.commit.exec(msg))) { ev.user = m[1]; ev.operation = m[2]; if (m[3]) ev.comment = m[3]; }
      return;
    case 'UI_CMDLINE_READ_LINE':
      ev.kind = 'command';
      if ((m = RE.cmdline.exec(msg))) { ev.user = m[1]; ev.cmd = m[2]; }
      return;
    case 'UI_LOGIN_EVENT':
      ev.kind = 'login';
      ev.outcome = 'success';
      if ((m = RE.login.exec(msg))) {
        ev.user = m[1]; ev.user_class = m[2];
        if (m[3]) { ev.src_ip = m[3]; ev.src_port = Number(m[4]); ev.dst_ip = m[5]; ev.local_port = Number(m[6]); }
      }
      return;
    case 'UI_LOGOUT_EVENT':
      ev.kind = 'logout';
      if ((m = RE.logout.exec(msg))) ev.user = m[1];
      return;
    case 'UI_AUTH_EVENT':
      ev.kind = 'login';
      ev.outcome = 'success';
      if ((m = RE.auth.exec(msg))) { ev.user = m[1]; if (m[2] ?? m[3]) ev.user_class = m[2] ?? m[3]; }
      return;
    case 'SSHD_LOGIN_FAILED':
    case 'LOGIN_FAILED':
    case 'UI_AUTH_INVALID_CHALLENGE':
      ev.kind = 'login';
      ev.outcome = 'failure';
      if (ev.user === undefined && (m = RE.sshdFail.exec(msg))) { ev.user = m[1]; ev.src_ip = m[2]; }
      return;
    default:
      if (tag.startsWith('RT_FLOW_SESSION')) {
        ev.kind = 'traffic';
        ev.action = tag.endsWith('DENY') ? 'deny' : tag.endsWith('CREATE') ? 'permit' : 'close';
      } else if (tag.startsWith('RT_SCREEN') || tag.startsWith('RT_IDS')) {
        ev.kind = 'traffic';
        ev.action = 'deny';
      } else if (tag.startsWith('UI_CFG_AUDIT')) {
        ev.kind = 'config';
      }
  }
}

/** A Junos message tag: upper case with underscores (`UI_COMMIT`, `RT_FLOW_SESSION_CREATE`). */
export function isJunosTag(s: string): boolean {
  return /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(s);
}
