import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseSeverity, type Severity } from '../model/severity.js';
import { rulesPath } from '../util/paths.js';

export type GroupKey = 'device' | 'account' | 'ip';

export interface ChainStep {
  techniques: string[];
  rules: string[];
}

export interface ChainRule {
  id: string;
  title: string;
  windowMs: number;
  severity: Severity;
  steps: ChainStep[];
}

export interface RaiseRule {
  tactics?: number;
  devices?: number;
  accounts?: number;
  tacticReached?: string[];
  reason: string;
}

/** rules/correlation/incidents.yml, validated. */
export interface CorrelationRules {
  groupBy: { key: GroupKey; windowMs: number }[];
  neverGroup: { ipSiteLists: string[]; ips: string[]; accounts: string[] };
  openMinSeverity: Severity;
  severityRaise: RaiseRule[];
  chains: ChainRule[];
  remediation: { always: string[]; byTactic: Record<string, string[]> };
  file: string;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `30m`, `24h`, `7d` into milliseconds. */
export function parseDuration(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(String(v ?? '').trim());
  return m ? Number(m[1]) * UNITS[m[2]] : undefined;
}

function strs(file: string, where: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${file}: \`${where}\` must be a list`);
  return v.map((x) => String(x));
}

export function correlationRulesFrom(raw: unknown, file = '<inline>'): CorrelationRules {
  const o = (raw ?? {}) as Record<string, unknown>;
  const err = (m: string) => new Error(`${file}: ${m}`);
  const dur = (where: string, v: unknown) => {
    const d = parseDuration(v);
    if (d === undefined) throw err(`\`${where}\` must be a duration like 30m, 24h or 7d (got ${JSON.stringify(v)})`);
    return d;
  };
  if (!Array.isArray(o.group_by) || !o.group_by.length) throw err('`group_by` must be a non-empty list');
  const groupBy = o.group_by.map((g, i) => {
    const r = g as Record<string, unknown>;
    if (r.key !== 'device' && r.key !== 'account' && r.key !== 'ip') throw err(`\`group_by[${i}].key\` must be device, account or ip`);
    return { key: r.key as GroupKey, windowMs: dur(`group_by[${i}].window`, r.window) };
  });
  const ng = (o.never_group ?? {}) as Record<string, unknown>;
  const sev = (where: string, v: unknown): Severity => {
    const s = parseSeverity(String(v ?? ''));
    if (!s) throw err(`\`${where}\` must be a severity (info, low, medium, high, critical)`);
    return s;
  };
  const severityRaise = (Array.isArray(o.severity_raise) ? o.severity_raise : []).map((r, i) => {
    const when = ((r as Record<string, unknown>).when ?? {}) as Record<string, unknown>;
    const reason = String((r as Record<string, unknown>).reason ?? `rule ${i + 1}`);
    const num = (k: string) => (when[k] === undefined ? undefined : Number(when[k]));
    const rule: RaiseRule = { tactics: num('tactics'), devices: num('devices'), accounts: num('accounts'), reason };
    if (when.tactic_reached !== undefined) rule.tacticReached = strs(file, `severity_raise[${i}].when.tactic_reached`, when.tactic_reached);
    for (const k of ['tactics', 'devices', 'accounts'] as const) {
      if (rule[k] !== undefined && !Number.isFinite(rule[k])) throw err(`\`severity_raise[${i}].when.${k}\` must be a number`);
    }
    return rule;
  });
  const chains = (Array.isArray(o.chains) ? o.chains : []).map((c, i) => {
    const r = c as Record<string, unknown>;
    if (typeof r.id !== 'string' || typeof r.title !== 'string') throw err(`\`chains[${i}]\` needs an id and a title`);
    if (!Array.isArray(r.steps) || r.steps.length < 2) throw err(`chain ${r.id}: \`steps\` must list at least two steps`);
    return {
      id: r.id, title: r.title, windowMs: dur(`chains[${i}].window`, r.window), severity: sev(`chains[${i}].severity`, r.severity),
      steps: r.steps.map((s, j) => {
        const st = s as Record<string, unknown>;
        const step = { techniques: strs(file, `chains[${i}].steps[${j}].techniques`, st.techniques), rules: strs(file, `chains[${i}].steps[${j}].rules`, st.rules) };
        if (!step.techniques.length && !step.rules.length) throw err(`chain ${r.id} step ${j + 1} names no technique and no rule`);
        return step;
      }),
    };
  });
  const rem = (o.remediation ?? {}) as Record<string, unknown>;
  const byTactic: Record<string, string[]> = {};
  for (const [t, list] of Object.entries((rem.by_tactic ?? {}) as Record<string, unknown>)) byTactic[t] = strs(file, `remediation.by_tactic.${t}`, list);
  return {
    groupBy,
    neverGroup: { ipSiteLists: strs(file, 'never_group.ip_site_lists', ng.ip_site_lists), ips: strs(file, 'never_group.ips', ng.ips), accounts: strs(file, 'never_group.accounts', ng.accounts) },
    openMinSeverity: o.open_min_severity === undefined ? 'info' : sev('open_min_severity', o.open_min_severity),
    severityRaise,
    chains,
    remediation: { always: strs(file, 'remediation.always', rem.always), byTactic },
    file,
  };
}

export function loadCorrelationRules(path = rulesPath('correlation', 'incidents.yml')): CorrelationRules {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return correlationRulesFrom(raw, path);
}
