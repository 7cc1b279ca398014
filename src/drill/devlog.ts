/**
 * What a device and the TACACS+ server write when people work on it: login and logout lines, per-command
 * accounting, configuration-change messages, interface and BGP events, in each platform's own message
 * formats (see threat-model.md section 2.0 and the real lines in ../shared/corpus/syslog):
 * - device syslog, one file per device (`syslog/<host>.log`), each line as the collector receives it:
 *   `<PRI>Mmm dd hh:mm:ss HOST ` followed by the platform's own header and message;
 * - TACACS+ accounting, one file from the AAA server (`tacacs/tac_plus.acct`), tac_plus tab-separated.
 */
import type { Carrier, Device } from './carrier.js';
import { bsd, dd, hms, hmsms, iso, mon, year, dow, SEQ, type Emitter, type Stream } from './emit.js';
import type { Rng } from './rng.js';

export type Tags = Partial<Record<Stream, string>>;

export interface Session {
  device: Device;
  user: string;
  src: string;
  tty: number;
  start: number;
  /** TACACS+ task id of the exec session. */
  task: number;
  /** Whether TACACS+ accounts for this session (local accounts on IOS XE still account; Linux shells do not). */
  accounted: boolean;
  localport: number;
  /** Junos and XR: the pid of the session's process. */
  pid: number;
}

export const TACACS_FILE = 'tacacs/tac_plus.acct';
export const syslogFile = (host: string) => `syslog/${host}.log`;

/** Syslog PRI for facility local7 (23) and a severity. */
const pri = (sev: number) => `<${23 * 8 + sev}>`;

export class DeviceLogs {
  private ttys = new Map<string, number>();
  private task = 1000;
  private commit = 1000000100;

  constructor(private readonly carrier: Carrier, private readonly out: Emitter, private readonly rng: Rng) {}

  /** The sequence number is filled in when the file is written, in time order. */
  private nextSeq(_d: Device): string {
    return SEQ;
  }

  /** One device syslog message. `mn` is the message id (`SYS-5-CONFIG_I` for Cisco style, the tag for Junos). */
  syslog(d: Device, t: number, sev: number, mn: string, msg: string, tag?: string, opts: { proc?: string; pid?: number; sd?: string } = {}): void {
    let body: string;
    switch (d.platform) {
      case 'iosxe':
        body = `${this.nextSeq(d)}: ${mon(t)} ${String(new Date(t).getUTCDate()).padStart(2, ' ')} ${year(t)} ${hmsms(t)} UTC: %${mn}: ${msg}`;
        break;
      case 'iosxr':
        body = `${this.nextSeq(d)}: RP/0/RSP0/CPU0:${mon(t)} ${String(new Date(t).getUTCDate()).padStart(2, ' ')} ${hmsms(t)} UTC: ${opts.proc ?? 'config'}[${opts.pid ?? 65000 + (d.seq % 500)}]: %${mn} : ${msg}`;
        break;
      case 'nxos':
        body = `${year(t)} ${mon(t)} ${String(new Date(t).getUTCDate()).padStart(2, ' ')} ${hmsms(t)} UTC: %${mn}: ${msg}`;
        break;
      case 'eos':
        body = `${opts.proc ?? 'Aaa'}: %${mn}: ${msg}`;
        break;
      case 'junos': {
        // RFC 5424 as Junos sends it with `structured-data`
        this.out.line(syslogFile(d.name), t, `${pri(sev)}1 ${iso(t)} ${d.name} ${opts.proc ?? 'mgd'} ${opts.pid ?? 4000 + d.seq} ${mn} ${opts.sd ?? '-'} ${msg}`, tag);
        return;
      }
    }
    this.out.line(syslogFile(d.name), t, `${pri(sev)}${bsd(t)} ${d.name} ${body}`, tag);
  }

  /** A plain Linux-style line from a device's sshd (EOS, Junos) or a program without a message id. */
  private linuxLine(d: Device, t: number, sev: number, proc: string, pid: number, msg: string, tag?: string): void {
    if (d.platform === 'junos') {
      this.out.line(syslogFile(d.name), t, `${pri(sev)}1 ${iso(t)} ${d.name} ${proc} ${pid} - - ${msg}`, tag);
      return;
    }
    this.out.line(syslogFile(d.name), t, `${pri(sev)}${bsd(t)} ${d.name} ${proc}[${pid}]: ${msg}`, tag);
  }

