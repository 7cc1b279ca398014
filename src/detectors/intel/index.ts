/**
 * The indicator index: compiles STIX patterns into lookup structures (IP prefix trie, domain suffix map, exact URL
 * and hash maps) and answers "which live indicators does this observation satisfy". Pure and in-memory: the
 * pipeline (src/pipeline/intel.ts) loads the records from the store and turns hits into alerts.
 */
import type { IndicatorRecord } from '../../model/indicator.js';
import {
  comparisons, evalComparison, evalObservations, parsePattern,
  type CompExpr, type ObsExpr, type Observable, type ParsedPattern, type PathStep,
} from './pattern.js';
import { IPv4Trie, IPv6Table } from './trie.js';
import { parseCidr, parseIPv4Int, parseIPv6Words, formatIPv6Words } from '../../util/ipint.js';

/** Object types Tidewatch can observe (from log events, flows and configs). Other types never match. */
export const OBSERVED_TYPES = new Set(['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'file', 'network-traffic']);

export type ValueKind = 'ipv4' | 'ipv6' | 'domain' | 'url' | 'hash';

type Atom = { kind: 'ip'; cidr: string } | { kind: 'domain'; value: string } | { kind: 'url'; value: string } | { kind: 'hash'; value: string };

/** One match of one indicator. */
export interface IndicatorHit {
  indicator: IndicatorRecord;
  /** The observed value that hit (first one, for multi-object observations). */
  value: string;
  kind: ValueKind;
  /** True when only part of a multi-observation pattern (AND/FOLLOWEDBY between observations) is satisfied. */
  partial: boolean;
}

interface Compiled {
  rec: IndicatorRecord;
  /** Undefined for simple patterns (one equality on an indexed value): a hit on the atom is a match. */
  parsed?: ParsedPattern;
  fromMs: number;
  untilMs: number;
  multi: boolean;
}

/** What compiling one pattern found: notes on parts that can never match here. */
export interface CompileReport {
  notes: string[];
  /** The pattern has no part that Tidewatch can ever observe. */
  unmatchable: boolean;
}

const IP_PATHS = new Set(['ipv4-addr:value', 'ipv6-addr:value', 'network-traffic:src_ref.value', 'network-traffic:dst_ref.value']);

function isIpPath(text: string): boolean { return IP_PATHS.has(text); }
function isHashPath(e: { path: { steps: PathStep[] } }): boolean {
  const s = e.path.steps;
  return s.length === 2 && 'prop' in s[0] && s[0].prop === 'hashes';
}

/** Normalizes a domain for indexing: lowercase, no trailing dot. */
export function normDomain(d: string): string {
  let s = d.trim().toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  return s;
}

/** Normalizes a URL for exact matching: trimmed, scheme and host lowercased. */
export function normUrl(u: string): string {
  const t = u.trim();
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(t);
  if (!m) return t;
  return `${m[1].toLowerCase()}://${m[2].toLowerCase()}${m[3]}`;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z][a-z0-9-]{0,62}$/;
const HASH_RE = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/;

export function isDomain(s: string): boolean { return DOMAIN_RE.test(s); }
export function isHash(s: string): boolean { return HASH_RE.test(s); }

export function hashAlgo(h: string): string {
  return h.length === 32 ? 'MD5' : h.length === 40 ? 'SHA-1' : h.length === 64 ? 'SHA-256' : 'SHA-512';
}

/** Classifies a bare value (IP, domain, URL or hash) and builds the observables it stands for. */
export function observablesOf(raw: string): { kind: ValueKind; value: string; objects: Observable[] } | undefined {
  const v = raw.trim();
  if (!v || v.length > 4096) return undefined;
  if (parseIPv4Int(v) >= 0) return { kind: 'ipv4', value: v, objects: [{ type: 'ipv4-addr', value: v }] };
  if (v.includes(':') && !v.includes('/')) {
    const w = parseIPv6Words(v);
    if (w) { const c = formatIPv6Words(w); return { kind: 'ipv6', value: c, objects: [{ type: 'ipv6-addr', value: c }] }; }
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(v)) {
    const u = normUrl(v);
    const objects: Observable[] = [{ type: 'url', value: u }];
    const host = /^[^:]+:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)/.exec(u)?.[1];
    if (host) {
      const h = host.replace(/^\[|\]$/g, '');
      if (parseIPv4Int(h) >= 0) objects.push({ type: 'ipv4-addr', value: h });
      else if (parseIPv6Words(h)) objects.push({ type: 'ipv6-addr', value: formatIPv6Words(parseIPv6Words(h)!) });
      else if (isDomain(normDomain(h))) objects.push({ type: 'domain-name', value: normDomain(h) });
    }
    return { kind: 'url', value: u, objects };
  }
  const lower = v.toLowerCase();
  if (isHash(lower)) return { kind: 'hash', value: lower, objects: [{ type: 'file', hashes: { [hashAlgo(lower)]: lower } }] };
  const d = normDomain(v);
  if (isDomain(d)) return { kind: 'domain', value: d, objects: [{ type: 'domain-name', value: d }] };
  return undefined;
}

/** Atoms whose hit is necessary for the expression to hold; null when the expression cannot be indexed. */
function atomsOf(e: CompExpr): Atom[] | null {
  if (e.type !== 'cmp') {
    if (e.type === 'and') return atomsOf(e.left) ?? atomsOf(e.right);
    const l = atomsOf(e.left), r = atomsOf(e.right);
    return l && r ? [...l, ...r] : null;
  }
  if (e.negated || !e.value) return null;
  const lits = e.op === 'IN' && e.value.kind === 'set' ? e.value.values : [e.value];
  if (e.op !== '=' && e.op !== 'IN' && e.op !== 'ISSUBSET' && e.op !== 'LIKE') return null;
  const out: Atom[] = [];
  for (const l of lits) {
    if (l.kind !== 'string' && l.kind !== 'hex') return null;
    const s = l.value;
    if (isIpPath(e.path.text)) {
      if (e.op === 'LIKE') return null;
      const c = parseCidr(s);
      if (!c) return null;
      out.push({ kind: 'ip', cidr: c.text });
    } else if (e.path.text === 'domain-name:value') {
      if (e.op === 'LIKE') {
        // '%.example.com' / '%example.com': index the fixed suffix, confirm by evaluating the pattern
        const m = /^%\.?([^%_]+)$/.exec(s);
        if (!m || !isDomain(normDomain(m[1]))) return null;
        out.push({ kind: 'domain', value: normDomain(m[1]) });
      } else if (e.op === '=' || e.op === 'IN') out.push({ kind: 'domain', value: normDomain(s) });
      else return null;
    } else if (e.path.text === 'url:value') {
      if (e.op !== '=' && e.op !== 'IN') return null;
      out.push({ kind: 'url', value: normUrl(s) });
    } else if (isHashPath(e)) {
      if (e.op !== '=' && e.op !== 'IN') return null;
      out.push({ kind: 'hash', value: s.toLowerCase() });
    } else return null;
  }
  return out;
}

/** True when an atom hit alone proves the pattern (no confirmation needed). */
function isSimple(p: ParsedPattern): boolean {
  if (p.root.type !== 'observation' || p.root.qualifiers.length) return false;
  const e = p.root.expr;
  if (e.type !== 'cmp' || e.negated) return false;
  if (e.op !== '=' && e.op !== 'IN' && e.op !== 'ISSUBSET') return false;
  return isIpPath(e.path.text) || e.path.text === 'domain-name:value' || e.path.text === 'url:value' || isHashPath(e);
}

function leafObservations(e: ObsExpr, out: Extract<ObsExpr, { type: 'observation' }>[] = []): Extract<ObsExpr, { type: 'observation' }>[] {
  if (e.type === 'observation') out.push(e); else { leafObservations(e.left, out); leafObservations(e.right, out); }
  return out;
}

/** Checks what of a parsed pattern Tidewatch can match, for the import report. */
export function reviewPattern(p: ParsedPattern): CompileReport {
  const notes: string[] = [];
  let observable = 0;
  for (const o of p.observations) {
    let any = false;
    for (const c of comparisons(o.expr)) {
      if (OBSERVED_TYPES.has(c.path.objectType)) any = true;
      else notes.push(`${c.path.text}: Tidewatch does not observe ${c.path.objectType} objects, so this comparison never holds`);
    }
    if (any) observable++;
  }
  for (const f of p.features) {
    notes.push(`${f}: needs several events; evaluated across events by hunt and flows (lookup reports partial matches)`);
  }
  return { notes: [...new Set(notes)], unmatchable: observable === 0 };
}

/**
 * Semantics used when confirming a candidate (documented in docs/INTEL.md): IP equality is containment
 * (`ipv4-addr:value = '198.51.100.0/24'` matches any address inside), domain equality covers subdomains.
 */
function evalLeaf(e: CompExpr, objects: readonly Observable[]): boolean {
  if (e.type !== 'cmp') {
    return e.type === 'and' ? evalLeaf(e.left, objects) && evalLeaf(e.right, objects) : evalLeaf(e.left, objects) || evalLeaf(e.right, objects);
  }
  if ((e.op === '=' || e.op === '!=' || e.op === 'IN') && e.value && (isIpPath(e.path.text) || e.path.text === 'domain-name:value')) {
    const lits = e.value.kind === 'set' ? e.value.values : [e.value];
    const ip = isIpPath(e.path.text);
    const wantType = e.path.objectType;
    for (const o of objects) {
      if (o.type !== wantType) continue;
      let vals: unknown[];
      if (e.path.objectType === 'network-traffic') {
        const ref = (o as Record<string, unknown>)[e.path.steps[0] && 'prop' in e.path.steps[0] ? e.path.steps[0].prop : ''] as Observable | undefined;
        vals = ref && typeof ref === 'object' ? [ref.value] : [];
      } else vals = [o.value];
      for (const v of vals) {
        if (typeof v !== 'string') continue;
        let hit = false;
        for (const l of lits) {
          if (l.kind !== 'string') continue;
          if (ip) { if (ipIn(l.value, v)) { hit = true; break; } }
          else { const d = normDomain(l.value); if (v === d || v.endsWith('.' + d)) { hit = true; break; } }
        }
        const r = e.op === '!=' ? !hit : hit;
        if (e.negated ? !r : r) return true;
      }
    }
    return false;
  }
  return evalComparison(e, objects);
}

function ipIn(cidr: string, addr: string): boolean {
  const c = parseCidr(cidr), a = parseCidr(addr);
  if (!c || !a || c.family !== a.family || a.bits < c.bits) return false;
  const m = new Uint32Array(a.words);
  let rem = c.bits;
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(32, rem));
    const mask = take === 0 ? 0 : take === 32 ? 0xffffffff : ~(0xffffffff >>> take);
    if (((m[i] & mask) >>> 0) !== ((c.words[i] & mask) >>> 0)) return false;
    rem -= 32;
  }
  return true;
}

