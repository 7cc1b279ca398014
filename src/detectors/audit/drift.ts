import type { ConfigNode, ConfigTree, SectionDiff } from '../../model/config.js';

/**
 * Semantic diff of two versions of one device: statements compared by normalized text (so indentation,
 * blank lines, `!` separators and reordering of sections do not count), grouped per section.
 * Cisco-like: a section is a top-level statement with a body (`interface Tunnel0`); bodiless top-level
 * statements go under `(global)`. Junos: statements are grouped by their leading path
 * (`system services`, `interfaces ge-0/0/0 unit 0`, `firewall family inet filter F`).
 */
export interface DiffLine { line: number; text: string; node: ConfigNode }
export interface TreeDiff extends SectionDiff {
  addedNodes: DiffLine[];
  removedNodes: DiffLine[];
}

export const GLOBAL_SECTION = '(global)';

const JUNOS_SECTION = /^(firewall (?:family \S+ )?filter \S+|interfaces \S+(?: unit \S+)?|security (?:policies from-zone \S+ to-zone \S+|ike (?:gateway|policy) \S+|ipsec vpn \S+|\S+)|protocols \S+(?: group \S+)?|system (?:login user \S+|\S+)|policy-options \S+ \S+|routing-instances \S+|snmp \S+(?: \S+)?|\S+ \S+|\S+)/;

interface Section { header: string; line: number; items: DiffLine[] }

function sectionsOf(tree: ConfigTree): Map<string, Section> {
  const out = new Map<string, Section>();
  const get = (header: string, line: number) => {
    let s = out.get(header);
    if (!s) { s = { header, line, items: [] }; out.set(header, s); }
    return s;
  };
  if (tree.platform === 'junos') {
    for (const n of tree.nodes) {
      const key = JUNOS_SECTION.exec(n.text)?.[1] ?? n.text;
      const s = get(key, n.line);
      s.items.push({ line: n.line, text: n.text, node: n });
    }
    return out;
  }
  for (const n of tree.nodes) {
    if (!n.children.length) { get(GLOBAL_SECTION, 0).items.push({ line: n.line, text: n.text, node: n }); continue; }
    const s = get(n.text, n.line);
    const visit = (nodes: ConfigNode[], prefix: string) => {
      for (const c of nodes) {
        const text = prefix ? `${prefix} > ${c.text}` : c.text;
        s.items.push({ line: c.line, text, node: c });
        if (c.children.length) visit(c.children, text);
      }
    };
    visit(n.children, '');
  }
  return out;
}

/** Multiset difference by text: items of `a` not matched by an item of `b`. */
function minus(a: DiffLine[], b: DiffLine[]): DiffLine[] {
  const count = new Map<string, number>();
  for (const x of b) count.set(x.text, (count.get(x.text) ?? 0) + 1);
  const out: DiffLine[] = [];
  for (const x of a) {
    const c = count.get(x.text) ?? 0;
    if (c > 0) count.set(x.text, c - 1); else out.push(x);
  }
  return out;
}

/** Per-section differences between an old and a new tree, in the new file's order. */
export function diffTrees(oldTree: ConfigTree, newTree: ConfigTree): TreeDiff[] {
  const a = sectionsOf(oldTree);
  const b = sectionsOf(newTree);
  const out: TreeDiff[] = [];
  const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  for (const k of keys) {
    const o = a.get(k);
    const n = b.get(k);
    const addedNodes = minus(n?.items ?? [], o?.items ?? []);
    const removedNodes = minus(o?.items ?? [], n?.items ?? []);
    const headerOnly = k !== GLOBAL_SECTION && (!o || !n) && !addedNodes.length && !removedNodes.length;
    if (!addedNodes.length && !removedNodes.length && !headerOnly) continue;
    out.push({
      section: k,
      old_line: o && k !== GLOBAL_SECTION ? o.line : undefined,
      new_line: n && k !== GLOBAL_SECTION ? n.line : undefined,
      added: addedNodes.map((x) => ({ line: x.line, text: x.text })),
      removed: removedNodes.map((x) => ({ line: x.line, text: x.text })),
      addedNodes,
      removedNodes,
    });
  }
  return out;
}

/** The section diff holding a new-tree line, and the old line that most likely became it (same first two words). */
export function counterpart(diff: readonly TreeDiff[], newLine: number): { section: TreeDiff; old?: DiffLine } | undefined {
  for (const d of diff) {
    const added = d.addedNodes.find((x) => x.line === newLine);
    if (!added && d.new_line !== newLine) continue;
    const text = added?.node.text ?? '';
    const lead = text.split(' ').slice(0, 2).join(' ');
    const old = lead ? d.removedNodes.find((r) => r.node.text.split(' ').slice(0, 2).join(' ') === lead) : undefined;
    return { section: d, old };
  }
  return undefined;
}
