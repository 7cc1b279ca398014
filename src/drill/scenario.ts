/**
 * Campaign scenarios: YAML files in rules/drills/, one campaign each (documented in docs/DRILL.md).
 * Loading validates every step so a team writing its own scenario gets the file, the step and the reason.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { isIp } from '../util/ip.js';
import { ROLES, PLATFORMS, type Platform, type Role } from './carrier.js';

export const ACTIONS = {
  exploit_webui: 'T1190',
  login: 'T1078',
  jump_login: 'T1078',
  brute_force: 'T1110',
  local_account: 'T1136.001',
  acl_permit: 'T1562.004',
  ssh_odd_port: 'T1571',
  gre_tunnel: 'T1572',
  guestshell: 'T1610',
  packet_capture: 'T1040',
  config_theft: 'T1602.002',
  exfil_file: 'T1048',
  lateral_ssh: 'T1021.004',
  aaa_server: 'T1556.004',
  logging_host_removed: 'T1562',
  history_off: 'T1562.003',
  clear_logs: 'T1070',
  traffic_mirror: 'T1020.001',
  recon: 'T1018',
  snmp_walk: 'T1602.001',
  beacon: 'T1071',
  li_login: 'T1078',
  li_search: 'T1213',
  li_export: 'T1048',
  li_new_operator: 'T1136',
} as const;
export type ActionName = keyof typeof ACTIONS;

export interface Target {
  role?: Role;
  /** One platform, or several in order of preference (the first that some device has is used). */
  platform?: Platform | Platform[];
  device?: string;
}

export interface Step {
  id?: string;
  action: ActionName;
  /** Offset from the campaign start, in ms. */
  at: number;
  technique?: string;
  target?: Target;
  /** Same device as an earlier step. */
  on?: string;
  /** Where the intruder comes from: an address, `jump` (a NOC jump host), or `device:<step>`. */
  from?: string;
  user?: string;
  repeat?: { count: number; every: number; jitter: number };
  params: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  title: string;
  stealth: 'loud' | 'moderate' | 'quiet';
  description: string;
  /** Fraction of the dataset at which the campaign starts (learning history comes before), and the UTC hour. */
  start: { at: number; hour: number };
  actor: { addresses: string[]; in_intel: string[]; user: string };
  steps: Step[];
  file: string;
}

export class ScenarioError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/** `90s`, `15m`, `2h30m`, `1d6h`, or a number of minutes. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 60_000;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$/.exec(v);
  if (!m || !v.trim() || m.slice(1).every((x) => x === undefined)) return undefined;
  const [d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  return Math.round(((d * 24 + h) * 60 + mi) * 60_000 + s * 1000);
}

/** The folder of shipped scenarios (rules/drills), found from the installed package. */
export function drillsDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const cand = join(d, 'rules', 'drills');
    if (existsSync(cand)) return cand;
    d = dirname(d);
  }
  throw new Error('rules/drills not found beside the installed package');
}

export function listScenarios(dir = drillsDir()): string[] {
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')).sort();
}

/** Loads a scenario by name (a file in rules/drills) or by path. */
export function loadScenario(nameOrPath: string, dir?: string): Scenario {
  let file = nameOrPath;
  if (!/[/\\]/.test(nameOrPath) && !/\.ya?ml$/.test(nameOrPath)) {
    const base = dir ?? drillsDir();
    file = [join(base, `${nameOrPath}.yml`), join(base, `${nameOrPath}.yaml`)].find((f) => existsSync(f)) ?? '';
    if (!file) throw new ScenarioError(nameOrPath, `no scenario of that name in ${base} (have: ${listScenarios(base).join(', ')})`);
  }
  if (!existsSync(file)) throw new ScenarioError(file, 'scenario file not found');
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError(file, `not valid YAML: ${(e as Error).message}`);
  }
  return scenarioFromObject(raw, file);
}