/** CSR adjacency built from (key, indicator, leaf) triples. */
class RefTable {
  private keyV = new Int32Array(1024);
  private indV = new Int32Array(1024);
  private leafV = new Int32Array(1024);
  private n = 0;
  offsets = new Int32Array(1);
  ind = new Int32Array(0);
  leaf = new Int32Array(0);
  push(key: number, ind: number, leaf: number): void {
    if (this.n === this.keyV.length) {
      const grow = (a: Int32Array) => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
      this.keyV = grow(this.keyV); this.indV = grow(this.indV); this.leafV = grow(this.leafV);
    }
    this.keyV[this.n] = key; this.indV[this.n] = ind; this.leafV[this.n] = leaf; this.n++;
  }
  build(keys: number): void {
    const off = new Int32Array(keys + 1);
    for (let i = 0; i < this.n; i++) off[this.keyV[i] + 1]++;
    for (let k = 0; k < keys; k++) off[k + 1] += off[k];
    const pos = off.slice(0, keys);
    this.ind = new Int32Array(this.n);
    this.leaf = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) { const p = pos[this.keyV[i]]++; this.ind[p] = this.indV[i]; this.leaf[p] = this.leafV[i]; }
    this.offsets = off;
    this.keyV = new Int32Array(0); this.indV = new Int32Array(0); this.leafV = new Int32Array(0);
  }
  bytes(): number { return this.offsets.byteLength + this.ind.byteLength + this.leaf.byteLength; }
}

