import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { rulesPath } from '../util/paths.js';

/** One row of rules/attack/techniques.yml. */
export interface TechniqueInfo {
  id: string;
  name: string;
  tactic: string;
}

/**
 * The ATT&CK technique -> tactic table incidents order their techniques by (rules/attack/techniques.yml).
 * Sub-techniques not listed roll up to their parent for the tactic; unknown ids sort after every known tactic.
 */
export class AttackTable {
  readonly tacticOrder: readonly string[];
  private readonly rows = new Map<string, TechniqueInfo>();

  constructor(doc: { tactic_order?: unknown; techniques?: unknown }, readonly file = '<inline>') {
    if (!Array.isArray(doc.tactic_order) || !doc.tactic_order.every((t) => typeof t === 'string')) {
      throw new Error(`${file}: \`tactic_order\` must be a list of tactic names`);
    }
    this.tacticOrder = doc.tactic_order as string[];
    const techs = (doc.techniques ?? {}) as Record<string, { name?: unknown; tactic?: unknown }>;
    for (const [id, row] of Object.entries(techs)) {
      if (!/^T\d{4}(\.\d{3})?$/.test(id)) throw new Error(`${file}: "${id}" is not an ATT&CK technique id`);
      if (typeof row?.tactic !== 'string' || !this.tacticOrder.includes(row.tactic)) {
        throw new Error(`${file}: technique ${id} names tactic "${String(row?.tactic)}", which is not in tactic_order`);
      }
      this.rows.set(id, { id, name: String(row.name ?? id), tactic: row.tactic });
    }
  }

  static load(path = rulesPath('attack', 'techniques.yml')): AttackTable {
    return new AttackTable(parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>, path);
  }

  /** Every listed technique, in file order (the console draws its ATT&CK matrix from this). */
  list(): TechniqueInfo[] {
    return [...this.rows.values()];
  }

  /** The technique's row, rolling a sub-technique up to its parent's tactic when it is not listed itself. */
  lookup(id: string): TechniqueInfo | undefined {
    const own = this.rows.get(id);
    if (own) return own;
    const dot = id.indexOf('.');
    if (dot > 0) {
      const parent = this.rows.get(id.slice(0, dot));
      if (parent) return { id, name: `${parent.name} (${id})`, tactic: parent.tactic };
    }
    return undefined;
  }

  /** Position of a tactic in the kill chain (unknown tactics last). */
  tacticRank(tactic: string | undefined): number {
    const i = tactic === undefined ? -1 : this.tacticOrder.indexOf(tactic);
    return i < 0 ? this.tacticOrder.length : i;
  }

  isTechnique(id: string): boolean {
    return /^T\d{4}(\.\d{3})?$/.test(id);
  }
}
