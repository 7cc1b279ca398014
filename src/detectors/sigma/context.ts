/**
 * Per-event evaluation context and field access. Field names are looked up literally first, then along dots
 * through nested objects (sigma-spec V-7). `undefined` means absent; `null` is a present, empty value.
 */
import type { Event } from '../../model/event.js';

export type FieldGetter = (ev: Event) => unknown;

/** Accessor for one event field name (literal key, then nested path). */
export function fieldGetter(name: string): FieldGetter {
  if (!name.includes('.')) return (ev) => ev[name];
  const parts = name.split('.');
  return (ev) => {
    const v = ev[name];
    if (v !== undefined) return v;
    let cur: unknown = ev;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur;
  };
}

/** Accessor over several candidate names (pipeline mappings, then the rule's own name): the first present value. */
export function multiGetter(names: string[]): FieldGetter {
  const uniq = [...new Set(names)];
  if (uniq.length === 1) return fieldGetter(uniq[0]);
  const gs = uniq.map(fieldGetter);
  return (ev) => {
    for (const g of gs) {
      const v = g(ev);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/** Counters of values a rule could not compare (non-numeric for lt/gt, unreadable dates for time parts). */
export interface TypeErrors {
  count: number;
}

export class EvalCtx {
  ev: Event;
  private lastIn: string | undefined;
  private lastOut = '';
  private rawL: string | undefined;
  private strings: string[] | undefined;
  typeErrors = 0;
  constructor(ev: Event) {
    this.ev = ev;
  }
  reset(ev: Event): void {
    this.ev = ev;
    this.lastIn = undefined;
    this.rawL = undefined;
    this.strings = undefined;
    this.typeErrors = 0;
  }
  /** Lower-cases with a one-entry memo (several values of one item test the same field). */
  lower(s: string): string {
    if (s === this.lastIn) return this.lastOut;
    this.lastIn = s;
    this.lastOut = s.toLowerCase();
    return this.lastOut;
  }
  /** The text keywords search: the raw line, else undefined. */
  get raw(): string | undefined {
    const r = this.ev.raw;
    return typeof r === 'string' ? r : undefined;
  }
  get rawLower(): string {
    if (this.rawL === undefined) this.rawL = (this.raw ?? '').toLowerCase();
    return this.rawL;
  }
  /** Every string value of the event (keyword fallback when there is no raw line). */
  allStrings(): string[] {
    if (!this.strings) {
      const out: string[] = [];
      const walk = (v: unknown, depth: number) => {
        if (typeof v === 'string') out.push(v);
        else if (v && typeof v === 'object' && depth < 6) for (const x of Array.isArray(v) ? v : Object.values(v as object)) walk(x, depth + 1);
      };
      walk(this.ev, 0);
      this.strings = out;
    }
    return this.strings;
  }
}
