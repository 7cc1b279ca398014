/**
 * Processing pipelines (data in rules/pipelines/*.yml): which Tidewatch events a Sigma logsource means, and
 * which event fields a Sigma field name means. Pure: the caller reads the YAML.
 *
 *   logsources:
 *     - logsource: {product: cisco, service: aaa}
 *       events:                       # any selector may match; inside a selector every field must match
 *         - {kind: command, vendor: cisco}
 *         - {platform: [tac_plus, ise]}
 *   fieldmappings:
 *     - logsource: {product: cisco, service: aaa}   # optional: rules this mapping applies to (L-4 containment)
 *       fields: {rem_addr: src_ip, priv-lvl: priv_lvl}
 *   verbatim_fields: [user, src_ip, ...]          # event fields copied verbatim from the raw line (prefilter)
 *   placeholders: {JumpServers: [jump01, 'jump02*']}   # values for the `expand` modifier
 */
import type { Event } from '../../model/event.js';
import { logsourceWithin, type Logsource } from './rules.js';
import { parseSigmaString, compileParts } from './strings.js';

export interface PipelineDef {
  name: string;
  description?: string;
  logsources?: { logsource: Logsource; events: Record<string, string | number | (string | number)[]>[] }[];
  fieldmappings?: { logsource?: Logsource; fields: Record<string, string | string[]> }[];
  verbatim_fields?: string[];
  placeholders?: Record<string, string[]>;
}

export class PipelineError extends Error {}

/** One event selector: field -> allowed values (case-insensitive, `*` and `?` wildcards). */
export class Selector {
  readonly fields: string[];
  private tests: ((v: string) => boolean)[];
  constructor(readonly spec: Record<string, string | number | (string | number)[]>) {
    this.fields = Object.keys(spec);
    this.tests = this.fields.map((f) => {
      const vals = ([] as (string | number)[]).concat(spec[f] as string | number | (string | number)[]).map(String);
      const ts = vals.map((v) => compileParts(parseSigmaString(v), false));
      return (x: string) => ts.some((t) => t.test(x, x.toLowerCase()));
    });
  }
  matches(ev: Event): boolean {
    for (let i = 0; i < this.fields.length; i++) {
      const v = ev[this.fields[i]];
      if (v === undefined || v === null) return false;
      if (!this.tests[i](String(v))) return false;
    }
    return true;
  }
}

export class Pipeline {
  readonly name: string;
  readonly entries: { logsource: Logsource; selectors: Selector[] }[];
  readonly mappings: { logsource?: Logsource; fields: Record<string, string[]> }[];
  readonly verbatim: Set<string>;
  readonly placeholders: Record<string, string[]>;
  /** Event fields the selectors read: the route key of an event is their values. */
  readonly routeFields: string[];

  constructor(def: PipelineDef) {
    if (!def || typeof def !== 'object') throw new PipelineError('pipeline must be a map');
    this.name = def.name ?? 'unnamed';
    this.entries = (def.logsources ?? []).map((e, i) => {
      if (!e || typeof e.logsource !== 'object' || !Array.isArray(e.events)) throw new PipelineError(`logsources[${i}] needs 'logsource' and a list of 'events' selectors`);
      return { logsource: lowerLs(e.logsource), selectors: e.events.map((s) => new Selector(s)) };
    });
    this.mappings = (def.fieldmappings ?? []).map((m, i) => {
      if (!m || typeof m.fields !== 'object') throw new PipelineError(`fieldmappings[${i}] needs 'fields'`);
      const fields: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(m.fields)) fields[k] = Array.isArray(v) ? v.map(String) : [String(v)];
      return { logsource: m.logsource ? lowerLs(m.logsource) : undefined, fields };
    });
    this.verbatim = new Set(def.verbatim_fields ?? []);
    this.placeholders = def.placeholders ?? {};
    const rf = new Set<string>();
    for (const e of this.entries) for (const s of e.selectors) for (const f of s.fields) rf.add(f);
    this.routeFields = [...rf];
  }

  /** Selectors of the pipeline entries a rule's logsource covers (entry logsource within... see L-4). */
  selectorsFor(ls: Logsource): Selector[] {
    const out: Selector[] = [];
    for (const e of this.entries) if (logsourceWithin(ls, e.logsource)) out.push(...e.selectors);
    return out;
  }

  /** Event field names for a rule's field: the mapped names (most specific mapping first), then the name itself. */
  fieldNames(ls: Logsource, field: string): string[] {
    const out: string[] = [];
    const applicable = this.mappings.filter((m) => !m.logsource || logsourceWithin(m.logsource, ls));
    // more specific mappings (more logsource attributes) first
    applicable.sort((a, b) => attrs(b.logsource) - attrs(a.logsource));
    for (const m of applicable) { const t = m.fields[field]; if (t) out.push(...t); }
    out.push(field);
    return [...new Set(out)];
  }

  /** The route key of an event: the values of the fields selectors read. */
  routeKey(ev: Event): string {
    const f = this.routeFields;
    let k = '';
    for (let i = 0; i < f.length; i++) {
      const v = ev[f[i]];
      k += (v === undefined ? '' : String(v)) + '\u0001';
    }
    return k;
  }
}

function attrs(ls?: Logsource): number {
  if (!ls) return 0;
  return (ls.category ? 1 : 0) + (ls.product ? 1 : 0) + (ls.service ? 1 : 0);
}

function lowerLs(ls: Logsource): Logsource {
  const o: Logsource = {};
  for (const [k, v] of Object.entries(ls)) if (typeof v === 'string') o[k] = k === 'definition' ? v : v.toLowerCase();
  return o;
}
