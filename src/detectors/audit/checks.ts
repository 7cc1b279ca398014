import { isPlatform, PLATFORMS, type Platform } from '../../model/config.js';
import { isSeverity, type Severity } from '../../model/severity.js';

/**
 * Config checks are data (rules/config/*.yml). This module validates a check definition and compiles it
 * once into matchers; evaluate.ts runs compiled checks over a parsed tree. The YAML shape is documented in
 * docs/CHECKS.md (generated) and rules/config/README.md.
 */

/** Site file keys a check may consult. */
export const SITE_LIST_KEYS = [
  'internal_prefixes', 'management_hosts', 'aaa_servers', 'syslog_servers', 'ntp_servers', 'snmp_managers',
  'tunnel_peers', 'approved_accounts',
] as const;
export type SiteListKey = (typeof SITE_LIST_KEYS)[number];

export interface Cond {
  in?: (string | number)[];
  not_in?: (string | number)[];
  eq?: number; ne?: number; gt?: number; ge?: number; lt?: number; le?: number;
  regex?: string;
  not_regex?: string;
  /** Fires when the address/prefix lies outside the first of these site lists that is not empty. */
  outside?: SiteListKey[];
  /** Fires when the value is not in this site list; the check is skipped while the list is empty. */
  not_in_site?: SiteListKey;
}

export interface RefSpec { section?: string; find: string; depth?: Depth }

export type Depth = 'top' | 'child' | 'any';

export interface MatchSpec {
  when?: string | string[];
  unless?: string | string[];
  section?: string;
  /** With `section`: also fire once when no section matches at all. */
  require_section?: boolean;
  find?: string;
  missing?: string;
  depth?: Depth;
  where?: Record<string, Cond>;
  anchor?: string;
  /** Report a captured value once (first occurrence), e.g. one finding per account rather than per line. */
  once_per?: string;
  /** `find` runs over the entries of the access lists these references name (group `name`). */
  acl?: { refs: RefSpec[] };
}

export interface CheckTestCase { config: string; platform?: Platform; site?: Record<string, unknown>; note?: string }

export interface CheckSpec {
  id: string;
  title: string;
  description?: string;
  platforms: Platform[];
  kind: 'hardening' | 'compromise';
  severity: Severity;
  attack: string[];
  references?: string[];
  match: MatchSpec;
  remediation: string | Record<string, string>;
  tests?: { fire?: (string | CheckTestCase)[]; quiet?: (string | CheckTestCase)[] };
}

