/**
 * Cisco ASA / FTD / PIX message bodies (`%ASA-SEV-NNNNNN: text`): connections, ACL hits, denies, admin logins
 * and the commands administrators ran (111008/111009/111010). Only the message ids below are read field by
 * field; others keep their text.
 */
import type { Event } from '../../model/event.js';

const IPP = '([0-9A-Fa-f.:]+?)(?:/(\\d+))?';
/**
 * IPP where nothing fixed follows it: the lazy address must run to the end of the address (and its port), or `dst
 * outside:192.168.0.8/53 by ...` reads as address "1" with the rest left to `.*?` (seen on the elastic ASA sample).
 */
const IPP_END = `${IPP}(?![0-9A-Fa-f.:/])`;
const RE = {
  built: new RegExp(`^Built (inbound|outbound) (\\S+) connection (\\d+) for ([^:\\s]+):${IPP} \\([^)]*\\)(?:\\(\\S*\\))? to ([^:\\s]+):${IPP} `),
  teardown: new RegExp(`^Teardown (\\S+) connection (\\d+) for ([^:\\s]+):${IPP} (?:\\S+ )?to ([^:\\s]+):${IPP}(?: \\S+)? duration (\\S+) bytes (\\d+)`),
  acl106100: /^access-list (\S+) (permitted|denied|est-allowed) (\S+) ([^/\s]+)\/([0-9A-Fa-f.:]+)\((\d+)\) -> ([^/\s]+)\/([0-9A-Fa-f.:]+)\((\d+)\)/,
  deny106023: new RegExp(`^Deny (\\S+) src ([^:\\s]+):${IPP} dst ([^:\\s]+):${IPP_END}.*?by access-group "([^"]+)"`),
  srcDst: new RegExp(`\\bsrc (?:([^:\\s]+):)?${IPP} dst (?:([^:\\s]+):)?${IPP_END}`),
  fromTo: new RegExp(`\\bfrom (?:([^:\\s]+):)?([0-9A-Fa-f.:]+?)/(\\d+) to (?:([^:\\s]+):)?([0-9A-Fa-f.:]+?)/(\\d+)`),
  login605: /^Login (permitted|denied) from ([0-9A-Fa-f.:]+)\/(\d+) to ([^:\s]+):([0-9A-Fa-f.:]+)\/(\S+) for user "([^"]*)"/,
  cmd111008: /^User '([^']*)' executed the '(.*)' command\.?$/,
  cmd111009: /^User '([^']*)' executed cmd: (.*)$/,
  cmd111010: /^User '([^']*)', running '([^']*)' from IP ([0-9A-Fa-f.:]+), executed '(.*)'$/,
  aaa113: /user = ([^:\s]+)(?:.*?user IP = ([0-9A-Fa-f.:]+))?/,
  priv502103: /^User priv level changed: Uname: (\S+) From: (\d+) To: (\d+)/,
  sshSession: /^SSH session from ([0-9A-Fa-f.:]+) on interface (\S+) for user "([^"]*)"/,
};

function port(v: string | undefined): number | undefined {
  return v ? Number(v) : undefined;
}

