/**
 * The STIX 2.1 patterning language (STIX 2.1 part 9): a hand-written lexer and recursive-descent parser
 * that turns a pattern into an AST, reports the character offset of any syntax error, and evaluates
 * observation expressions against observed cyber-observable objects.
 *
 * Precedence, lowest first: FOLLOWEDBY, OR, AND between observation expressions; OR, AND inside one
 * (`[ ... ]`). Qualifiers (WITHIN n SECONDS, REPEATS n TIMES, START t'..' STOP t'..') follow an observation
 * expression. Comparison operators: = != < <= > >= IN LIKE MATCHES ISSUBSET ISSUPERSET EXISTS, each
 * optionally negated with NOT.
 */

import { parseIPv4Int, parseIPv6Words } from '../../util/ipint.js';

export class PatternError extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(`pattern error at offset ${offset}: ${reason}`);
  }
}

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'timestamp'; value: string }
  | { kind: 'hex'; value: string }
  | { kind: 'binary'; value: string }
  | { kind: 'set'; values: Literal[] };

/** One step of an object path: a property name, a list index (`*` = any element). */
export type PathStep = { prop: string } | { index: number | '*' };

export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
  /** The path as written, normalized (e.g. `file:hashes.'SHA-256'`). */
  text: string;
}

export type CompOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET' | 'EXISTS';

export type CompExpr =
  | { type: 'cmp'; path: ObjectPath; op: CompOp; negated: boolean; value?: Literal; offset: number }
  | { type: 'and' | 'or'; left: CompExpr; right: CompExpr };

export type Qualifier =
  | { type: 'within'; seconds: number }
  | { type: 'repeats'; times: number }
  | { type: 'startstop'; start: string; stop: string };

export type ObsExpr =
  | { type: 'observation'; expr: CompExpr; qualifiers: Qualifier[]; index: number }
  | { type: 'and' | 'or' | 'followedby'; left: ObsExpr; right: ObsExpr; qualifiers: Qualifier[] };

export interface ParsedPattern {
  root: ObsExpr;
  /** The leaf observation expressions (`[...]`), in order of appearance. */
  observations: Extract<ObsExpr, { type: 'observation' }>[];
  /** Features present that a single event cannot satisfy alone (observation AND/FOLLOWEDBY, qualifiers). */
  features: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer

type Tok =
  | { t: 'op'; v: string; at: number }
  | { t: 'word'; v: string; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: string; at: number }
  | { t: 'ts'; v: string; at: number }
  | { t: 'hex'; v: string; at: number }
  | { t: 'bin'; v: string; at: number }
  | { t: 'eof'; at: number };

const TIMESTAMP_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  const readQuoted = (start: number): { v: string; end: number } => {
    // src[start] is the opening quote
    let j = start + 1;
    let v = '';
    for (;;) {
      if (j >= n) throw new PatternError(start, 'unterminated string literal');
      const c = src[j];
      if (c === '\\') {
        const d = src[j + 1];
        if (d !== "'" && d !== '\\') throw new PatternError(j, `invalid escape \\${d ?? ''} (only \\' and \\\\ are allowed)`);
        v += d;
        j += 2;
        continue;
      }
      if (c === "'") return { v, end: j + 1 };
      v += c;
      j++;
    }
  };
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const at = i;
    if (c === "'") {
      const q = readQuoted(i);
      out.push({ t: 'str', v: q.v, at });
      i = q.end;
      continue;
    }
    if ((c === 't' || c === 'h' || c === 'b') && src[i + 1] === "'") {
      const q = readQuoted(i + 1);
      if (c === 't') {
        if (!TIMESTAMP_RE.test(q.v)) throw new PatternError(at, `invalid timestamp literal t'${q.v}' (expected RFC 3339 UTC, e.g. 2026-01-01T00:00:00Z)`);
        out.push({ t: 'ts', v: q.v, at });
      } else if (c === 'h') {
        if (!/^([0-9a-fA-F]{2})*$/.test(q.v)) throw new PatternError(at, `invalid hex literal h'${q.v}'`);
        out.push({ t: 'hex', v: q.v.toLowerCase(), at });
      } else {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(q.v) || q.v.length % 4 !== 0) throw new PatternError(at, `invalid binary (base64) literal b'${q.v}'`);
        out.push({ t: 'bin', v: q.v, at });
      }
      i = q.end;
      continue;
    }
    if ((c >= '0' && c <= '9') || ((c === '-' || c === '+') && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(src[j])) j++;
      if (src[j] === '.' && /[0-9]/.test(src[j + 1] ?? '')) { j++; while (j < n && /[0-9]/.test(src[j])) j++; }
      out.push({ t: 'num', v: src.slice(i, j), at });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_-]/.test(src[j])) j++;
      // object types may contain hyphens (ipv4-addr); keywords never do
      out.push({ t: 'word', v: src.slice(i, j), at });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=') { out.push({ t: 'op', v: two, at }); i += 2; continue; }
    if ('[]()=<>:.,*'.includes(c)) { out.push({ t: 'op', v: c, at }); i++; continue; }
    throw new PatternError(at, `unexpected character '${c}'`);
  }
  out.push({ t: 'eof', at: n });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET', 'IN', 'EXISTS',
  'WITHIN', 'SECONDS', 'REPEATS', 'TIMES', 'START', 'STOP', 'true', 'false']);

