/**
 * Weeks of ordinary operations: engineers working through the NOC jump hosts in office hours, the config
 * backup polling every device hourly with its service account, change windows on Tuesday and Thursday
 * nights with a ticket, the odd mistyped password, customer links flapping and transit BGP sessions
 * resetting. None of it is malicious; a good detector stays quiet on all of it.
 */
import type { Carrier, Device, Person } from './carrier.js';
import type { DeviceLogs, Session } from './devlog.js';
import { routineEdit } from './edits.js';
import { iso, type Emitter } from './emit.js';
import type { Rng } from './rng.js';
import { POLL_MS, POLL_OFFSET_MS, type ConfigTimeline } from './timeline.js';
import type { FlowPlan } from './flowplan.js';

const SHOW: Record<Device['platform'], string[]> = {
  iosxe: ['show ip bgp summary', 'show interfaces description', 'show ip interface brief', 'show logging | include LINK', 'show processes cpu sorted', 'show ip route summary', 'show running-config | section interface', 'show platform hardware qfp active statistics drop', 'show ip ospf neighbor', 'show version'],
  iosxr: ['show bgp ipv4 unicast summary', 'show interfaces description', 'show ipv4 interface brief', 'show logging last 50', 'show processes cpu', 'show route summary', 'show ospf neighbor', 'show platform', 'show install active summary'],
  nxos: ['show interface status', 'show ip ospf neighbors', 'show ip route summary', 'show logging last 50', 'show system resources', 'show interface counters errors', 'show version'],
  junos: ['show bgp summary', 'show interfaces terse', 'show route summary', 'show log messages | last 50', 'show chassis alarms', 'show system uptime', 'show ospf neighbor'],
  eos: ['show ip bgp summary', 'show interfaces status', 'show ip route summary', 'show logging last 50', 'show processes top once', 'show ip ospf neighbor', 'show version'],
};

const BACKUP_CMD: Record<Device['platform'], string[]> = {
  iosxe: ['terminal length 0', 'show running-config'],
  iosxr: ['terminal length 0', 'show running-config'],
  nxos: ['terminal length 0', 'show running-config'],
  junos: ['set cli screen-length 0', 'show configuration | display set'],
  eos: ['terminal length 0', 'show running-config'],
};

export const DAY = 86400_000;
export const HOUR = 3600_000;
export const MIN = 60_000;

export interface NormalContext {
  carrier: Carrier;
  out: Emitter;
  logs: DeviceLogs;
  timelines: Map<string, ConfigTimeline>;
  flows: FlowPlan;
  rng: Rng;
}

/** A jump-host sshd line (Debian 12 rsyslog file format: high-precision ISO time). */
export function jumpLine(out: Emitter, host: string, t: number, pid: number, msg: string, tag?: string): void {
  out.line(`jumphost/${host}.log`, t, `${iso(t).replace('Z', '000+00:00')} ${host} sshd[${pid}]: ${msg}`, tag);
}

/** A person's session on a jump host (publickey from their workstation). Returns the sshd pid. */
export function jumpSession(ctx: { out: Emitter }, host: { name: string; ip: string }, user: string, from: string, t: number, end: number, rng: Rng, tag?: string, method = 'publickey'): number {
  const pid = rng.int(100000, 999999);
  const port = rng.int(40000, 65000);
  const fp = method === 'publickey' ? `: ED25519 SHA256:${fingerprint(user)}` : '';
  jumpLine(ctx.out, host.name, t, pid, `Accepted ${method} for ${user} from ${from} port ${port} ssh2${fp}`, tag);
  jumpLine(ctx.out, host.name, t + 20, pid, `pam_unix(sshd:session): session opened for user ${user}(uid=${1000 + (user.length * 37) % 900}) by (uid=0)`, tag);
  jumpLine(ctx.out, host.name, end, pid, `pam_unix(sshd:session): session closed for user ${user}`, tag);
  return pid;
}

function fingerprint(user: string): string {
  let h = 7;
  let s = '';
  for (let i = 0; i < 43; i++) {
    h = (h * 31 + user.charCodeAt(i % user.length) + i) % 1000003;
    s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[h % 64];
  }
  return s;
}

/** One engineer's look at one device: login from the jump host, a few show commands, logout. */
function engineerVisit(ctx: NormalContext, p: Person, jump: { name: string; ip: string }, d: Device, t: number, rng: Rng): number {
  if (rng.chance(0.04)) ctx.logs.loginFailed(d, t - rng.int(5, 20) * 1000, p.user, jump.ip);
  const s = ctx.logs.login(d, t, p.user, jump.ip);
  let now = t + rng.int(3, 15) * 1000;
  const n = rng.int(2, 7);
  for (let i = 0; i < n; i++) {
    ctx.logs.exec(s, now, rng.pick(SHOW[d.platform]));
    now += rng.int(5, 120) * 1000;
  }
  ctx.logs.logout(s, now);
  ctx.flows.ssh(d, jump.ip, t, now);
  return now;
}