export interface IndexStats {
  indicators: number;
  ipv4Prefixes: number;
  ipv6Prefixes: number;
  domains: number;
  urls: number;
  hashes: number;
  scanned: number;
  skipped: { id: string; reason: string }[];
}

/** State of multi-observation patterns: per indicator, per leaf, the times it was seen. */
export class SequenceState {
  private seen = new Map<number, Map<number, number[]>>();
  record(ind: number, leaf: number, t: number, cap = 16): void {
    let m = this.seen.get(ind);
    if (!m) { m = new Map(); this.seen.set(ind, m); }
    let ts = m.get(leaf);
    if (!ts) { ts = []; m.set(leaf, ts); }
    ts.push(t);
    if (ts.length > cap) ts.shift();
  }
  times(ind: number): (leaf: number) => number[] {
    const m = this.seen.get(ind);
    return (leaf) => m?.get(leaf) ?? [];
  }
  clear(ind: number): void { this.seen.delete(ind); }
  get size(): number { return this.seen.size; }
}

export class IndicatorIndex {
  readonly v4 = new IPv4Trie();
  readonly v6 = new IPv6Table();
  private readonly domains = new Map<string, number>();
  private readonly urls = new Map<string, number>();
  private readonly hashes = new Map<string, number>();
  private readonly v4Refs = new RefTable();
  private readonly v6Refs = new RefTable();
  private readonly domRefs = new RefTable();
  private readonly urlRefs = new RefTable();
  private readonly hashRefs = new RefTable();
  /** Indicators whose observation cannot be indexed: evaluated for every observation holding their object types. */
  private readonly scan = new Map<string, { ind: number; leaf: number }[]>();
  private readonly compiled: Compiled[] = [];
  readonly stats: IndexStats = { indicators: 0, ipv4Prefixes: 0, ipv6Prefixes: 0, domains: 0, urls: 0, hashes: 0, scanned: 0, skipped: [] };
  private readonly w6 = new Uint32Array(4);