export interface CompiledCond {
  key: string;
  in?: Set<string>;
  notIn?: Set<string>;
  num?: [op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', v: number][];
  regex?: RegExp;
  notRegex?: RegExp;
  outside?: SiteListKey[];
  notInSite?: SiteListKey;
}

/**
 * A regex plus the first words a statement must start with to possibly match (dispatch index), and,
 * when the regex names it, the second word (`^ip ssh port` -> words ['ip'], second ['ssh']).
 */
export interface Matcher { re: RegExp; words: string[] | null; second: string[] | null }

export interface CompiledRef { section?: Matcher; find: Matcher; depth: Depth }

export interface CompiledCheck {
  spec: CheckSpec;
  id: string;
  platforms: Set<Platform>;
  when: Matcher[];
  unless: Matcher[];
  section?: Matcher;
  requireSection: boolean;
  find?: Matcher;
  missing?: Matcher;
  depth: Depth;
  where: CompiledCond[];
  anchor?: Matcher;
  oncePer?: string;
  acl?: CompiledRef[];
  /** Site lists that must be non-empty for the check to run (from `not_in_site`). */
  needsSite: SiteListKey[];
  remediation: Partial<Record<Platform, string>>;
  source: string;
}

export class CheckError extends Error {
  constructor(readonly source: string, readonly check: string | undefined, message: string) {
    super(`${source}${check ? ` (check ${check})` : ''}: ${message}`);
  }
}

/**
 * The literal first word(s) a regex requires at the start of the statement, so evaluation only tests
 * statements that start with them. `^ip http server` -> ['ip']; `^(?:logging|syslog) ` -> both; else null.
 */
export function leadingWords(source: string): string[] | null {
  return leadingWordsAt(source.startsWith('^') ? source.slice(1) : null)?.words ?? null;
}

function leadingWordsAt(s: string | null): { words: string[]; rest: string } | null {
  if (s === null) return null;
  const lit = /^([A-Za-z0-9_+:.-]+)(?= |\\s|\$|\\b|$)/.exec(s);
  if (lit && !/[.+]/.test(lit[1])) return { words: [lit[1]], rest: s.slice(lit[0].length) };
  const alt = /^\(\?:([A-Za-z0-9_|:-]+)\)(?= |\\s|\$|\\b|$)/.exec(s);
  if (alt) return { words: alt[1].split('|'), rest: s.slice(alt[0].length) };
  return null;
}

/** The second literal word of an anchored regex (`^ip http server` -> ['http']), or null. */
export function secondWords(source: string): string[] | null {
  const first = leadingWordsAt(source.startsWith('^') ? source.slice(1) : null);
  if (!first || !first.rest.startsWith(' ')) return null;
  return leadingWordsAt(first.rest.slice(1))?.words ?? null;
}

function matcher(src: string, source: string, id: string, field: string): Matcher {
  let re: RegExp;
  try {
    re = new RegExp(src);
  } catch (e) {
    throw new CheckError(source, id, `\`${field}\` is not a valid regular expression: ${(e as Error).message}`);
  }
  return { re, words: leadingWords(src), second: secondWords(src) };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const ATTACK_RE = /^(?:T\d{4}(?:\.\d{3})?|M\d{4})$/;

/** Validates one check definition and compiles its matchers. Throws CheckError naming the file and check. */
export function compileCheck(raw: unknown, source: string): CompiledCheck {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CheckError(source, undefined, 'a check must be a mapping');
  const spec = raw as CheckSpec;
  const id = spec.id;
  if (typeof id !== 'string' || !/^[A-Z0-9][A-Z0-9-]+$/.test(id)) throw new CheckError(source, String(id), '`id` must be upper-case letters, digits and dashes');
  if (typeof spec.title !== 'string' || !spec.title) throw new CheckError(source, id, '`title` is required');
  if (!Array.isArray(spec.platforms) || !spec.platforms.length || !spec.platforms.every(isPlatform)) {
    throw new CheckError(source, id, `\`platforms\` must list some of ${PLATFORMS.join(', ')}`);
  }
  if (spec.kind !== 'hardening' && spec.kind !== 'compromise') throw new CheckError(source, id, '`kind` must be hardening or compromise');
  if (!isSeverity(spec.severity)) throw new CheckError(source, id, '`severity` must be info, low, medium, high or critical');
  if (!Array.isArray(spec.attack) || !spec.attack.length || !spec.attack.every((a) => typeof a === 'string' && ATTACK_RE.test(a))) {
    throw new CheckError(source, id, '`attack` must list ATT&CK technique (T1234, T1234.001) or mitigation (M1234) ids');
  }
  const m = spec.match;
  if (!m || typeof m !== 'object') throw new CheckError(source, id, '`match` is required');
  if (!m.find === !m.missing) throw new CheckError(source, id, '`match` needs exactly one of `find` or `missing`');
  if (m.acl && !m.find) throw new CheckError(source, id, '`match.acl` works with `find`');
  const depth: Depth = m.depth ?? (m.section ? 'child' : 'top');
  if (!['top', 'child', 'any'].includes(depth)) throw new CheckError(source, id, '`depth` must be top, child or any');
  const where: CompiledCond[] = [];
  const needsSite: SiteListKey[] = [];
  for (const [key, c] of Object.entries(m.where ?? {})) {
    if (!c || typeof c !== 'object') throw new CheckError(source, id, `\`where.${key}\` must be a mapping`);
    const cc: CompiledCond = { key };
    if (c.in) cc.in = new Set(c.in.map(String));
    if (c.not_in) cc.notIn = new Set(c.not_in.map(String));
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const) {
      if (c[op] !== undefined) {
        if (typeof c[op] !== 'number') throw new CheckError(source, id, `\`where.${key}.${op}\` must be a number`);
        (cc.num ??= []).push([op, c[op] as number]);
      }
    }
    if (c.regex) cc.regex = matcher(c.regex, source, id, `where.${key}.regex`).re;
    if (c.not_regex) cc.notRegex = matcher(c.not_regex, source, id, `where.${key}.not_regex`).re;
    if (c.outside) {
      if (!Array.isArray(c.outside) || !c.outside.every((k) => (SITE_LIST_KEYS as readonly string[]).includes(k))) {
        throw new CheckError(source, id, `\`where.${key}.outside\` must list site keys (${SITE_LIST_KEYS.join(', ')})`);
      }
      cc.outside = c.outside;
    }
    if (c.not_in_site) {
      if (!(SITE_LIST_KEYS as readonly string[]).includes(c.not_in_site)) throw new CheckError(source, id, `\`where.${key}.not_in_site\` must be a site key`);
      cc.notInSite = c.not_in_site;
      needsSite.push(c.not_in_site);
    }
    where.push(cc);
  }
  const remediation: Partial<Record<Platform, string>> = {};
  if (typeof spec.remediation === 'string') for (const p of spec.platforms) remediation[p] = spec.remediation;
  else if (spec.remediation && typeof spec.remediation === 'object') {
    for (const [k, v] of Object.entries(spec.remediation)) {
      for (const p of k.split(',').map((x) => x.trim())) {
        if (!isPlatform(p)) throw new CheckError(source, id, `\`remediation\` key "${p}" is not a platform`);
        remediation[p] = String(v).trimEnd();
      }
    }
  }
  for (const p of spec.platforms) if (!remediation[p]) throw new CheckError(source, id, `\`remediation\` has no lines for ${p}`);
  const compiled: CompiledCheck = {
    spec,
    id,
    platforms: new Set(spec.platforms),
    when: asList(m.when).map((s, i) => matcher(s, source, id, `when[${i}]`)),
    unless: asList(m.unless).map((s, i) => matcher(s, source, id, `unless[${i}]`)),
    section: m.section ? matcher(m.section, source, id, 'section') : undefined,
    requireSection: Boolean(m.require_section),
    find: m.find ? matcher(m.find, source, id, 'find') : undefined,
    missing: m.missing ? matcher(m.missing, source, id, 'missing') : undefined,
    depth,
    where,
    anchor: m.anchor ? matcher(m.anchor, source, id, 'anchor') : undefined,
    oncePer: m.once_per,
    acl: m.acl ? (m.acl.refs ?? []).map((r, i) => ({
      section: r.section ? matcher(r.section, source, id, `acl.refs[${i}].section`) : undefined,
      find: matcher(r.find, source, id, `acl.refs[${i}].find`),
      depth: r.depth ?? (r.section ? 'child' : 'top'),
    })) : undefined,
    needsSite,
    remediation,
    source,
  };
  if (compiled.acl && !compiled.acl.length) throw new CheckError(source, id, '`match.acl.refs` must name at least one reference');
  if (compiled.acl) for (const r of compiled.acl) if (!/\(\?<name>/.test(r.find.re.source)) throw new CheckError(source, id, '`acl.refs[].find` must capture the list name as (?<name>...)');
  return compiled;
}

/** Compiles a whole rule set; duplicate ids are an error. */
export function compileChecks(defs: { source: string; checks: unknown[] }[]): CompiledCheck[] {
  const out: CompiledCheck[] = [];
  const seen = new Map<string, string>();
  for (const d of defs) {
    for (const raw of d.checks) {
      const c = compileCheck(raw, d.source);
      const prev = seen.get(c.id);
      if (prev) throw new CheckError(d.source, c.id, `duplicate check id (also in ${prev})`);
      seen.set(c.id, d.source);
      out.push(c);
    }
  }
  return out;
}