export function parseAsaMessage(id: string, msg: string, ev: Event): void {
  let m: RegExpExecArray | null;
  switch (id) {
    case '302013': case '302015': case '302017': case '302020':
      m = RE.built.exec(msg);
      ev.kind = 'traffic';
      ev.action = 'built';
      if (m) {
        // "inbound": the first address started it; "outbound": the second did
        const inbound = m[1] === 'inbound';
        ev.protocol = m[2].toLowerCase();
        ev.connection_id = m[3];
        const a = { zone: m[4], ip: m[5], port: port(m[6]) }, b = { zone: m[7], ip: m[8], port: port(m[9]) };
        const src = inbound ? a : b, dst = inbound ? b : a;
        ev.src_zone = src.zone; ev.src_ip = src.ip; ev.src_port = src.port;
        ev.dst_zone = dst.zone; ev.dst_ip = dst.ip; ev.dst_port = dst.port;
      }
      return;
    case '302014': case '302016': case '302018': case '302021':
      m = RE.teardown.exec(msg);
      ev.kind = 'traffic';
      ev.action = 'teardown';
      if (m) {
        ev.protocol = m[1].toLowerCase(); ev.connection_id = m[2];
        ev.src_zone = m[3]; ev.src_ip = m[4]; ev.src_port = port(m[5]);
        ev.dst_zone = m[6]; ev.dst_ip = m[7]; ev.dst_port = port(m[8]);
        ev.duration = m[9]; ev.bytes = Number(m[10]);
      } else fromTo(msg, ev);
      return;
    case '106100':
      m = RE.acl106100.exec(msg);
      ev.kind = 'traffic';
      if (m) {
        ev.acl = m[1]; ev.action = m[2] === 'denied' ? 'deny' : 'permit'; ev.protocol = m[3];
        ev.src_zone = m[4]; ev.src_ip = m[5]; ev.src_port = Number(m[6]);
        ev.dst_zone = m[7]; ev.dst_ip = m[8]; ev.dst_port = Number(m[9]);
      }
      return;
    case '106023':
      m = RE.deny106023.exec(msg);
      ev.kind = 'traffic';
      ev.action = 'deny';
      if (m) {
        ev.protocol = m[1].toLowerCase();
        ev.src_zone = m[2]; ev.src_ip = m[3]; ev.src_port = port(m[4]);
        ev.dst_zone = m[5]; ev.dst_ip = m[6]; ev.dst_port = port(m[7]);
        ev.acl = m[8];
      }
      return;
    case '605004': case '605005':
      m = RE.login605.exec(msg);
      ev.kind = 'login';
      ev.outcome = id === '605005' ? 'success' : 'failure';
      if (m) { ev.src_ip = m[2]; ev.src_port = Number(m[3]); ev.dst_zone = m[4]; ev.dst_ip = m[5]; ev.service = m[6]; ev.user = m[7]; }
      return;
    case '111008':
      m = RE.cmd111008.exec(msg);
      ev.kind = 'command';
      if (m) { ev.user = m[1]; ev.cmd = m[2]; }
      return;
    case '111009':
      m = RE.cmd111009.exec(msg);
      ev.kind = 'command';
      if (m) { ev.user = m[1]; ev.cmd = m[2]; }
      return;
    case '111010':
      m = RE.cmd111010.exec(msg);
      ev.kind = 'command';
      if (m) { ev.user = m[1]; ev.client = m[2]; ev.src_ip = m[3]; ev.cmd = m[4]; }
      return;
    case '113004': case '113005': case '113012': case '113015':
      m = RE.aaa113.exec(msg);
      ev.kind = 'login';
      ev.outcome = id === '113004' || id === '113012' ? 'success' : 'failure';
      if (m) { ev.user = m[1]; if (m[2]) ev.src_ip = m[2]; }
      return;
    case '502103':
      m = RE.priv502103.exec(msg);
      ev.kind = 'account';
      if (m) { ev.user = m[1]; ev.priv_lvl = Number(m[3]); ev.priv_lvl_from = Number(m[2]); }
      return;
    case '315011': case '605006':
      m = RE.sshSession.exec(msg);
      if (m) { ev.src_ip = m[1]; ev.interface = m[2]; ev.user = m[3]; }
      return;
    default:
      if (id.startsWith('106') || id.startsWith('710') || id.startsWith('3050') || id.startsWith('4340') || id.startsWith('3380')) {
        ev.kind = 'traffic';
        if (/^Deny|denied|drop/i.test(msg)) ev.action = 'deny';
        if (!srcDst(msg, ev)) fromTo(msg, ev);
      }
  }
}

function srcDst(msg: string, ev: Event): boolean {
  const m = RE.srcDst.exec(msg);
  if (!m) return false;
  if (m[1]) ev.src_zone = m[1];
  ev.src_ip = m[2]; ev.src_port = port(m[3]);
  if (m[4]) ev.dst_zone = m[4];
  ev.dst_ip = m[5]; ev.dst_port = port(m[6]);
  return true;
}

function fromTo(msg: string, ev: Event): boolean {
  const m = RE.fromTo.exec(msg);
  if (!m) return false;
  if (m[1]) ev.src_zone = m[1];
  ev.src_ip = m[2]; ev.src_port = Number(m[3]);
  if (m[4]) ev.dst_zone = m[4];
  ev.dst_ip = m[5]; ev.dst_port = Number(m[6]);
  return true;
}