export function generateNormal(ctx: NormalContext): void {
  const { carrier: c, rng } = ctx;
  const days = c.days;
  for (let day = 0; day < days; day++) {
    const d0 = c.start + day * DAY;
    const wd = new Date(d0).getUTCDay();
    const weekday = wd >= 1 && wd <= 5;
    const dr = rng.fork(`day${day}`);

    // engineers' daytime work through the NOC jump hosts
    for (const p of c.engineers) {
      const pr = dr.fork(p.user);
      const working = weekday ? pr.chance(0.85) : p.oncall && pr.chance(0.3);
      if (!working) continue;
      const sessions = weekday ? pr.int(1, 3) : 1;
      for (let k = 0; k < sessions; k++) {
        const jump = pr.pick(c.jumpHosts);
        const start = d0 + (p.hours[0] + pr.next() * (p.hours[1] - p.hours[0] - 1)) * HOUR;
        let t = start + pr.int(20, 90) * 1000;
        const visits = pr.int(1, 4);
        for (let v = 0; v < visits; v++) {
          const dev = pr.pick(c.devices);
          t = engineerVisit(ctx, p, jump, dev, t, pr) + pr.int(30, 600) * 1000;
        }
        jumpSession(ctx, jump, p.user, p.workstation, start, t + pr.int(10, 300) * 1000, pr);
      }
    }

    // change windows: Tuesday and Thursday, 01:00-04:00 UTC, with a ticket
    if (wd === 2 || wd === 4) {
      const cr = dr.fork('change');
      const devs = cr.sample(c.devices, cr.int(1, Math.max(2, Math.round(c.devices.length / 8))));
      const eng = cr.pick(c.engineers);
      const jump = c.jumpHosts[0];
      const ticket = `CHG${String(40000 + day * 17 + cr.int(0, 9)).padStart(7, '0')}`;
      const start = d0 + HOUR + cr.int(0, 30) * MIN;
      let t = start + 60_000;
      for (const d of devs) {
        const s = ctx.logs.login(d, t, eng.user, jump.ip);
              ctx.logs.exec(s, t + 8000, d.platform === 'junos' ? 'show configuration | compare rollback 1' : 'show running-config | section interface');
        const edit = routineEdit(d, cr.int(0, 2), day * 3 + d.seq);
        const end = ctx.logs.configure(s, t + 30_000, edit.commands, {}, { comment: ticket, gap: 12 });
        ctx.timelines.get(d.name)!.change(end, (doc) => edit.apply(doc));
        let after = end;
        if (d.platform === 'iosxe' || d.platform === 'nxos' || d.platform === 'eos') {
          ctx.logs.exec(s, end + 4000, 'copy running-config startup-config');
          after = end + 9000;
        }
        ctx.logs.logout(s, after + cr.int(20, 200) * 1000);
        ctx.flows.ssh(d, jump.ip, t, after);
        t = after + cr.int(3, 15) * MIN;
      }
      jumpSession(ctx, jump, eng.user, eng.workstation, start, t + 120_000, cr);
    }

    // the config backup service polls every device every hour
    for (let h = 0; h < 24; h++) {
      const poll = d0 + h * POLL_MS + POLL_OFFSET_MS;
      c.devices.forEach((d, i) => {
        const t = poll + i * 4000 + (i % 3) * 300;
        const s: Session = ctx.logs.login(d, t, c.backupUser, c.backup.ip);
        let now = t + 1500;
        for (const cmd of BACKUP_CMD[d.platform]) {
          ctx.logs.exec(s, now, cmd);
          now += 900;
        }
        ctx.logs.logout(s, now + 1200);
        ctx.flows.ssh(d, c.backup.ip, t, now + 1200, 180_000 + d.seq * 1000);
      });
    }

    // customer links flap, transit sessions reset
    for (const d of c.devices) {
      const lr = dr.fork(`link:${d.name}`);
      for (const i of d.ifaces.filter((x) => x.kind === 'customer')) {
        const flaps = lr.poisson(0.12);
        for (let f = 0; f < flaps; f++) {
          const t = d0 + lr.int(0, DAY - 3600_000);
          ctx.logs.link(d, t, i.name, false);
          ctx.logs.link(d, t + lr.int(4, 900) * 1000, i.name, true);
        }
      }
      for (const i of d.ifaces.filter((x) => x.kind === 'peering')) {
        if (lr.chance(0.05)) {
          const t = d0 + lr.int(0, DAY - 3600_000);
          ctx.logs.bgp(d, t, i.neighbor!, i.neighborAs!, false);
          ctx.logs.bgp(d, t + lr.int(30, 300) * 1000, i.neighbor!, i.neighborAs!, true);
        }
      }
    }
  }
}