  /** A TACACS+ accounting record (tac_plus format: tab-separated, the NAS is the device's management address). */
  tacacs(s: Session, t: number, kind: 'start' | 'stop' | 'update', avs: string[], tag?: string): void {
    if (!s.accounted) return;
    const fields = [bsd(t), s.device.mgmt, s.user, `tty${s.tty}`, s.src, kind, ...avs];
    this.out.line(TACACS_FILE, t, fields.join('\t'), tag);
  }

  private ttyName(s: Session): string {
    switch (s.device.platform) {
      case 'iosxe': return `vty${s.tty}`;
      case 'iosxr': return `vty${s.tty}`;
      case 'nxos': return `pts/${s.tty}`;
      case 'eos': return `vty${s.tty + 2}`;
      case 'junos': return `pts/${s.tty}`;
    }
  }

  /** A successful SSH login; returns the session. */
  login(d: Device, t: number, user: string, src: string, tags: Tags = {}, opts: { localport?: number; accounted?: boolean; sport?: number } = {}): Session {
    const used = this.ttys.get(d.name) ?? 0;
    const tty = used % 8;
    this.ttys.set(d.name, used + 1);
    const s: Session = {
      device: d, user, src, tty, start: t, task: this.task++, accounted: opts.accounted ?? true,
      localport: opts.localport ?? 22, pid: 20000 + this.rng.int(0, 40000),
    };
    const sport = opts.sport ?? this.rng.int(40000, 65000);
    const tg = tags.syslog;
    const cipher = "using crypto cipher 'aes256-gcm', hmac 'hmac-sha2-256'";
    switch (d.platform) {
      case 'iosxe':
        this.syslog(d, t, 5, 'SSH-5-SSH2_SESSION', `SSH2 Session request from ${src} (tty = ${tty + 2}) ${cipher} Succeeded`, tg);
        this.syslog(d, t + 310, 5, 'SSH-5-SSH2_USERAUTH', `User '${user}' authentication for SSH2 Session from ${src} (tty = ${tty + 2}) ${cipher} Succeeded`, tg);
        this.syslog(d, t + 320, 5, 'SEC_LOGIN-5-LOGIN_SUCCESS', `Login Success [user: ${user}] [Source: ${src}] [localport: ${s.localport}] at ${hms(t)} UTC ${dow(t)} ${mon(t)} ${dd(t)} ${year(t)}`, tg);
        break;
      case 'iosxr':
        this.syslog(d, t + 300, 6, 'SECURITY-SSHD-6-INFO_SUCCESS', `Successfully authenticated user '${user}' from '${src}' on '${this.ttyName(s)}'(cipher 'aes256-gcm@openssh.com', mac 'hmac-sha2-256')`, tg, { proc: 'SSHD_', pid: s.pid });
        break;
      case 'nxos':
        this.syslog(d, t + 250, 6, 'AUTHPRIV-6-SYSTEM_MSG', `Accepted keyboard-interactive/pam for ${user} from ${src} port ${sport} ssh2 - sshd[${s.pid}]`, tg);
        this.syslog(d, t + 300, 6, 'AUTHPRIV-6-SYSTEM_MSG', `pam_unix(sshd:session): session opened for user ${user} by (uid=0) - sshd[${s.pid}]`, tg);
        break;
      case 'eos':
        this.linuxLine(d, t + 250, 6, 'sshd', s.pid, `Accepted keyboard-interactive/pam for ${user} from ${src} port ${sport} ssh2`, tg);
        break;
      case 'junos':
        this.linuxLine(d, t + 200, 6, 'sshd', s.pid, `Accepted keyboard-interactive/pam for ${user} from ${src} port ${sport} ssh2`, tg);
        this.syslog(d, t + 400, 6, 'UI_LOGIN_EVENT', `User '${user}' login, class 'j-super-user' [${s.pid + 3}], ssh-connection '${src} ${sport} ${d.mgmt} ${s.localport}', client-mode 'cli'`, tg, {
          sd: `[junos@2636.1.1.1.2.25 username="${user}" hostname="${d.name}" class-name="j-super-user" pid="${s.pid + 3}" ssh-connection="${src} ${sport} ${d.mgmt} ${s.localport}" client-mode="cli"]`,
        });
        break;
    }
    this.tacacs(s, t + 350, 'start', [`task_id=${s.task}`, 'timezone=UTC', 'service=shell', `start_time=${Math.floor(t / 1000)}`], tags.tacacs);
    return s;
  }

