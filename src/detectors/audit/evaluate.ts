import type { ConfigNode, ConfigTree } from '../../model/config.js';
import type { SiteConfig } from '../../model/site.js';
import { parsePrefix, prefixContains, wildcardToBits, maskToBits, parseIPv4, type Prefix } from '../../util/ip.js';
import type { CompiledCheck, CompiledCond, Depth, Matcher, SiteListKey } from './checks.js';
import { aclByName, aclEntries, type AclEntry } from './acl.js';

/** A check that fired: the statement (or the anchor line for a missing statement) and the values captured. */
export interface RawFinding {
  check: CompiledCheck;
  line: number;
  node?: ConfigNode;
  /** Named groups of the matching regex. */
  values: Record<string, string>;
}

/**
 * Per-tree dispatch index: top-level statements by first word (and, on demand, by first and second
 * word), so each check tests only statements that can match it (hot path). The index over all depths and
 * the access lists are built only when a check asks for them.
 */
export class TreeIndex {
  readonly top = new Map<string, ConfigNode[]>();
  private allMap?: Map<string, ConfigNode[]>;
  private allList?: ConfigNode[];
  private readonly bySecond = new Map<string, Map<string, ConfigNode[]>>();
  private readonly aclCache = new Map<string, AclEntry[]>();
  private junosAcls?: Map<string, AclEntry[]>;
  constructor(readonly tree: ConfigTree) {
    for (const n of tree.nodes) push(this.top, firstWord(n.text), n);
  }
  get allNodes(): ConfigNode[] {
    if (!this.allList) {
      const out: ConfigNode[] = [];
      const visit = (nodes: ConfigNode[]) => { for (const n of nodes) { out.push(n); if (n.children.length) visit(n.children); } };
      visit(this.tree.nodes);
      this.allList = out;
    }
    return this.allList;
  }
  get all(): Map<string, ConfigNode[]> {
    if (!this.allMap) {
      this.allMap = new Map();
      for (const n of this.allNodes) push(this.allMap, firstWord(n.text), n);
    }
    return this.allMap;
  }
  /** Top-level statements whose first two words are `first second`. */
  topBySecond(first: string, second: string): ConfigNode[] {
    let m = this.bySecond.get(first);
    if (!m) {
      m = new Map();
      for (const n of this.top.get(first) ?? []) push(m, secondWord(n.text, first.length), n);
      this.bySecond.set(first, m);
    }
    return m.get(second) ?? [];
  }
  /** Entries of one access list (looked up by name, normalized once per tree). */
  acl(name: string): AclEntry[] {
    let l = this.aclCache.get(name);
    if (!l) {
      if (this.tree.platform === 'junos') l = (this.junosAcls ??= aclEntries(this.tree)).get(name) ?? [];
      else l = aclByName(this.tree, name, (a, b) => this.topBySecond(a, b));
      this.aclCache.set(name, l);
    }
    return l;
  }
}

function push(m: Map<string, ConfigNode[]>, k: string, n: ConfigNode): void {
  const l = m.get(k);
  if (l) l.push(n); else m.set(k, [n]);
}

function firstWord(text: string): string {
  const sp = text.indexOf(' ');
  return sp < 0 ? text : text.slice(0, sp);
}

function secondWord(text: string, firstLen: number): string {
  if (text.charCodeAt(firstLen) !== 32) return '';
  const e = text.indexOf(' ', firstLen + 1);
  return e < 0 ? text.slice(firstLen + 1) : text.slice(firstLen + 1, e);
}

function byLine(a: ConfigNode, b: ConfigNode): number { return a.line - b.line; }

/** Candidate statements for a matcher at a depth: from the index when the regex starts with literal words. */
function candidates(ix: TreeIndex, m: Matcher, depth: 'top' | 'any'): ConfigNode[] {
  if (depth === 'any') {
    if (!m.words) return ix.allNodes;
    if (m.words.length === 1) return ix.all.get(m.words[0]) ?? [];
    return m.words.flatMap((w) => ix.all.get(w) ?? []).sort(byLine);
  }
  if (!m.words) return ix.tree.nodes;
  if (m.second) {
    if (m.words.length === 1 && m.second.length === 1) return ix.topBySecond(m.words[0], m.second[0]);
    const out: ConfigNode[] = [];
    for (const w of m.words) for (const s2 of m.second) out.push(...ix.topBySecond(w, s2));
    return out.length > 1 ? out.sort(byLine) : out;
  }
  if (m.words.length === 1) return ix.top.get(m.words[0]) ?? [];
  return m.words.flatMap((w) => ix.top.get(w) ?? []).sort(byLine);
}