  constructor(records: Iterable<IndicatorRecord>) {
    for (const rec of records) this.addRecord(rec);
    this.v4.build();
    this.v6.build();
    this.v4Refs.build(this.v4.entries);
    this.v6Refs.build(this.v6.entries);
    this.domRefs.build(this.domains.size);
    this.urlRefs.build(this.urls.size);
    this.hashRefs.build(this.hashes.size);
    this.stats.indicators = this.compiled.length;
    this.stats.ipv4Prefixes = this.v4.entries;
    this.stats.ipv6Prefixes = this.v6.entries;
    this.stats.domains = this.domains.size;
    this.stats.urls = this.urls.size;
    this.stats.hashes = this.hashes.size;
  }

  get size(): number { return this.compiled.length; }
  record(i: number): IndicatorRecord { return this.compiled[i].rec; }

  private addRecord(rec: IndicatorRecord): void {
    if (rec.revoked) return;
    let parsed: ParsedPattern;
    try { parsed = parsePattern(rec.pattern); } catch (e) {
      this.stats.skipped.push({ id: rec.id, reason: (e as Error).message });
      return;
    }
    const idx = this.compiled.length;
    const multi = parsed.root.type !== 'observation' || parsed.root.qualifiers.length > 0;
    const leaves = leafObservations(parsed.root);
    let indexed = false;
    for (const leaf of leaves) {
      const atoms = atomsOf(leaf.expr);
      if (atoms === null) {
        const types = new Set<string>();
        for (const c of comparisons(leaf.expr)) if (OBSERVED_TYPES.has(c.path.objectType)) types.add(c.path.objectType);
        for (const t of types) {
          let l = this.scan.get(t);
          if (!l) { l = []; this.scan.set(t, l); }
          l.push({ ind: idx, leaf: leaf.index });
          indexed = true;
        }
        continue;
      }
      for (const a of atoms) { this.addAtom(a, idx, leaf.index); indexed = true; }
    }
    if (!indexed) {
      this.stats.skipped.push({ id: rec.id, reason: 'no part of the pattern is observable by Tidewatch' });
      return;
    }
    if (leaves.some((l) => atomsOf(l.expr) === null)) this.stats.scanned++;
    const fromMs = rec.valid_from ? Date.parse(rec.valid_from) : -Infinity;
    const untilMs = rec.valid_until ? Date.parse(rec.valid_until) : Infinity;
    this.compiled.push({ rec, parsed: isSimple(parsed) ? undefined : parsed, fromMs: Number.isNaN(fromMs) ? -Infinity : fromMs, untilMs: Number.isNaN(untilMs) ? Infinity : untilMs, multi });
  }

