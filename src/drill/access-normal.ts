/**
 * Ordinary use of the lawful-intercept administration system and the call-record warehouse, written in
 * the access-audit JSON Lines form of issue 6 (`time`, `system`, `operator`, `src_host`, `src_ip`,
 * `action`, `targets`, `case_ref`, `records`, `bytes`, `result`): operators sign in through the LI jump
 * host in their working hours, search the targets of warrants they are named on, provision and adjust
 * intercepts, export modest result sets, and sign out.
 */
import type { Carrier, LiOperator, Warrant } from './carrier.js';
import type { Emitter } from './emit.js';
import { jumpSession, DAY, HOUR, type NormalContext } from './normal.js';
import type { Rng } from './rng.js';

export interface AccessEvent {
  time: string;
  system: string;
  operator: string;
  src_host: string;
  src_ip: string;
  action: 'login' | 'login_failed' | 'search' | 'provision_intercept' | 'modify_intercept' | 'deprovision_intercept' | 'export' | 'admin_change' | 'logout';
  targets: string[];
  case_ref: string | null;
  records: number;
  bytes: number;
  result: 'success' | 'failure';
}

export const accessFile = (system: string) => `access/${system}.jsonl`;

export function accessLine(out: Emitter, t: number, e: Omit<AccessEvent, 'time'>, tag?: string): void {
  const ev: AccessEvent = { time: new Date(t).toISOString(), ...e };
  out.line(accessFile(e.system), t, JSON.stringify(ev), tag);
}

export function systemFor(op: LiOperator): string {
  return op.role === 'cdr-analyst' || op.role === 'compliance' ? 'cdr-warehouse' : 'li-admin';
}

function warrantsFor(c: Carrier, op: string, t: number): Warrant[] {
  return c.li.warrants.filter((w) => w.operators.includes(op) && Date.parse(w.valid_from) <= t && t <= Date.parse(w.valid_until));
}

export function generateAccessNormal(ctx: NormalContext): void {
  const c = ctx.carrier;
  const jump = c.li.jumpHosts[0];
  for (let day = 0; day < c.days; day++) {
    const d0 = c.start + day * DAY;
    const wd = new Date(d0).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    for (const op of c.li.operators) {
      if (op.status !== 'active') continue;
      const r: Rng = ctx.rng.fork(`access:${day}:${op.name}`);
      if (!r.chance(0.8)) continue;
      const sys = systemFor(op);
      const start = d0 + (op.hours[0] + r.next() * 2) * HOUR;
      const end = d0 + (op.hours[1] - r.next() * 2) * HOUR;
      const base = { system: sys, operator: op.name, src_host: jump.name, src_ip: jump.ip } as const;
      let t = start + r.int(30, 300) * 1000;
      if (r.chance(0.03)) {
        accessLine(ctx.out, t, { ...base, action: 'login_failed', targets: [], case_ref: null, records: 0, bytes: 0, result: 'failure' });
        t += r.int(10, 40) * 1000;
      }
      accessLine(ctx.out, t, { ...base, action: 'login', targets: [], case_ref: null, records: 0, bytes: 0, result: 'success' });
      const ws = warrantsFor(c, op.name, t);
      const n = op.role === 'compliance' || ws.length === 0 ? 0 : r.poisson(op.rate);
      const span = end - t;
      const times = Array.from({ length: n }, () => t + r.int(60, Math.max(120, Math.floor(span / 1000) - 120)) * 1000).sort((a, b) => a - b);
      for (const at of times) {
        const w = r.pick(ws);
        const target = r.pick(w.targets);
        if (op.role === 'li-admin' && r.chance(0.15)) {
          accessLine(ctx.out, at, { ...base, action: r.chance(0.5) ? 'modify_intercept' : 'provision_intercept', targets: [target], case_ref: w.case_ref, records: 1, bytes: 0, result: 'success' });
          continue;
        }
        const records = r.int(1, 420);
        accessLine(ctx.out, at, { ...base, action: 'search', targets: [target], case_ref: w.case_ref, records, bytes: 0, result: 'success' });
        if (op.role === 'cdr-analyst' && r.chance(0.25)) {
          accessLine(ctx.out, at + r.int(30, 600) * 1000, { ...base, action: 'export', targets: [target], case_ref: w.case_ref, records, bytes: records * r.int(180, 260), result: 'success' });
        }
      }
      accessLine(ctx.out, end, { ...base, action: 'logout', targets: [], case_ref: null, records: 0, bytes: 0, result: 'success' });
      jumpSession(ctx, jump, op.name, op.workstation, start, end + r.int(30, 600) * 1000, r);
    }
  }
}