function startsWithWord(text: string, words: readonly string[]): boolean {
  for (const w of words) if (text.startsWith(w) && (text.length === w.length || text.charCodeAt(w.length) === 32)) return true;
  return false;
}

function childCandidates(section: ConfigNode, m: Matcher, depth: Depth): ConfigNode[] {
  const out: ConfigNode[] = [];
  const visit = (nodes: ConfigNode[]) => {
    for (const n of nodes) {
      if (!m.words || startsWithWord(n.text, m.words)) out.push(n);
      if (depth === 'any' && n.children.length) visit(n.children);
    }
  };
  visit(section.children);
  return out;
}

/** `when`/`unless`: does some top-level statement match? */
function anyMatch(ix: TreeIndex, m: Matcher): boolean {
  for (const n of candidates(ix, m, 'top')) if (m.re.test(n.text)) return true;
  return false;
}

/** Prefix lists of a site, compiled once per site object. */
const siteCache = new WeakMap<SiteConfig, Map<SiteListKey, Prefix[]>>();
function sitePrefixes(site: SiteConfig, key: SiteListKey): Prefix[] {
  let m = siteCache.get(site);
  if (!m) { m = new Map(); siteCache.set(site, m); }
  let l = m.get(key);
  if (!l) {
    l = [];
    for (const s of site[key] ?? []) { const p = parsePrefix(s); if (p) l.push(p); }
    m.set(key, l);
  }
  return l;
}

/** The first non-empty site list among `keys` (internal_prefixes always has the RFC 1918/6598 default). */
export function allowedPrefixes(site: SiteConfig, keys: readonly SiteListKey[]): Prefix[] {
  for (const k of keys) {
    const l = sitePrefixes(site, k);
    if (l.length) return l;
  }
  return [];
}

/** `a.b.c.d` plus an optional wildcard (`X_wc`) or netmask (`X_mask`) group into one prefix. */
function valuePrefix(values: Record<string, string>, key: string): Prefix | undefined {
  const v = values[key];
  if (!v) return undefined;
  const wc = values[`${key}_wc`];
  const mask = values[`${key}_mask`];
  if (wc || mask) {
    const w = parseIPv4((wc ?? mask)!);
    if (w === undefined) return undefined;
    const bits = wc ? wildcardToBits(w) : maskToBits(w);
    if (bits === undefined) return undefined;
    return parsePrefix(`${v}/${bits}`);
  }
  return parsePrefix(v.replace(/^"|"$/g, ''));
}

/** True when `p` is not entirely inside one of `allowed`. */
export function prefixOutside(p: Prefix, allowed: readonly Prefix[]): boolean {
  for (const a of allowed) {
    if (a.family === p.family && a.bits <= p.bits && prefixContains(a, { family: p.family, value: p.base })) return false;
  }
  return true;
}

function condHolds(c: CompiledCond, values: Record<string, string>, site: SiteConfig): boolean {
  const v = values[c.key];
  if (v === undefined) return false;
  if (c.in && !c.in.has(v)) return false;
  if (c.notIn && c.notIn.has(v)) return false;
  if (c.num) {
    const n = Number(v);
    if (!Number.isFinite(n)) return false;
    for (const [op, x] of c.num) {
      if ((op === 'eq' && !(n === x)) || (op === 'ne' && !(n !== x)) || (op === 'gt' && !(n > x)) || (op === 'ge' && !(n >= x)) ||
        (op === 'lt' && !(n < x)) || (op === 'le' && !(n <= x))) return false;
    }
  }
  if (c.regex && !c.regex.test(v)) return false;
  if (c.notRegex && c.notRegex.test(v)) return false;
  if (c.outside) {
    const p = valuePrefix(values, c.key);
    if (!p) return false;
    if (!prefixOutside(p, allowedPrefixes(site, c.outside))) return false;
  }
  if (c.notInSite) {
    const list = site[c.notInSite] ?? [];
    if (list.includes(v.replace(/^"|"$/g, ''))) return false;
  }
  return true;
}

function matchWhere(check: CompiledCheck, m: RegExpExecArray, site: SiteConfig): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  if (m.groups) for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) values[k] = v;
  for (const c of check.where) if (!condHolds(c, values, site)) return undefined;
  return values;
}

