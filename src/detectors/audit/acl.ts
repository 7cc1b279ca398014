import type { ConfigNode, ConfigTree, Platform } from '../../model/config.js';
import { maskToBits, parseIPv4, wildcardToBits } from '../../util/ip.js';

/**
 * One access-list entry, normalized to `permit|deny ...`: sequence numbers and list names removed,
 * `host A` written `A/32`, and `A WILDCARD` (or `A NETMASK` on ASA) written `A/len`, so checks match one form.
 */
export interface AclEntry {
  text: string;
  node: ConfigNode;
}

const NUMBERED = /^access-list (\S+) (?:line \d+ )?(?:extended |standard |webtype |ethertype )?((?:permit|deny) .*)$/;
const NAMED = /^(?:ip|ipv6|ipv4|mac)? ?access-list (?:standard |extended |resequence |role-based )?(\S+)$/;
const ENTRY = /^(?:\d+ )?((?:permit|deny) .*)$/;
const V4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Rewrites addresses in an entry to prefix form (see AclEntry). */
export function normalizeAce(text: string, platform: Platform): string {
  if (!text.includes('.')) return text;
  const t = text.split(' ');
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const w = t[i];
    if (w === 'host' && i + 1 < t.length && V4.test(t[i + 1])) { out.push(`${t[i + 1]}/32`); i++; continue; }
    if (V4.test(w) && i + 1 < t.length && V4.test(t[i + 1])) {
      const m = parseIPv4(t[i + 1])!;
      const bits = platform === 'asa' ? maskToBits(m) : (wildcardToBits(m) ?? maskToBits(m));
      if (bits !== undefined) { out.push(`${w}/${bits}`); i++; continue; }
    }
    out.push(w);
  }
  return out.join(' ');
}

const JUNOS_FILTER = /^firewall (?:family \S+ )?filter (\S+) term (\S+) (from|then) (.*)$/;

/**
 * Entries of one access list of a Cisco-like tree, found through a first/second-word lookup of top-level
 * statements (`access-list NAME ...`, `ip access-list [standard|extended] NAME`), so only that list is read.
 */
export function aclByName(tree: ConfigTree, name: string, bySecond: (first: string, second: string) => ConfigNode[]): AclEntry[] {
  const out: AclEntry[] = [];
  for (const n of bySecond('access-list', name)) {
    const m = NUMBERED.exec(n.text);
    if (m && m[1] === name) out.push({ text: normalizeAce(m[2], tree.platform), node: n });
  }
  for (const first of ['ip', 'ipv6', 'ipv4', 'mac']) {
    for (const n of bySecond(first, 'access-list')) {
      const s = NAMED.exec(n.text);
      if (!s || s[1] !== name) continue;
      for (const c of n.children) {
        const e = ENTRY.exec(c.text);
        if (e) out.push({ text: normalizeAce(e[1], tree.platform), node: c });
      }
    }
  }
  return out;
}

/**
 * Access lists of a tree by name. Cisco-like: numbered `access-list N ...` lines and named
 * `ip access-list [standard|extended] NAME` / `ipv4 access-list NAME` sections. Junos: each filter term's
 * `from source-address A` becomes `permit A` (or `deny A` when the term discards or rejects).
 */
export function aclEntries(tree: ConfigTree): Map<string, AclEntry[]> {
  const out = new Map<string, AclEntry[]>();
  const add = (name: string, e: AclEntry) => {
    const l = out.get(name);
    if (l) l.push(e); else out.set(name, [e]);
  };
  if (tree.platform === 'junos') {
    const terms = new Map<string, { filter: string; sources: ConfigNode[]; action: string }>();
    for (const n of tree.nodes) {
      const m = JUNOS_FILTER.exec(n.text);
      if (!m) continue;
      const key = `${m[1]}\u0000${m[2]}`;
      let t = terms.get(key);
      if (!t) { t = { filter: m[1], sources: [], action: 'accept' }; terms.set(key, t); }
      if (m[3] === 'from' && /^(?:source-address|address) /.test(m[4])) t.sources.push(n);
      if (m[3] === 'then' && /^(?:discard|reject)\b/.test(m[4])) t.action = 'discard';
    }
    for (const t of terms.values()) {
      for (const s of t.sources) {
        const addr = /(?:source-address|address) (\S+)/.exec(s.text)?.[1] ?? '';
        const except = /\bexcept\b/.test(s.text);
        add(t.filter, { text: `${t.action === 'accept' && !except ? 'permit' : 'deny'} ${addr}`, node: s });
      }
    }
    return out;
  }
  for (const n of tree.nodes) {
    const t = n.text;
    if (!t.includes('access-list')) continue;
    const m = NUMBERED.exec(t);
    if (m) { add(m[1], { text: normalizeAce(m[2], tree.platform), node: n }); continue; }
    const s = NAMED.exec(t);
    if (s) {
      for (const c of n.children) {
        const e = ENTRY.exec(c.text);
        if (e) add(s[1], { text: normalizeAce(e[1], tree.platform), node: c });
      }
    }
  }
  return out;
}