  /** Failed logins (wrong password). */
  loginFailed(d: Device, t: number, user: string, src: string, tag?: string): void {
    const sport = this.rng.int(40000, 65000);
    const pid = 20000 + this.rng.int(0, 40000);
    switch (d.platform) {
      case 'iosxe':
        this.syslog(d, t, 4, 'SEC_LOGIN-4-LOGIN_FAILED', `Login failed [user: ${user}] [Source: ${src}] [localport: 22] [Reason: Login Authentication Failed] at ${hms(t)} UTC ${dow(t)} ${mon(t)} ${dd(t)} ${year(t)}`, tag);
        break;
      case 'iosxr':
        this.syslog(d, t, 4, 'SECURITY-SSHD-4-INFO_FAILURE', `Failed authentication attempt by user '${user}' from '${src}' on 'vty0'`, tag, { proc: 'SSHD_', pid });
        break;
      case 'nxos':
        this.syslog(d, t, 3, 'AUTHPRIV-3-SYSTEM_MSG', `pam_aaa:Authentication failed for user ${user} from ${src} - sshd[${pid}]`, tag);
        break;
      case 'eos':
        this.linuxLine(d, t, 4, 'sshd', pid, `Failed keyboard-interactive/pam for ${user} from ${src} port ${sport} ssh2`, tag);
        break;
      case 'junos':
        this.syslog(d, t, 4, 'SSHD_LOGIN_FAILED', `Login failed for user '${user}' from host '${src}'`, tag, { proc: 'sshd', pid, sd: `[junos@2636.1.1.1.2.25 username="${user}" source-address="${src}"]` });
        break;
    }
  }

  logout(s: Session, t: number, tags: Tags = {}): void {
    const d = s.device;
    const tg = tags.syslog;
    switch (d.platform) {
      case 'iosxe':
        this.syslog(d, t, 6, 'SYS-6-LOGOUT', `User ${s.user} has exited tty session ${s.tty + 2}(${s.src})`, tg);
        this.syslog(d, t + 5, 5, 'SSH-5-SSH2_CLOSE', `SSH2 Session from ${s.src} (tty = ${s.tty + 2}) for user '${s.user}' using crypto cipher 'aes256-gcm', hmac 'hmac-sha2-256' closed`, tg);
        break;
      case 'iosxr':
        this.syslog(d, t, 6, 'SECURITY-SSHD-6-INFO_USER_LOGOUT', `User '${s.user}' from '${s.src}' logged out on '${this.ttyName(s)}'`, tg, { proc: 'SSHD_', pid: s.pid });
        break;
      case 'nxos':
        this.syslog(d, t, 6, 'AUTHPRIV-6-SYSTEM_MSG', `pam_unix(sshd:session): session closed for user ${s.user} - sshd[${s.pid}]`, tg);
        break;
      case 'eos':
        this.linuxLine(d, t, 6, 'sshd', s.pid, `pam_unix(sshd:session): session closed for user ${s.user}`, tg);
        break;
      case 'junos':
        this.syslog(d, t, 6, 'UI_LOGOUT_EVENT', `User '${s.user}' logout`, tg, { sd: `[junos@2636.1.1.1.2.25 username="${s.user}"]`, pid: s.pid + 3 });
        break;
    }
    this.tacacs(s, t, 'stop', [`task_id=${s.task}`, 'timezone=UTC', 'service=shell', `start_time=${Math.floor(s.start / 1000)}`, `elapsed_time=${Math.max(1, Math.round((t - s.start) / 1000))}`], tags.tacacs);
  }

  /** An exec-mode command (show, copy, clear, guestshell ...): TACACS+ accounting and the platform's own command log. */
  exec(s: Session, t: number, cmd: string, tags: Tags = {}, priv = 15): void {
    this.tacacs(s, t, 'stop', [`task_id=${this.task++}`, 'timezone=UTC', 'service=shell', `start_time=${Math.floor(t / 1000)}`, `priv-lvl=${priv}`, `cmd=${cmd} <cr>`], tags.tacacs);
    this.commandLog(s, t, cmd, tags.syslog);
  }