/** Why a check cannot run against this site, or undefined when it can. */
export function skipReason(check: CompiledCheck, site: SiteConfig): string | undefined {
  for (const k of check.needsSite) if (!(site[k] ?? []).length) return `the site file declares no ${k}`;
  return undefined;
}

function anchorLine(ix: TreeIndex, check: CompiledCheck): { line: number; node?: ConfigNode } {
  if (check.anchor) for (const n of candidates(ix, check.anchor, 'top')) if (check.anchor.re.test(n.text)) return { line: n.line, node: n };
  if (ix.tree.hostnameLine) return { line: ix.tree.hostnameLine };
  const first = ix.tree.nodes[0];
  return { line: first ? first.line : 1, node: first };
}

/** Evaluates one compiled check over an indexed tree. Pure: no I/O. */
export function evaluateCheck(ix: TreeIndex, check: CompiledCheck, site: SiteConfig, out: RawFinding[]): void {
  if (!check.platforms.has(ix.tree.platform)) return;
  if (check.needsSite.length && skipReason(check, site)) return;
  for (const w of check.when) if (!anyMatch(ix, w)) return;
  for (const u of check.unless) if (anyMatch(ix, u)) return;
  const seen = check.oncePer ? new Set<string>() : undefined;
  const emit = (line: number, node: ConfigNode | undefined, values: Record<string, string>) => {
    if (seen) {
      const k = values[check.oncePer!] ?? '';
      if (seen.has(k)) return;
      seen.add(k);
      // Junos curly form: point at the block that names the value (`user svc-backup {`), not its first leaf.
      if (k && node?.blocks) {
        for (let i = node.blocks.length - 1; i >= 0; i--) {
          if (node.blocks[i].text.split(' ').includes(k)) { line = node.blocks[i].line; break; }
        }
      }
    }
    out.push({ check, line, node, values });
  };
  if (check.acl) {
    const names = new Set<string>();
    for (const r of check.acl) {
      const nodes = r.section
        ? candidates(ix, r.section, 'top').filter((s) => r.section!.re.test(s.text)).flatMap((s) => childCandidates(s, r.find, r.depth))
        : candidates(ix, r.find, r.depth === 'any' ? 'any' : 'top');
      for (const n of nodes) {
        const m = r.find.re.exec(n.text);
        if (m?.groups?.name) names.add(m.groups.name.replace(/^"|"$/g, ''));
      }
    }
    for (const name of names) {
      for (const e of ix.acl(name)) {
        const m = check.find!.re.exec(e.text);
        if (!m) continue;
        const values = matchWhere(check, m, site);
        if (values) emit(e.node.line, e.node, { ...values, acl: name });
      }
    }
    return;
  }
  if (check.section) {
    const sections = candidates(ix, check.section, check.depth === 'any' ? 'any' : 'top').filter((s) => check.section!.re.test(s.text));
    if (!sections.length) {
      if (check.requireSection && check.missing) { const a = anchorLine(ix, check); emit(a.line, a.node, {}); }
      return;
    }
    for (const s of sections) {
      if (check.find) {
        for (const n of childCandidates(s, check.find, check.depth)) {
          const m = check.find.re.exec(n.text);
          if (!m) continue;
          const values = matchWhere(check, m, site);
          if (values) emit(n.line, n, values);
        }
      } else if (check.missing) {
        let found = false;
        for (const n of childCandidates(s, check.missing, check.depth)) if (check.missing.re.test(n.text)) { found = true; break; }
        if (!found) emit(s.line, s, {});
      }
    }
    return;
  }
  const depth = check.depth === 'any' ? 'any' : 'top';
  if (check.find) {
    for (const n of candidates(ix, check.find, depth)) {
      const m = check.find.re.exec(n.text);
      if (!m) continue;
      const values = matchWhere(check, m, site);
      if (values) emit(n.line, n, values);
    }
  } else if (check.missing) {
    for (const n of candidates(ix, check.missing, depth)) if (check.missing.re.test(n.text)) return;
    const a = anchorLine(ix, check);
    emit(a.line, a.node, {});
  }
}

/** Evaluates every check that applies to the tree's platform, in rule order. */
export function evaluateChecks(tree: ConfigTree, checks: readonly CompiledCheck[], site: SiteConfig, ix = new TreeIndex(tree)): RawFinding[] {
  const out: RawFinding[] = [];
  for (const c of checks) evaluateCheck(ix, c, site, out);
  return out;
}