  private addAtom(a: Atom, ind: number, leaf: number): void {
    switch (a.kind) {
      case 'ip': {
        const c = parseCidr(a.cidr)!;
        if (c.family === 4) this.v4Refs.push(this.v4.add(c.words[0], c.bits), ind, leaf);
        else this.v6Refs.push(this.v6.add(c.words, c.bits), ind, leaf);
        break;
      }
      case 'domain': this.domRefs.push(intern(this.domains, a.value), ind, leaf); break;
      case 'url': this.urlRefs.push(intern(this.urls, a.value), ind, leaf); break;
      case 'hash': this.hashRefs.push(intern(this.hashes, a.value), ind, leaf); break;
    }
  }

  /** True when some indicator on this object type could not be indexed and is evaluated on every observation. */
  needsScan(type: string): boolean { return (this.scan.get(type)?.length ?? 0) > 0; }

  /** Hot path: the longest IPv4 prefix entry containing `ip` (unsigned 32-bit integer), or -1. */
  lookupIPv4(ip: number): number { return this.v4.lookup(ip); }

  /** Hot path: does any IPv4 indicator prefix contain this address text? (no allocation) */
  hasIPv4(s: string): boolean {
    const ip = parseIPv4Int(s);
    return ip >= 0 && this.v4.lookup(ip) >= 0;
  }

  /** Hot path: does any indicator prefix contain this address (v4 or v6 text)? */
  hasIp(s: string): boolean {
    const ip = parseIPv4Int(s);
    if (ip >= 0) return this.v4.lookup(ip) >= 0;
    const w = parseIPv6Words(s, this.w6);
    return w !== undefined && this.v6.lookup(w) >= 0;
  }

  /** Does any indicator domain equal this domain or one of its parent domains? */
  hasDomain(d: string): boolean {
    let s = d;
    for (;;) {
      if (this.domains.has(s)) return true;
      const dot = s.indexOf('.');
      if (dot < 0) return false;
      s = s.slice(dot + 1);
    }
  }

  /** Candidate (indicator, leaf) pairs for the observables of one observation. */
  private candidates(objects: readonly Observable[], push: (ind: number, leaf: number, value: string, kind: ValueKind) => void): void {
    const visit = (t: RefTable, key: number, value: string, kind: ValueKind) => {
      for (let p = t.offsets[key]; p < t.offsets[key + 1]; p++) push(t.ind[p], t.leaf[p], value, kind);
    };
    const ipValue = (v: unknown) => {
      if (typeof v !== 'string') return;
      const n = parseIPv4Int(v);
      if (n >= 0) {
        for (let e = this.v4.lookup(n); e >= 0; e = this.v4.parent[e]) visit(this.v4Refs, e, v, 'ipv4');
        return;
      }
      const w = parseIPv6Words(v, this.w6);
      if (w) for (let e = this.v6.lookup(w); e >= 0; e = this.v6.parent[e]) visit(this.v6Refs, e, v, 'ipv6');
    };
    const types = new Set<string>();
    for (const o of objects) {
      types.add(o.type);
      switch (o.type) {
        case 'ipv4-addr': case 'ipv6-addr': ipValue(o.value); break;
        case 'network-traffic': {
          const r = o as Record<string, unknown>;
          for (const k of ['src_ref', 'dst_ref']) { const ref = r[k] as Observable | undefined; if (ref) ipValue(ref.value); }
          break;
        }
        case 'domain-name': {
          if (typeof o.value !== 'string') break;
          let s = o.value;
          for (;;) {
            const k = this.domains.get(s);
            if (k !== undefined) visit(this.domRefs, k, o.value, 'domain');
            const dot = s.indexOf('.');
            if (dot < 0) break;
            s = s.slice(dot + 1);
          }
          break;
        }
        case 'url': {
          const k = typeof o.value === 'string' ? this.urls.get(o.value) : undefined;
          if (k !== undefined) visit(this.urlRefs, k, o.value as string, 'url');
          break;
        }
        case 'file': {
          const h = o.hashes as Record<string, string> | undefined;
          if (h) for (const v of Object.values(h)) { const k = this.hashes.get(String(v).toLowerCase()); if (k !== undefined) visit(this.hashRefs, k, String(v), 'hash'); }
          break;
        }
        default: break;
      }
    }
    for (const t of types) {
      const l = this.scan.get(t);
      if (!l) continue;
      const first = objects.find((o) => o.type === t);
      const v = first ? describeObservable(first) : { value: '', kind: 'domain' as ValueKind };
      for (const r of l) push(r.ind, r.leaf, v.value, v.kind);
    }
  }