  /** Per-command syslog on platforms that log every command (NX-OS accounting, EOS accounting, Junos interactive-commands). */
  private commandLog(s: Session, t: number, cmd: string, tag?: string): void {
    const d = s.device;
    switch (d.platform) {
      case 'nxos':
        this.syslog(d, t + 40, 6, 'AAA-6-AAA_ACCOUNTING_MESSAGE', `update:${s.src}@${this.ttyName(s)}:${s.user}:${cmd} (SUCCESS)`, tag);
        break;
      case 'eos':
        this.syslog(d, t + 40, 6, 'ACCOUNTING-6-CMD', `${s.user} ${this.ttyName(s)} ${s.src} stop task_id=${this.task} start_time=${(t / 1000).toFixed(3)} timezone=UTC service=shell priv-lvl=15 cmd=${cmd} <cr>`, tag);
        break;
      case 'junos':
        this.syslog(d, t + 40, 6, 'UI_CMDLINE_READ_LINE', `User '${s.user}', command '${cmd}'`, tag, { sd: `[junos@2636.1.1.1.2.25 username="${s.user}" command="${cmd}"]`, proc: 'mgd', pid: s.pid + 3 });
        break;
      default:
        break;
    }
  }

  /**
   * A configuration session: enter config mode, the commands, leave/commit. Returns the time it ended.
   * `gap` is the mean seconds between commands.
   */
  configure(s: Session, t: number, commands: string[], tags: Tags = {}, opts: { comment?: string; gap?: number; logCommands?: boolean } = {}): number {
    const d = s.device;
    const gap = (opts.gap ?? 8) * 1000;
    let now = t;
    const step = () => { now += Math.round(gap * (0.4 + this.rng.next() * 1.2)); return now; };
    const enter = d.platform === 'iosxr' || d.platform === 'junos' ? 'configure' : 'configure terminal';
    this.exec(s, now, enter, tags);
    if (d.platform === 'eos') this.syslog(d, now + 30, 5, 'SYS-5-CONFIG_E', `Enter configuration mode from console by ${s.user} on ${this.ttyName(s)} (${s.src})`, tags.syslog, { proc: 'ConfigAgent' });
    for (const cmd of commands) {
      const at = step();
      this.tacacs(s, at, 'stop', [`task_id=${this.task++}`, 'timezone=UTC', 'service=shell', `start_time=${Math.floor(at / 1000)}`, 'priv-lvl=15', `cmd=${cmd} <cr>`], tags.tacacs);
      if (d.platform === 'iosxe' && opts.logCommands !== false) {
        this.syslog(d, at + 20, 5, 'PARSER-5-CFGLOG_LOGGEDCMD', `User:${s.user}  logged command:${hideKeys(cmd)}`, tags.syslog);
      } else {
        this.commandLog(s, at, cmd, tags.syslog);
      }
    }
    const end = step();
    switch (d.platform) {
      case 'iosxe':
        this.exec(s, end, 'end', tags);
        this.syslog(d, end + 50, 5, 'SYS-5-CONFIG_I', `Configured from console by ${s.user} on ${this.ttyName(s)} (${s.src})`, tags.syslog);
        break;
      case 'iosxr': {
        this.exec(s, end, 'commit', tags);
        const id = this.commit++;
        this.syslog(d, end + 900, 6, 'MGBL-CONFIG-6-DB_COMMIT', `Configuration committed by user '${s.user}'. Use 'show configuration commit changes ${id}' to view the changes.`, tags.syslog, { proc: 'config', pid: 65000 + d.seq });
        this.exec(s, end + 3000, 'end', tags);
        this.syslog(d, end + 3100, 5, 'MGBL-SYS-5-CONFIG_I', `Configured from console by ${s.user} on ${this.ttyName(s)} (${s.src})`, tags.syslog, { proc: 'config', pid: 65000 + d.seq });
        break;
      }
      case 'nxos':
        this.exec(s, end, 'end', tags);
        this.syslog(d, end + 60, 5, 'VSHD-5-VSHD_SYSLOG_CONFIG_I', `Configured from vty by ${s.user} on ${s.src}@${this.ttyName(s)}`, tags.syslog);
        break;
      case 'eos':
        this.exec(s, end, 'end', tags);
        this.syslog(d, end + 60, 5, 'SYS-5-CONFIG_I', `Configured from console by ${s.user} on ${this.ttyName(s)} (${s.src})`, tags.syslog, { proc: 'ConfigAgent' });
        break;
      case 'junos': {
        const comment = opts.comment ?? 'none';
        this.exec(s, end, comment === 'none' ? 'commit' : `commit comment "${comment}"`, tags);
        this.syslog(d, end + 200, 5, 'UI_COMMIT', `User '${s.user}' requested 'commit' operation (comment: ${comment})`, tags.syslog, { sd: `[junos@2636.1.1.1.2.25 username="${s.user}" command="commit" message="${comment}"]`, pid: s.pid + 3 });
        this.syslog(d, end + 2600, 5, 'UI_COMMIT_COMPLETED', 'commit complete', tags.syslog, { sd: '[junos@2636.1.1.1.2.25 message="commit complete"]', pid: s.pid + 3 });
        this.exec(s, end + 4000, 'exit', tags);
        break;
      }
    }
    return end + 5000;
  }

