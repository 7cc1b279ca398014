import type { Warrant } from '../../model/access.js';

/**
 * One canonical form per target identifier, so the register and each system's log match however they write it:
 * lower case; `tel:`, `imsi:`, `imei:` prefixes dropped; for numbers (E.164 MSISDN, IMSI, IMEI) every character
 * but digits dropped (`+1 (202) 555-0100` = `12025550100`); for SIP URIs the scheme kept, parameters after `;`
 * dropped, and a `+` in the user part dropped (`sip:+1202...@ims` = `sip:1202...@ims`).
 */
export function normalizeTarget(raw: string): string {
  // hot path: most identifiers are plain digit strings, already in canonical form (no lookup, no allocation)
  const n = raw.length;
  if (n > 0 && n <= 32) {
    let i = 0;
    while (i < n) {
      const c = raw.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === n) return raw;
  }
  let v = cache.get(raw);
  if (v === undefined) {
    v = normalize(raw);
    if (cache.size >= 100_000) cache.clear();
    cache.set(raw, v);
  }
  return v;
}

/** Targets repeat a lot (the same subscribers are searched again and again): a bounded memo saves the regexes. */
const cache = new Map<string, string>();

function normalize(raw: string): string {
  let s = raw.trim().toLowerCase();
  if (s.startsWith('sip:') || s.startsWith('sips:')) {
    s = s.replace(/^sips:/, 'sip:');
    const semi = s.indexOf(';');
    if (semi > 0) s = s.slice(0, semi);
    return s.replace(/^sip:\+/, 'sip:');
  }
  s = s.replace(/^(tel|imsi|imei|msisdn):/, '');
  if (/^[\d\s+().\-/]+$/.test(s)) return s.replace(/\D/g, '');
  return s;
}

/** Masks an identifier for output: the scheme, the first three and the last two characters (and a SIP domain) stay. */
export function maskTarget(raw: string): string {
  const m = /^([a-z]+:)?([^@]*)(@.*)?$/i.exec(raw.trim())!;
  const scheme = m[1] ?? '';
  const body = m[2];
  const domain = m[3] ?? ''; // the domain of a SIP URI says nothing about the subscriber
  if (body.length <= 6) return scheme + '*'.repeat(body.length) + domain;
  return scheme + body.slice(0, 3) + '*'.repeat(body.length - 5) + body.slice(-2) + domain;
}

const NONE: readonly IndexedWarrant[] = Object.freeze([]);

export interface IndexedWarrant extends Warrant {
  from: number;
  until: number;
  /** Lower-cased operator names. */
  ops: Set<string>;
}

/** The warrant register indexed by normalized target and by case reference. */
export class WarrantRegister {
  private readonly byTarget = new Map<string, IndexedWarrant[]>();
  private readonly byCase = new Map<string, IndexedWarrant>();
  readonly size: number;

  constructor(warrants: readonly Warrant[]) {
    for (const w of warrants) {
      // one object shape for every warrant, whatever its source object carried (hot path: the per-event loop over a
      // target's warrants reads from/until/ops and stays monomorphic)
      const iw: IndexedWarrant = {
        case_ref: w.case_ref, targets: w.targets, valid_from: w.valid_from, valid_until: w.valid_until, operators: w.operators,
        from: Date.parse(w.valid_from), until: Date.parse(w.valid_until), ops: new Set(w.operators.map((o) => o.toLowerCase())),
      };
      this.byCase.set(w.case_ref.toLowerCase(), iw);
      for (const t of w.targets) {
        const k = normalizeTarget(t);
        let l = this.byTarget.get(k);
        if (!l) this.byTarget.set(k, (l = []));
        l.push(iw);
      }
    }
    this.size = warrants.length;
  }

  /** Case references as events write them (hot path: no lower-casing per event; null = not in the register). */
  private readonly byCaseRaw = new Map<string, IndexedWarrant | null>();

  /** Warrants naming a normalized target (any validity). */
  forTarget(normalized: string): readonly IndexedWarrant[] {
    return this.byTarget.get(normalized) ?? NONE;
  }

  case(caseRef: string): IndexedWarrant | undefined {
    let w = this.byCaseRaw.get(caseRef);
    if (w === undefined) {
      w = this.byCase.get(caseRef.toLowerCase()) ?? null;
      if (this.byCaseRaw.size >= 100_000) this.byCaseRaw.clear();
      this.byCaseRaw.set(caseRef, w);
    }
    return w ?? undefined;
  }
}