class Parser {
  private p = 0;
  private obsIndex = 0;
  readonly observations: Extract<ObsExpr, { type: 'observation' }>[] = [];
  readonly features = new Set<string>();
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok { return this.toks[this.p]; }
  private next(): Tok { return this.toks[this.p++]; }
  private isWord(v: string): boolean { const t = this.peek(); return t.t === 'word' && t.v === v; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private expectOp(v: string, what?: string): Tok {
    const t = this.peek();
    if (t.t !== 'op' || t.v !== v) throw new PatternError(t.at, `expected '${v}'${what ? ` ${what}` : ''}, found ${describe(t)}`);
    return this.next();
  }
  private expectWord(v: string): Tok {
    const t = this.peek();
    if (t.t !== 'word' || t.v !== v) throw new PatternError(t.at, `expected ${v}, found ${describe(t)}`);
    return this.next();
  }

  parsePattern(): ObsExpr {
    const root = this.obsFollowedBy();
    const t = this.peek();
    if (t.t !== 'eof') throw new PatternError(t.at, `unexpected ${describe(t)} after the end of the pattern`);
    return root;
  }

  private obsFollowedBy(): ObsExpr {
    let left = this.obsOr();
    while (this.isWord('FOLLOWEDBY')) {
      this.next();
      this.features.add('FOLLOWEDBY');
      left = { type: 'followedby', left, right: this.obsOr(), qualifiers: [] };
    }
    return left;
  }
  private obsOr(): ObsExpr {
    let left = this.obsAnd();
    while (this.isWord('OR')) { this.next(); left = { type: 'or', left, right: this.obsAnd(), qualifiers: [] }; }
    return left;
  }
  private obsAnd(): ObsExpr {
    let left = this.obsUnit();
    while (this.isWord('AND')) {
      this.next();
      this.features.add('AND between observations');
      left = { type: 'and', left, right: this.obsUnit(), qualifiers: [] };
    }
    return left;
  }
  private obsUnit(): ObsExpr {
    const t = this.peek();
    let e: ObsExpr;
    if (this.isOp('[')) {
      this.next();
      const expr = this.compOr();
      this.expectOp(']', 'to close the observation expression');
      e = { type: 'observation', expr, qualifiers: [], index: this.obsIndex++ };
      this.observations.push(e);
    } else if (this.isOp('(')) {
      this.next();
      e = this.obsFollowedBy();
      this.expectOp(')', 'to close the parenthesised observation expressions');
    } else {
      throw new PatternError(t.at, `expected '[' to start an observation expression, found ${describe(t)}`);
    }
    for (;;) {
      if (this.isWord('WITHIN')) {
        this.next();
        const num = this.next();
        if (num.t !== 'num' || Number(num.v) <= 0) throw new PatternError(num.at, 'WITHIN needs a positive number of seconds');
        this.expectWord('SECONDS');
        e.qualifiers.push({ type: 'within', seconds: Number(num.v) });
        this.features.add('WITHIN');
      } else if (this.isWord('REPEATS')) {
        this.next();
        const num = this.next();
        if (num.t !== 'num' || !/^\d+$/.test(num.v) || Number(num.v) < 1) throw new PatternError(num.at, 'REPEATS needs a positive integer');
        this.expectWord('TIMES');
        e.qualifiers.push({ type: 'repeats', times: Number(num.v) });
        this.features.add('REPEATS');
      } else if (this.isWord('START')) {
        this.next();
        const a = this.next();
        if (a.t !== 'ts') throw new PatternError(a.at, "START needs a timestamp literal t'...'");
        this.expectWord('STOP');
        const b = this.next();
        if (b.t !== 'ts') throw new PatternError(b.at, "STOP needs a timestamp literal t'...'");
        e.qualifiers.push({ type: 'startstop', start: a.v, stop: b.v });
        this.features.add('START/STOP');
      } else break;
    }
    return e;
  }

  private compOr(): CompExpr {
    let left = this.compAnd();
    while (this.isWord('OR')) { this.next(); left = { type: 'or', left, right: this.compAnd() }; }
    return left;
  }
  private compAnd(): CompExpr {
    let left = this.compUnit();
    while (this.isWord('AND')) { this.next(); left = { type: 'and', left, right: this.compUnit() }; }
    return left;
  }
  private compUnit(): CompExpr {
    if (this.isOp('(')) {
      this.next();
      const e = this.compOr();
      this.expectOp(')', 'to close the parenthesised comparison');
      return e;
    }
    const start = this.peek();
    if (this.isWord('EXISTS')) {
      this.next();
      const path = this.objectPath();
      return { type: 'cmp', path, op: 'EXISTS', negated: false, offset: start.at };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isWord('NOT')) { this.next(); negated = true; }
    const opTok = this.next();
    let op: CompOp;
    if (opTok.t === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(opTok.v)) op = opTok.v as CompOp;
    else if (opTok.t === 'word' && ['IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(opTok.v)) op = opTok.v as CompOp;
    else throw new PatternError(opTok.at, `expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET), found ${describe(opTok)}`);
    let value: Literal;
    if (op === 'IN') {
      value = this.setLiteral();
    } else {
      const vt = this.peek();
      value = this.literal();
      if ((op === 'LIKE' || op === 'MATCHES' || op === 'ISSUBSET' || op === 'ISSUPERSET') && value.kind !== 'string') {
        throw new PatternError(vt.at, `${op} needs a string literal`);
      }
      if (op === 'MATCHES' && value.kind === 'string') {
        try { new RegExp(value.value, 'u'); } catch (e) {
          throw new PatternError(vt.at, `MATCHES: invalid regular expression: ${(e as Error).message}`);
        }
      }
    }
    return { type: 'cmp', path, op, negated, value, offset: start.at };
  }

  private objectPath(): ObjectPath {
    const t = this.next();
    if (t.t !== 'word' || KEYWORDS.has(t.v)) throw new PatternError(t.at, `expected an object path such as ipv4-addr:value, found ${describe(t)}`);
    if (!/^[a-z0-9-]+$/.test(t.v) || t.v.length < 3) throw new PatternError(t.at, `invalid object type '${t.v}' (lowercase letters, digits and hyphens)`);
    const objectType = t.v;
    this.expectOp(':', 'after the object type');
    const steps: PathStep[] = [];
    let text = objectType + ':';
    const prop = (first: boolean) => {
      const pt = this.next();
      if (pt.t === 'word') { steps.push({ prop: pt.v }); text += (first ? '' : '.') + pt.v; }
      else if (pt.t === 'str') { steps.push({ prop: pt.v }); text += (first ? '' : '.') + `'${pt.v}'`; }
      else throw new PatternError(pt.at, `expected a property name, found ${describe(pt)}`);
    };
    prop(true);
    for (;;) {
      if (this.isOp('.')) { this.next(); prop(false); continue; }
      if (this.isOp('[')) {
        // list index; but `[` could also never follow a path otherwise, so this is unambiguous
        this.next();
        const it = this.next();
        if (it.t === 'op' && it.v === '*') { steps.push({ index: '*' }); text += '[*]'; }
        else if (it.t === 'num' && /^\d+$/.test(it.v)) { steps.push({ index: Number(it.v) }); text += `[${it.v}]`; }
        else throw new PatternError(it.at, `expected a list index or *, found ${describe(it)}`);
        this.expectOp(']', 'to close the list index');
        continue;
      }
      break;
    }
    return { objectType, steps, text };
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.t) {
      case 'str': return { kind: 'string', value: t.v };
      case 'num': return t.v.includes('.') ? { kind: 'float', value: Number(t.v) } : { kind: 'int', value: Number(t.v) };
      case 'ts': return { kind: 'timestamp', value: t.v };
      case 'hex': return { kind: 'hex', value: t.v };
      case 'bin': return { kind: 'binary', value: t.v };
      case 'word':
        if (t.v === 'true' || t.v === 'false') return { kind: 'bool', value: t.v === 'true' };
        break;
      default: break;
    }
    throw new PatternError(t.at, `expected a literal value, found ${describe(t)}`);
  }

  private setLiteral(): Literal {
    this.expectOp('(', 'to open the IN set');
    const values: Literal[] = [];
    if (this.isOp(')')) throw new PatternError(this.peek().at, 'IN needs at least one value');
    for (;;) {
      values.push(this.literal());
      if (this.isOp(',')) { this.next(); continue; }
      this.expectOp(')', 'to close the IN set');
      break;
    }
    return { kind: 'set', values };
  }
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'eof': return 'the end of the pattern';
    case 'str': return `string '${t.v}'`;
    case 'word': return `'${t.v}'`;
    case 'op': return `'${t.v}'`;
    default: return `'${t.v}'`;
  }
}

/** Parses a STIX 2.1 pattern. Throws PatternError (with the 0-based character offset) on malformed input. */
export function parsePattern(src: string): ParsedPattern {
  if (typeof src !== 'string' || !src.trim()) throw new PatternError(0, 'empty pattern');
  if (src.length > 100_000) throw new PatternError(100_000, 'pattern longer than 100000 characters');
  const p = new Parser(lex(src));
  const root = p.parsePattern();
  return { root, observations: p.observations, features: [...p.features] };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** An observed cyber-observable object, shaped like a STIX SCO (`type` plus properties; refs resolved inline). */
export type Observable = { type: string; [prop: string]: unknown };

/** Resolves a path to the values it reaches in one object (lists fan out for `[*]`, refs are followed inline). */
function resolve(obj: Observable, steps: PathStep[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (c === null || c === undefined) continue;
      if ('prop' in s) {
        if (typeof c !== 'object' || Array.isArray(c)) continue;
        const rec = c as Record<string, unknown>;
        let v = rec[s.prop];
        // hashes: accept case/format variants (SHA-256, SHA256, sha256)
        if (v === undefined) {
          const norm = normHashKey(s.prop);
          if (norm) for (const k of Object.keys(rec)) if (normHashKey(k) === norm) { v = rec[k]; break; }
        }
        if (v !== undefined) next.push(v);
      } else {
        if (!Array.isArray(c)) continue;
        if (s.index === '*') next.push(...c);
        else if (s.index < c.length) next.push(c[s.index]);
      }
    }
    cur = next;
  }
  return cur;
}

function normHashKey(k: string): string | undefined {
  const m = /^(md5|sha-?1|sha-?256|sha-?512|sha3-?256|sha3-?512|ssdeep|tlsh)$/i.exec(k);
  return m ? m[1].toLowerCase().replace(/-/g, '') : undefined;
}

const likeCache = new Map<string, RegExp>();
function likeToRegExp(pat: string): RegExp {
  let re = likeCache.get(pat);
  if (!re) {
    let s = '^';
    for (const ch of pat) {
      if (ch === '%') s += '[\\s\\S]*';
      else if (ch === '_') s += '[\\s\\S]';
      else s += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    re = new RegExp(s + '$', 'u');
    if (likeCache.size > 10000) likeCache.clear();
    likeCache.set(pat, re);
  }
  return re;
}
const matchesCache = new Map<string, RegExp>();
function matchesRegExp(pat: string): RegExp {
  let re = matchesCache.get(pat);
  if (!re) {
    re = new RegExp(pat, 'u');
    if (matchesCache.size > 10000) matchesCache.clear();
    matchesCache.set(pat, re);
  }
  return re;
}

function literalValue(l: Literal): unknown {
  return l.kind === 'set' ? l.values.map(literalValue) : l.value;
}

function eq(a: unknown, lit: Literal): boolean {
  const b = literalValue(lit);
  if (typeof a === 'string' && typeof b === 'string') {
    if (lit.kind === 'hex') return a.toLowerCase() === b;
    return a === b || (looksLikeHash(b) && a.toLowerCase() === b.toLowerCase());
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b;
  if (lit.kind === 'timestamp' && typeof a === 'string') return Date.parse(a) === Date.parse(lit.value);
  return false;
}

function looksLikeHash(s: string): boolean {
  return /^[0-9a-fA-F]{32}([0-9a-fA-F]{8})?([0-9a-fA-F]{24})?([0-9a-fA-F]{64})?$/.test(s);
}

function order(a: unknown, lit: Literal): number | undefined {
  const b = literalValue(lit);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (lit.kind === 'timestamp' && typeof a === 'string') { const x = Date.parse(a), y = Date.parse(lit.value); return Number.isNaN(x) ? undefined : x - y; }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/**
 * CIDR containment for ISSUBSET / ISSUPERSET: `a ISSUBSET b` holds when the address or prefix `a` lies inside `b`.
 * Implemented with 32-bit integer arithmetic per word, no bigint.
 */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidrWords(outer), i = parseCidrWords(inner);
  if (!o || !i || o.family !== i.family || i.bits < o.bits) return false;
  let rem = o.bits;
  for (let w = 0; w < o.words.length && rem > 0; w++) {
    const take = Math.min(32, rem);
    const mask = take === 32 ? 0xffffffff : (~(0xffffffff >>> take)) >>> 0;
    if (((o.words[w] & mask) >>> 0) !== ((i.words[w] & mask) >>> 0)) return false;
    rem -= take;
  }
  return true;
}

function parseCidrWords(s: string): { family: 4 | 6; words: number[]; bits: number } | undefined {
  const slash = s.indexOf('/');
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const bitsText = slash >= 0 ? s.slice(slash + 1) : undefined;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  if (addr.includes(':')) {
    const w = parseIPv6Words(addr);
    if (!w) return undefined;
    const bits = bitsText === undefined ? 128 : Number(bitsText);
    return bits > 128 ? undefined : { family: 6, words: [w[0], w[1], w[2], w[3]], bits };
  }
  const v = parseIPv4Int(addr);
  if (v < 0) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  return bits > 32 ? undefined : { family: 4, words: [v], bits };
}

function testValue(op: CompOp, a: unknown, lit: Literal | undefined): boolean {
  switch (op) {
    case '=': return eq(a, lit!);
    case '!=': return !eq(a, lit!);
    case '<': { const o = order(a, lit!); return o !== undefined && o < 0; }
    case '<=': { const o = order(a, lit!); return o !== undefined && o <= 0; }
    case '>': { const o = order(a, lit!); return o !== undefined && o > 0; }
    case '>=': { const o = order(a, lit!); return o !== undefined && o >= 0; }
    case 'IN': return lit!.kind === 'set' && lit!.values.some((v) => eq(a, v));
    case 'LIKE': return typeof a === 'string' && likeToRegExp(String(literalValue(lit!))).test(a);
    case 'MATCHES': return typeof a === 'string' && matchesRegExp(String(literalValue(lit!))).test(a);
    case 'ISSUBSET': return typeof a === 'string' && cidrContains(String(literalValue(lit!)), a);
    case 'ISSUPERSET': return typeof a === 'string' && cidrContains(a, String(literalValue(lit!)));
    case 'EXISTS': return a !== undefined && a !== null;
  }
}

/**
 * Does a comparison expression hold for the objects of one observation? A comparison holds when some object of
 * the named type has a value at the path satisfying it (NOT negates that test per value; `!=` holds only for
 * values that exist, as the specification says a missing property makes the comparison false).
 */
export function evalComparison(e: CompExpr, objects: readonly Observable[]): boolean {
  if (e.type !== 'cmp') {
    return e.type === 'and' ? evalComparison(e.left, objects) && evalComparison(e.right, objects) : evalComparison(e.left, objects) || evalComparison(e.right, objects);
  }
  for (const o of objects) {
    if (o.type !== e.path.objectType) continue;
    const vals = resolve(o, e.path.steps);
    if (e.op === 'EXISTS') { if (vals.length) return true; continue; }
    for (const v of vals) {
      const r = testValue(e.op, v, e.value);
      if (e.negated ? !r : r) return true;
    }
  }
  return false;
}

/** Walks every comparison of an expression. */
export function* comparisons(e: CompExpr): Generator<Extract<CompExpr, { type: 'cmp' }>> {
  if (e.type === 'cmp') yield e;
  else { yield* comparisons(e.left); yield* comparisons(e.right); }
}

/** A span of time in which a (sub)pattern was satisfied: first and last contributing observation, epoch ms. */
export interface Span { start: number; end: number; count: number }

/**
 * Evaluates the observation-level tree given, for each leaf observation, the times at which it was seen.
 * Returns the spans that satisfy the whole pattern (empty: not satisfied). FOLLOWEDBY needs the left side
 * to end no later than the right side starts; WITHIN bounds a span's length; REPEATS needs that many
 * occurrences; START/STOP bounds where a span may lie. At most `cap` spans are kept per node (newest).
 */
export function evalObservations(root: ObsExpr, seen: (leafIndex: number) => readonly number[], cap = 16): Span[] {
  const go = (e: ObsExpr): Span[] => {
    let spans: Span[];
    if (e.type === 'observation') {
      spans = seen(e.index).map((t) => ({ start: t, end: t, count: 1 }));
    } else {
      const l = go(e.left);
      if (e.type === 'or') spans = [...l, ...go(e.right)];
      else {
        if (!l.length) return [];
        const r = go(e.right);
        spans = [];
        for (const a of l) for (const b of r) {
          if (e.type === 'followedby' && !(a.end <= b.start)) continue;
          spans.push({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end), count: a.count + b.count });
        }
      }
    }
    for (const q of e.qualifiers) {
      if (q.type === 'within') spans = spans.filter((s) => s.end - s.start <= q.seconds * 1000);
      else if (q.type === 'startstop') {
        const a = Date.parse(q.start), b = Date.parse(q.stop);
        spans = spans.filter((s) => s.start >= a && s.end < b);
      } else {
        // REPEATS n: n occurrences of the sub-expression, merged in time order
        const sorted = [...spans].sort((x, y) => x.end - y.end);
        const out: Span[] = [];
        for (let i = q.times - 1; i < sorted.length; i++) {
          const win = sorted.slice(i - q.times + 1, i + 1);
          out.push({ start: Math.min(...win.map((s) => s.start)), end: win[win.length - 1].end, count: win.reduce((n, s) => n + s.count, 0) });
        }
        spans = out;
      }
    }
    if (spans.length > cap) spans = spans.sort((x, y) => x.end - y.end).slice(-cap);
    return spans;
  };
  return go(root);
}