  link(d: Device, t: number, ifName: string, up: boolean, tag?: string): void {
    const st = up ? 'up' : 'down';
    switch (d.platform) {
      case 'iosxe':
        this.syslog(d, t, 3, 'LINK-3-UPDOWN', `Interface ${ifName}, changed state to ${st}`, tag);
        this.syslog(d, t + 1000, 5, 'LINEPROTO-5-UPDOWN', `Line protocol on Interface ${ifName}, changed state to ${st}`, tag);
        break;
      case 'iosxr':
        this.syslog(d, t, 3, 'PKT_INFRA-LINK-3-UPDOWN', `Interface ${ifName}, changed state to ${up ? 'Up' : 'Down'}`, tag, { proc: 'ifmgr', pid: 212 });
        this.syslog(d, t + 20, 5, 'PKT_INFRA-LINEPROTO-5-UPDOWN', `Line protocol on Interface ${ifName}, changed state to ${up ? 'Up' : 'Down'}`, tag, { proc: 'ifmgr', pid: 212 });
        break;
      case 'nxos':
        this.syslog(d, t, 5, up ? 'ETHPORT-5-IF_UP' : 'ETHPORT-5-IF_DOWN_LINK_FAILURE', up ? `Interface ${ifName} is up in mode routed` : `Interface ${ifName} is down (Link failure)`, tag);
        break;
      case 'eos':
        this.syslog(d, t, 5, 'LINEPROTO-5-UPDOWN', `Line protocol on Interface ${ifName}, changed state to ${st}`, tag, { proc: 'Ebra' });
        break;
      case 'junos': {
        const idx = 500 + (ifName.length * 7) % 100;
        this.syslog(d, t, 4, up ? 'SNMP_TRAP_LINK_UP' : 'SNMP_TRAP_LINK_DOWN', `ifIndex ${idx}, ifAdminStatus up(1), ifOperStatus ${up ? 'up(1)' : 'down(2)'}, ifName ${ifName}`, tag, { proc: 'mib2d', pid: 2000 + d.seq, sd: `[junos@2636.1.1.1.2.25 snmp-interface-index="${idx}" admin-status="up(1)" operational-status="${up ? 'up(1)' : 'down(2)'}" interface-name="${ifName}"]` });
        break;
      }
    }
  }

  bgp(d: Device, t: number, neighbor: string, as: number, up: boolean): void {
    switch (d.platform) {
      case 'iosxe':
        this.syslog(d, t, 5, 'BGP-5-ADJCHANGE', `neighbor ${neighbor} ${up ? 'Up' : 'Down BGP Notification received'}`);
        break;
      case 'iosxr':
        this.syslog(d, t, 5, 'ROUTING-BGP-5-ADJCHANGE', `neighbor ${neighbor} ${up ? 'Up' : 'Down - BGP Notification received, hold time expired'} (VRF: default) (AS: ${as})`, undefined, { proc: 'bgp', pid: 1080 });
        break;
      case 'junos':
        this.syslog(d, t, 4, 'BGP_PREFIX_THRESH_EXCEEDED', `${neighbor} (External AS ${as}): Configured maximum prefix-limit threshold(80) exceeded for inet-unicast nlri: 812345 (instance master)`, undefined, { proc: 'rpd', pid: 1900 + d.seq });
        break;
      default:
        this.syslog(d, t, 5, 'BGP-5-ADJCHANGE', `peer ${neighbor} (AS ${as}) old state ${up ? 'OpenConfirm' : 'Established'} event ${up ? 'RecvKeepAlive' : 'HoldTimerExpired'} new state ${up ? 'Established' : 'Idle'}`, undefined, { proc: 'Bgp' });
    }
  }
}

/** `hidekeys`: the device masks secrets in the command log. */
export function hideKeys(cmd: string): string {
  return cmd
    .replace(/\b(secret|password|key)( \d)? \S+/g, (_m, w: string, n: string | undefined) => `${w}${n ?? ''} *****`);
}

export function carrierHostByIp(c: Carrier, ip: string): string | undefined {
  return [...c.jumpHosts, ...c.aaa, ...c.syslog, ...c.ntp, ...c.nms, c.backup, c.collector].find((h) => h.ip === ip)?.name;
}