  /**
   * Indicators satisfied by one observation seen at `timeMs` (used to order multi-observation patterns), among
   * those valid at `validAtMs` (the processing time: an old log line is checked against today's indicators). Single-observation patterns answer at once; patterns
   * with AND/FOLLOWEDBY between observations or qualifiers need `state` (kept across calls) and answer when the
   * whole pattern holds; without `state` they are reported as partial hits.
   */
  match(objects: readonly Observable[], timeMs: number, state?: SequenceState, validAtMs = timeMs): IndicatorHit[] {
    const hits: IndicatorHit[] = [];
    let seen: Map<number, Set<number>> | undefined;
    const firstValue = new Map<number, { value: string; kind: ValueKind }>();
    this.candidates(objects, (ind, leaf, value, kind) => {
      const c = this.compiled[ind];
      if (!(validAtMs >= c.fromMs && validAtMs < c.untilMs)) return;
      seen ??= new Map();
      let leaves = seen.get(ind);
      if (!leaves) { leaves = new Set(); seen.set(ind, leaves); }
      if (leaves.has(leaf)) return;
      leaves.add(leaf);
      if (c.parsed) {
        const obs = c.parsed.observations.find((o) => o.index === leaf);
        if (!obs || !evalLeaf(obs.expr, objects)) { leaves.delete(leaf); leaves.add(-1 - leaf); return; }
      }
      if (!firstValue.has(ind)) firstValue.set(ind, { value, kind });
    });
    if (!seen) return hits;
    for (const [ind, leaves] of seen) {
      const c = this.compiled[ind];
      const matched = [...leaves].filter((l) => l >= 0);
      if (!matched.length) continue;
      const fv = firstValue.get(ind)!;
      if (!c.multi) { hits.push({ indicator: c.rec, value: fv.value, kind: fv.kind, partial: false }); continue; }
      if (!state) { hits.push({ indicator: c.rec, value: fv.value, kind: fv.kind, partial: true }); continue; }
      for (const l of matched) state.record(ind, l, timeMs);
      const spans = evalObservations(c.parsed!.root, state.times(ind));
      if (spans.length) {
        state.clear(ind);
        hits.push({ indicator: c.rec, value: fv.value, kind: fv.kind, partial: false });
      }
    }
    return hits;
  }
}

function intern(m: Map<string, number>, k: string): number {
  let v = m.get(k);
  if (v === undefined) { v = m.size; m.set(k, v); }
  return v;
}

function describeObservable(o: Observable): { value: string; kind: ValueKind } {
  switch (o.type) {
    case 'ipv4-addr': return { value: String(o.value), kind: 'ipv4' };
    case 'ipv6-addr': return { value: String(o.value), kind: 'ipv6' };
    case 'domain-name': return { value: String(o.value), kind: 'domain' };
    case 'url': return { value: String(o.value), kind: 'url' };
    case 'file': { const h = Object.values((o.hashes ?? {}) as Record<string, string>)[0]; return { value: String(h ?? ''), kind: 'hash' }; }
    case 'network-traffic': {
      const d = (o as Record<string, unknown>).dst_ref as Observable | undefined;
      const v = String(d?.value ?? '');
      return { value: v, kind: v.includes(':') ? 'ipv6' : 'ipv4' };
    }
    default: return { value: '', kind: 'domain' };
  }
}

/** Parses a pattern for an import report: the parse error (with its offset) or the notes on unmatched parts. */
export function checkPattern(pattern: string): { ok: true; report: CompileReport } | { ok: false; error: string } {
  try {
    const p = parsePattern(pattern);
    return { ok: true, report: reviewPattern(p) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