export function scenarioFromObject(raw: unknown, file = '<inline>'): Scenario {
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new ScenarioError(file, 'a scenario must be a mapping');
  const err = (m: string) => new ScenarioError(file, m);
  const name = typeof o.name === 'string' ? o.name : basename(file).replace(/\.ya?ml$/, '');
  const stealth = o.stealth;
  if (stealth !== 'loud' && stealth !== 'moderate' && stealth !== 'quiet') throw err('`stealth` must be loud, moderate or quiet');
  const st = (o.start ?? {}) as Record<string, unknown>;
  const at = st.at === undefined ? 0.6 : Number(st.at);
  if (!(at >= 0.3 && at < 1)) throw err('`start.at` must be a fraction of the dataset between 0.3 and 1 (the part before it is learning history)');
  const hour = st.hour === undefined ? 2 : Number(st.hour);
  if (!(hour >= 0 && hour < 24)) throw err('`start.hour` must be 0-23 (UTC)');
  const actor = (o.actor ?? {}) as Record<string, unknown>;
  const addresses = Array.isArray(actor.addresses) ? actor.addresses.map(String) : [];
  for (const a of addresses) if (!isIp(a)) throw err(`actor.addresses: "${a}" is not an IP address`);
  if (addresses.length === 0) throw err('actor.addresses needs at least one address');
  const inIntel = Array.isArray(actor.in_intel) ? actor.in_intel.map(String) : [];
  for (const a of inIntel) if (!isIp(a)) throw err(`actor.in_intel: "${a}" is not an IP address`);
  if (!Array.isArray(o.steps) || o.steps.length === 0) throw err('`steps` must be a non-empty list');
  const ids = new Set<string>();
  const steps: Step[] = o.steps.map((x, i) => {
    const s = x as Record<string, unknown>;
    const where = `steps[${i}]`;
    if (!s || typeof s !== 'object') throw err(`${where} must be a mapping`);
    const action = s.action as ActionName;
    if (typeof action !== 'string' || !(action in ACTIONS)) throw err(`${where}: unknown action "${String(s.action)}" (known: ${Object.keys(ACTIONS).join(', ')})`);
    const atMs = parseDuration(s.at ?? '0m');
    if (atMs === undefined) throw err(`${where}: \`at\` must be a duration such as 15m, 2h30m or 1d6h`);
    if (s.technique !== undefined && (typeof s.technique !== 'string' || !/^T\d{4}(\.\d{3})?$/.test(s.technique))) throw err(`${where}: technique must look like T1234 or T1234.001`);
    let target: Target | undefined;
    if (s.target !== undefined) {
      const t = s.target as Record<string, unknown>;
      if (t.role !== undefined && !ROLES.includes(t.role as Role)) throw err(`${where}: target.role must be one of ${ROLES.join(', ')}`);
      const plats = t.platform === undefined ? [] : Array.isArray(t.platform) ? t.platform : [t.platform];
      if ((Array.isArray(t.platform) && !plats.length) || plats.some((x) => !PLATFORMS.includes(x as Platform))) throw err(`${where}: target.platform must be one of ${PLATFORMS.join(', ')}, or a list of them in order of preference`);
      target = { role: t.role as Role | undefined, platform: t.platform as Platform | Platform[] | undefined, device: typeof t.device === 'string' ? t.device : undefined };
    }
    if (s.on !== undefined && (typeof s.on !== 'string' || !ids.has(s.on))) throw err(`${where}: \`on\` must name an earlier step id`);
    if (typeof s.from === 'string' && s.from.startsWith('device:') && !ids.has(s.from.slice(7))) throw err(`${where}: \`from: device:<id>\` must name an earlier step id`);
    let repeat: Step['repeat'];
    if (s.repeat !== undefined) {
      const r = s.repeat as Record<string, unknown>;
      const every = parseDuration(r.every);
      const jitter = parseDuration(r.jitter ?? '0m') ?? 0;
      if (!Number.isInteger(r.count) || (r.count as number) < 1 || every === undefined) throw err(`${where}: repeat needs count (>= 1) and every (a duration)`);
      repeat = { count: r.count as number, every, jitter };
    }
    if (typeof s.id === 'string') {
      if (ids.has(s.id)) throw err(`${where}: duplicate step id "${s.id}"`);
      ids.add(s.id);
    }
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (!['id', 'action', 'at', 'technique', 'target', 'on', 'from', 'user', 'repeat'].includes(k)) params[k] = v;
    return {
      id: typeof s.id === 'string' ? s.id : undefined, action, at: atMs, technique: s.technique as string | undefined,
      target, on: s.on as string | undefined, from: s.from === undefined ? undefined : String(s.from),
      user: s.user === undefined ? undefined : String(s.user), repeat, params,
    };
  });
  return {
    name, title: typeof o.title === 'string' ? o.title : name, stealth,
    description: typeof o.description === 'string' ? o.description.trim() : '',
    start: { at, hour }, actor: { addresses, in_intel: inIntel, user: typeof actor.user === 'string' ? actor.user : 'cisco_support' },
    steps, file,
  };
}
