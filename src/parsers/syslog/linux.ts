/**
 * Linux jump-host and device-shell messages: sshd, sudo, su, PAM, account management (useradd & co).
 * Also used for the Linux lines NX-OS relays inside `%AUTHPRIV-n-SYSTEM_MSG`.
 */
import type { Event } from '../../model/event.js';

const RE = {
  accepted: /^Accepted (\S+) for (\S+) from (\S+) port (\d+)(?: (\S+))?/,
  failed: /^Failed (\S+) for (invalid user )?(\S*) from (\S+) port (\d+)/,
  invalidUser: /^Invalid user (\S*) from (\S+)(?: port (\d+))?/,
  closedBy: /^(?:Connection closed|Disconnected) (?:by|from) (?:(?:authenticating|invalid) )?(?:user (\S+) )?(\S+) port (\d+)/,
  listening: /^Server listening on (\S+) port (\d+)/,
  sessionOpened: /^pam_unix\(([^:)]+):session\): session (opened|closed) for user ([^\s(]+)(?:\(uid=\d+\))?(?: by (\S+?)(?:\(uid=\d+\))?)?$/,
  pamAuthFail: /authentication failure;.*?(?:rhost=(\S*))?\s+user=(\S+)/,
  pamFailedFor: /(?:Authentication failed|Authentication failure|Login failed) for (?:user )?(\S+)(?: from (\S+))?/i,
  maxAuth: /^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(\S+) from (\S+) port (\d+)/,
  sudo: /^\s*(\S+) : (?:(.*?) ; )?TTY=(\S*) ; PWD=(.*?) ; USER=(\S*) ;(?: GROUP=\S* ;)?(?: ENV=.*? ;)? COMMAND=(.*)$/,
  su: /^(?:\(to (\S+)\) (\S+) on (\S+)|(FAILED SU|FAILED su) \(to (\S+)\) (\S+) on (\S+))/,
  newUser: /^new user: name=([^,\s]+)/,
  newGroup: /^new group: name=([^,\s]+)/,
  delUser: /^delete user '([^']+)'/,
  modUser: /^(?:change user '([^']+)'|add '([^']+)' to (?:shadow )?group '([^']+)')/,
  passwd: /^pam_unix\(passwd:chauthtok\): password changed for (\S+)/,
};

const ACCOUNT_PROGRAMS = new Set(['useradd', 'userdel', 'usermod', 'groupadd', 'groupdel', 'groupmod', 'passwd', 'chpasswd', 'gpasswd', 'adduser', 'deluser']);

/** Fills fields and kind from a Linux auth message; `program` is the daemon's name (sshd, sudo, su, ...). */
export function parseLinuxMessage(msg: string, ev: Event, program: string): void {
  const prog = program.toLowerCase();
  let m: RegExpExecArray | null;
  if (prog === 'sudo') {
    m = RE.sudo.exec(msg);
    if (m) {
      ev.kind = 'command';
      ev.user = m[1];
      if (m[2]) { ev.reason = m[2].trim(); ev.outcome = 'failure'; } else ev.outcome = 'success';
      ev.tty = m[3];
      ev.pwd = m[4];
      ev.run_as = m[5];
      ev.cmd = m[6];
      return;
    }
  }
  if (prog === 'su') {
    m = RE.su.exec(msg);
    if (m) {
      ev.kind = 'login';
      if (m[1]) { ev.run_as = m[1]; ev.user = m[2]; ev.tty = m[3]; ev.outcome = 'success'; }
      else { ev.run_as = m[5]; ev.user = m[6]; ev.tty = m[7]; ev.outcome = 'failure'; }
      return;
    }
  }
  if (ACCOUNT_PROGRAMS.has(prog)) {
    ev.kind = 'account';
    if ((m = RE.newUser.exec(msg))) { ev.target_user = m[1]; ev.action = 'add'; return; }
    if ((m = RE.newGroup.exec(msg))) { ev.target_group = m[1]; ev.action = 'add'; return; }
    if ((m = RE.delUser.exec(msg))) { ev.target_user = m[1]; ev.action = 'delete'; return; }
    if ((m = RE.modUser.exec(msg))) { ev.target_user = m[1] ?? m[2]; if (m[3]) ev.target_group = m[3]; ev.action = 'modify'; return; }
    if ((m = RE.passwd.exec(msg))) { ev.target_user = m[1]; ev.action = 'password'; return; }
    return;
  }
  if ((m = RE.accepted.exec(msg))) {
    ev.kind = 'login'; ev.outcome = 'success'; ev.auth_method = m[1]; ev.user = m[2]; ev.src_ip = m[3]; ev.src_port = Number(m[4]);
    return;
  }
  if ((m = RE.failed.exec(msg))) {
    ev.kind = 'login'; ev.outcome = 'failure'; ev.auth_method = m[1]; ev.user = m[3]; ev.src_ip = m[4]; ev.src_port = Number(m[5]);
    if (m[2]) ev.reason = 'invalid user';
    return;
  }
  if ((m = RE.invalidUser.exec(msg))) {
    ev.kind = 'login'; ev.outcome = 'failure'; ev.user = m[1]; ev.src_ip = m[2]; if (m[3]) ev.src_port = Number(m[3]); ev.reason = 'invalid user';
    return;
  }
  if ((m = RE.maxAuth.exec(msg))) {
    ev.kind = 'login'; ev.outcome = 'failure'; ev.user = m[2]; ev.src_ip = m[3]; ev.src_port = Number(m[4]); ev.reason = 'maximum authentication attempts exceeded';
    return;
  }
  if ((m = RE.listening.exec(msg))) {
    ev.kind = 'system'; ev.local_ip = m[1]; ev.local_port = Number(m[2]);
    return;
  }
  if ((m = RE.sessionOpened.exec(msg))) {
    ev.kind = m[2] === 'opened' ? 'session' : 'logout';
    ev.user = m[3];
    if (m[4]) ev.by_user = m[4];
    ev.pam_service = m[1];
    return;
  }
  if ((m = RE.closedBy.exec(msg))) {
    ev.kind = 'logout'; if (m[1]) ev.user = m[1]; ev.src_ip = m[2]; ev.src_port = Number(m[3]);
    return;
  }
  if ((m = RE.pamAuthFail.exec(msg))) {
    ev.kind = 'login'; ev.outcome = 'failure'; ev.user = m[2]; if (m[1]) ev.src_ip = m[1];
    return;
  }
  if ((m = RE.pamFailedFor.exec(msg))) {
    ev.kind = 'login'; ev.outcome = 'failure'; ev.user = m[1]; if (m[2]) ev.src_ip = m[2];
  }
}

/** Programs whose presence marks a line as Linux (when no vendor message id says otherwise). */
export const LINUX_PROGRAMS = new Set([
  'sshd', 'sudo', 'su', 'login', 'systemd', 'systemd-logind', 'cron', 'crond', 'CRON', 'kernel', 'useradd', 'userdel',
  'usermod', 'groupadd', 'groupdel', 'passwd', 'chpasswd', 'gpasswd', 'polkitd', 'pkexec', 'dbus-daemon', 'rsyslogd',
  'auditd', 'agetty', 'vsftpd', 'named', 'clamd', 'freshclam', 'guacd', 'in.tftpd', 'xinetd', 'dhclient', 'NetworkManager',
  'sshd-session', 'unix_chkpwd', 'runuser', 'anacron', 'atd', 'ntpd', 'chronyd', 'snmpd', 'postfix', 'tac_plus', 'tac_plus-ng',
]);
