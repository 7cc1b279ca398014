/**
 * Detection items: `field|mod1|mod2: value(s)` and keywords, compiled once into predicates over an event.
 * Implements every value modifier of sigma-spec section 6 with the decisions of section 11.
 */
import type { Event } from '../../model/event.js';
import { EvalCtx, type FieldGetter } from './context.js';
import {
  STAR, ONE, type Part, parseSigmaString, hasWildcard, withContains, withStartswith, withEndswith, compileParts, type StringTest,
} from './strings.js';
import { parseIp, parsePrefix } from '../../util/ip.js';
import { parseTimeValue } from '../../parsers/syslog/time.js';

export class ItemError extends Error {}

/** What an item needs from the outside: field names -> getters (through the pipeline mapping), placeholders, verbatim fields. */
export interface ItemEnv {
  getter(field: string): FieldGetter;
  /** Event field names a rule field maps to (for the prefilter's verbatim check). */
  mapped(field: string): string[];
  /** `expand` placeholders: name -> values (may contain wildcards). */
  placeholders: Record<string, string[]>;
  /** Event fields whose values are verbatim substrings of the raw line (prefilter may use their literals). */
  verbatim: Set<string>;
  warn(msg: string): void;
  /**
   * Whether a rule field's value is fixed by an event's logsource route (every event field it maps to is a field
   * the pipeline routes on): its items can then be decided once per route (CompiledDetection.onRoute).
   */
  routed?(field: string): boolean;
}

export interface CompiledItem {
  test(ctx: EvalCtx): boolean;
  /** Literal (lower-case) strings of which at least one must occur in the raw line for a match; null = unknown. */
  need: string[] | null;
}

const KNOWN = new Set([
  'contains', 'startswith', 'endswith', 'all', 'exists', 'cased', 'neq', 'windash', 're', 'i', 'm', 's', 'ignorecase',
  'multiline', 'dotall', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte',
  'minute', 'hour', 'day', 'week', 'month', 'year', 'cidr', 'expand', 'fieldref',
]);
const FIRST_ONLY = new Set(['re', 'cidr', 'exists']);
const RE_FLAGS: Record<string, string> = { i: 'i', m: 'm', s: 's', ignorecase: 'i', multiline: 'm', dotall: 's' };
const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const MATCH_TYPE = new Set(['contains', 'startswith', 'endswith']);
const UTF16 = new Set(['utf16le', 'utf16be', 'utf16', 'wide']);

type Scalar = string | number | boolean | null;

/** One alternative of one value: a test on a single scalar event value. */
type ScalarTest = (v: unknown, ctx: EvalCtx) => boolean;

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  if (typeof v === 'boolean') return undefined;
  return undefined;
}

function stringTest(t: StringTest, cased: boolean): ScalarTest {
  return (v, ctx) => {
    const s = toText(v);
    if (s === undefined) return false;
    return t.test(s, cased ? s : ctx.lower(s));
  };
}

// ---- value transformations -------------------------------------------------------------------------------

function utf16Bytes(s: string, mode: string): Buffer {
  const le = Buffer.from(s, 'utf16le');
  if (mode === 'utf16be') {
    const be = Buffer.alloc(le.length);
    for (let i = 0; i + 1 < le.length; i += 2) { be[i] = le[i + 1]; be[i + 1] = le[i]; }
    return be;
  }
  if (mode === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  return le;
}

/** The three stable base64 encodings of `bytes` at offsets 0, 1, 2 inside a larger base64 string (pySigma). */
export function base64Offsets(bytes: Buffer): string[] {
  const out: string[] = [];
  const startTrim = [0, 2, 3];
  const endTrim = [0, 3, 2];
  for (let i = 0; i < 3; i++) {
    const shifted = Buffer.concat([Buffer.alloc(i), bytes]);
    const enc = shifted.toString('base64');
    const end = enc.length - endTrim[(bytes.length + i) % 3];
    out.push(enc.slice(startTrim[i], end));
  }
  return out;
}

/** pySigma windash: a `-` or `/` that starts a word gets the five dash variants, all positions combined. */
export function windashVariants(s: string): string[] {
  const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
  const positions: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ((c === '-' || c === '/') && !/\w/.test(s[i - 1] ?? '') && /\w/.test(s[i + 1] ?? '')) positions.push(i);
  }
  let variants = [''];
  let last = 0;
  for (const p of positions) {
    const chunk = s.slice(last, p);
    const next: string[] = [];
    for (const v of variants) for (const d of DASHES) next.push(v + chunk + d);
    variants = next;
    last = p + 1;
  }
  return variants.map((v) => v + s.slice(last));
}

function expandPlaceholders(s: string, env: ItemEnv): string[] {
  const re = /(?<!\\)%([A-Za-z0-9_.-]+)%/g;
  let out = [''];
  let last = 0;
  for (const m of s.matchAll(re)) {
    const vals = env.placeholders[m[1]];
    if (!vals) throw new ItemError(`expand: placeholder %${m[1]}% has no value in the engine configuration`);
    const chunk = s.slice(last, m.index);
    const next: string[] = [];
    for (const o of out) for (const v of vals) next.push(o + chunk + v);
    out = next;
    last = (m.index ?? 0) + m[0].length;
  }
  return out.map((o) => (o + s.slice(last)).replace(/\\%/g, '%'));
}

// ---- item compiler ---------------------------------------------------------------------------------------

/**
 * Compiles one item. `field` is null for keywords. Throws ItemError with the reason on spec violations.
 */
export function compileItem(field: string | null, mods: string[], value: unknown, env: ItemEnv): CompiledItem {
  for (const m of mods) if (!KNOWN.has(m)) throw new ItemError(`unknown modifier '${m}'`);
  const seen = new Set<string>();
  for (const m of mods) { if (seen.has(m)) env.warn(`modifier '${m}' given twice`); seen.add(m); }
  mods.forEach((m, i) => {
    if (FIRST_ONLY.has(m) && i !== 0) throw new ItemError(`modifier '${m}' must come first`);
    if (RE_FLAGS[m] && !mods.slice(0, i).includes('re')) throw new ItemError(`regular expression flag '${m}' is only allowed after 're'`);
    if ((m === 'base64' || m === 'base64offset') && mods.slice(0, i).some((x) => MATCH_TYPE.has(x))) {
      throw new ItemError(`'${m}' must come before contains/startswith/endswith (wildcards cannot be base64-encoded)`);
    }
    if (UTF16.has(m) && !mods.slice(i + 1).some((x) => x === 'base64' || x === 'base64offset')) {
      throw new ItemError(`'${m}' must be followed by base64 or base64offset`);
    }
  });
  const has = (m: string) => mods.includes(m);
  const all = has('all');
  const neq = has('neq');
  const cased = has('cased');
  if (field === null && (has('exists') || has('fieldref'))) throw new ItemError(`'${has('exists') ? 'exists' : 'fieldref'}' needs a field name`);
  const getter: FieldGetter | null = field === null ? null : env.getter(field);
  const verbatimField = field !== null && env.verbatim.has(env.mapped(field)[0]);

  // value list
  let values: unknown[];
  if (Array.isArray(value)) {
    values = value.length === 0 ? [null] : value;
  } else values = [value];
  for (const v of values) if (!isScalar(v)) throw new ItemError(`value must be a string, number, boolean or null (got ${Array.isArray(v) ? 'a list' : typeof v})`);
  if (values.length > 1 && values.includes(null)) env.warn('null inside a value list');
  if (all && values.length === 1 && !has('cidr')) env.warn("'all' on a single value");
  if (all && !mods.some((m) => MATCH_TYPE.has(m)) && values.length > 1 && field !== null && !has('re') && !has('cidr')) env.warn("field-bound 'all' without 'contains' only matches when the values are equal");
  if (has('base64offset') && !has('contains')) env.warn("'base64offset' without 'contains'");
  if (has('windash') && all) env.warn("'windash' together with 'all'");

  // --- exists
  if (has('exists')) {
    if (mods.length > 1) throw new ItemError("'exists' takes no other modifiers");
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new ItemError("'exists' takes true or false");
    const want = values[0] as boolean;
    const g = getter as FieldGetter;
    return { test: (ctx) => (g(ctx.ev) !== undefined) === want, need: null };
  }

  // per-value alternatives (ORed) and the prefilter literals of each value
  const alts: ScalarTest[][] = [];
  const needs: (string[] | null)[] = [];
  const nullValues: boolean[] = [];
  const timePart = mods.find((m) => TIME_PARTS.has(m));
  const cmp = mods.find((m) => COMPARE.has(m));

  for (const v of values as Scalar[]) {
    if (v === null) {
      alts.push([]);
      needs.push(null);
      nullValues.push(true);
      continue;
    }
    nullValues.push(false);
    if (has('cidr')) {
      alts.push([cidrTest(v)]);
      needs.push(null);
      continue;
    }
    if (has('re')) {
      alts.push([regexTest(v, mods)]);
      needs.push(null);
      continue;
    }
    if (timePart) {
      alts.push([timePartTest(timePart, cmp, v)]);
      needs.push(null);
      continue;
    }
    if (cmp) {
      const n = toNumber(v);
      if (n === undefined) throw new ItemError(`'${cmp}' takes a number (got ${JSON.stringify(v)})`);
      alts.push([compareTest(cmp, n)]);
      needs.push(null);
      continue;
    }
    if (has('fieldref')) {
      if (typeof v !== 'string') throw new ItemError("'fieldref' takes a field name");
      if (hasWildcard(parseSigmaString(v))) throw new ItemError("'fieldref' values may not contain wildcards");
      alts.push([fieldrefTest(env.getter(v), mods, cased)]);
      needs.push(null);
      continue;
    }
    if (typeof v === 'number' && !mods.some((m) => m !== 'all' && m !== 'neq' && m !== 'cased')) {
      alts.push([numberEquals(v)]);
      needs.push(field === null ? [String(v)] : verbatimField ? [String(v)] : null);
      continue;
    }
    if (typeof v === 'boolean' && !mods.some((m) => m !== 'all' && m !== 'neq')) {
      const want = v ? 'true' : 'false';
      alts.push([(x) => x === v || (typeof x === 'string' && x.toLowerCase() === want)]);
      needs.push(null);
      continue;
    }
    // string pipeline: transformations, then match type
    const text = typeof v === 'string' ? v : String(v);
    let variants: Part[][] = expandAndParse(text, mods, env);
    for (const m of mods) {
      if (m === 'contains') variants = variants.map(withContains);
      else if (m === 'startswith') variants = variants.map(withStartswith);
      else if (m === 'endswith') variants = variants.map(withEndswith);
    }
    if (field === null && !mods.some((m) => MATCH_TYPE.has(m))) variants = variants.map(withContains); // keywords search inside the line
    alts.push(variants.map((p) => stringTest(compileParts(p, cased), cased)));
    needs.push(field === null || verbatimField ? literalNeed(variants, field === null) : null);
  }

  const need = combineNeeds(needs, all);

  const valueMatches = (x: unknown, i: number, ctx: EvalCtx): boolean => {
    const a = alts[i];
    for (let k = 0; k < a.length; k++) if (a[k](x, ctx)) return true;
    return false;
  };
  /** Does one event value (scalar or array) satisfy value i? */
  const fieldValueMatches = (x: unknown, i: number, ctx: EvalCtx): boolean => {
    if (nullValues[i]) return x === null || x === undefined;
    if (x === undefined || x === null) return false;
    if (Array.isArray(x)) {
      for (const el of x) if (valueMatches(el, i, ctx)) return true;
      return false;
    }
    return valueMatches(x, i, ctx);
  };
  const n = values.length;

  if (field === null) {
    // keywords: the raw line, else any string value of the event
    const kw = (ctx: EvalCtx, i: number): boolean => {
      const raw = ctx.raw;
      if (raw !== undefined) return valueMatches(raw, i, ctx);
      for (const s of ctx.allStrings()) if (valueMatches(s, i, ctx)) return true;
      return false;
    };
    const test = all
      ? (ctx: EvalCtx) => { for (let i = 0; i < n; i++) if (!kw(ctx, i)) return false; return true; }
      : (ctx: EvalCtx) => { for (let i = 0; i < n; i++) if (kw(ctx, i)) return true; return false; };
    return { test: neq ? (ctx) => !test(ctx) : test, need: neq ? null : need };
  }

  const g = getter as FieldGetter;
  let test: (ctx: EvalCtx) => boolean;
  if (all) {
    test = (ctx) => {
      const x = g(ctx.ev);
      for (let i = 0; i < n; i++) if (!fieldValueMatches(x, i, ctx)) return false;
      return true;
    };
  } else if (n === 1) {
    test = (ctx) => fieldValueMatches(g(ctx.ev), 0, ctx);
  } else {
    test = (ctx) => {
      const x = g(ctx.ev);
      for (let i = 0; i < n; i++) if (fieldValueMatches(x, i, ctx)) return true;
      return false;
    };
  }
  if (neq) {
    // NOT (any value matches), and false when the field is absent or null (sigma-spec M-neq)
    const inner = test;
    test = (ctx) => {
      const x = g(ctx.ev);
      if (x === undefined || x === null) return false;
      return !inner(ctx);
    };
    return { test, need: null };
  }
  return { test, need };
}

function expandAndParse(text: string, mods: string[], env: ItemEnv): Part[][] {
  let strs: string[] = [text];
  let parts: Part[][] | null = null;
  for (const m of mods) {
    if (m === 'expand') {
      strs = strs.flatMap((s) => expandPlaceholders(s, env));
    } else if (m === 'windash') {
      strs = strs.flatMap((s) => windashVariants(s));
    } else if (UTF16.has(m)) {
      // applied together with base64 below
    } else if (m === 'base64' || m === 'base64offset') {
      const enc = mods.find((x) => UTF16.has(x));
      const out: string[] = [];
      for (const s of strs) {
        if (hasWildcard(parseSigmaString(s))) throw new ItemError(`'${m}' values may not contain wildcards`);
        const plain = parseSigmaString(s).map((p) => (typeof p === 'string' ? p : '')).join('');
        const bytes = enc ? utf16Bytes(plain, enc) : Buffer.from(plain, 'utf8');
        if (m === 'base64') out.push(bytes.toString('base64'));
        else out.push(...base64Offsets(bytes));
      }
      // encoded text is literal: escape wildcard characters so they are not read as wildcards
      strs = out.map((s) => s.replace(/[\\*?]/g, '\\$&'));
    }
  }
  parts = strs.map(parseSigmaString);
  return parts;
}

function literalNeed(variants: Part[][], keyword: boolean): string[] | null {
  const out: string[] = [];
  for (const parts of variants) {
    let best = '';
    for (const p of parts) {
      if (typeof p !== 'string') continue;
      // field values may be normalized (joined cmd-args, decoded entities): keep one whitespace-free token
      const candidates = keyword ? [p] : p.split(/\s+/).filter((t) => !/[<>&"'\\]/.test(t));
      for (const c of candidates) if (c.length > best.length && /^[\x20-\x7e]+$/.test(c)) best = c;
    }
    if (best.length < 2) return null;
    out.push(best.toLowerCase());
  }
  return out;
}

function combineNeeds(needs: (string[] | null)[], all: boolean): string[] | null {
  if (needs.length === 0) return null;
  if (all) return bestNeed(needs);
  const out: string[] = [];
  for (const n of needs) { if (n === null) return null; out.push(...n); }
  return [...new Set(out)];
}

/** For an AND: the most selective of the children's needs (longest shortest literal). */
export function bestNeed(needs: (string[] | null)[]): string[] | null {
  let best: string[] | null = null;
  let score = -1;
  for (const n of needs) {
    if (!n || n.length === 0) continue;
    const s = Math.min(...n.map((x) => x.length)) * 1000 - n.length;
    if (s > score) { score = s; best = n; }
  }
  return best;
}

function numberEquals(n: number): ScalarTest {
  const text = String(n);
  return (x) => {
    if (typeof x === 'number') return x === n;
    if (typeof x === 'string') {
      const v = toNumber(x);
      return v !== undefined ? v === n : x.toLowerCase() === text;
    }
    return false;
  };
}

function compareTest(op: string, n: number): ScalarTest {
  return (x, ctx) => {
    const v = toNumber(x);
    if (v === undefined) { ctx.typeErrors++; return false; }
    switch (op) {
      case 'lt': return v < n;
      case 'lte': return v <= n;
      case 'gt': return v > n;
      default: return v >= n;
    }
  };
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
}

function timePartTest(part: string, cmp: string | undefined, v: Scalar): ScalarTest {
  const n = toNumber(v);
  if (n === undefined) throw new ItemError(`'${part}' takes a number (got ${JSON.stringify(v)})`);
  const compare = cmp ? compareTest(cmp, n) : undefined;
  return (x, ctx) => {
    const ms = parseTimeValue(x);
    if (ms === undefined) { ctx.typeErrors++; return false; }
    const d = new Date(ms);
    let p: number;
    switch (part) {
      case 'minute': p = d.getUTCMinutes(); break;
      case 'hour': p = d.getUTCHours(); break;
      case 'day': p = d.getUTCDate(); break;
      case 'week': p = isoWeek(d); break;
      case 'month': p = d.getUTCMonth() + 1; break;
      default: p = d.getUTCFullYear();
    }
    return compare ? compare(p, ctx) : p === n;
  };
}

let lastV4Text: string | undefined;
let lastV4 = -1;

/** A dotted-quad IPv4 address as a number (same syntax as util/ip parseIPv4), or -1; remembers the last answer. */
function ipv4Number(s: string): number {
  if (s === lastV4Text) return lastV4;
  let acc = 0, part = 0, digits = 0, dots = 0, r = -1;
  const n = s.length;
  if (n >= 7 && n <= 15) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        part = part * 10 + (c - 48);
        if (++digits > 3 || part > 255) break;
      } else if (c === 46) {
        if (digits === 0 || ++dots > 3) break;
        acc = acc * 256 + part;
        part = 0; digits = 0;
      } else break;
    }
    if (i === n && dots === 3 && digits > 0) r = acc * 256 + part;
  }
  lastV4Text = s;
  lastV4 = r;
  return r;
}

function cidrTest(v: Scalar): ScalarTest {
  if (typeof v !== 'string') throw new ItemError(`'cidr' takes a network (got ${JSON.stringify(v)})`);
  const t = v.trim();
  const slash = t.indexOf('/');
  const addr = parseIp(slash >= 0 ? t.slice(0, slash) : t);
  const p = parsePrefix(t);
  if (!addr || !p || (slash >= 0 && !/^\d{1,3}$/.test(t.slice(slash + 1)))) throw new ItemError(`'cidr' value is not an IPv4 or IPv6 network: ${t}`);
  if (addr.value !== p.base) throw new ItemError(`'cidr' network has host bits set: ${t}`);
  const maxBits = p.family === 4 ? 32 : 128;
  const shift = BigInt(maxBits - p.bits);
  const base = p.base >> shift;
  // hot path for IPv4 networks and dotted-quad values: 32-bit arithmetic, the value parsed once for all the
  // networks of a list (they are tested one after another on the same string)
  const v4Shift = maxBits - p.bits, v4Base = Number(base);
  return (x) => {
    if (typeof x !== 'string') return false;
    if (p.family === 4) {
      const n = ipv4Number(x);
      if (n >= 0) return v4Shift === 32 || Math.floor(n / 2 ** v4Shift) === v4Base;
    }
    let ip = parseIp(x);
    if (!ip) return false;
    if (ip.family === 6 && p.family === 4 && ip.value >> 32n === 0xffffn) ip = { family: 4, value: ip.value & 0xffffffffn };
    if (ip.family !== p.family) return false;
    return ip.value >> shift === base;
  };
}

/** Compiles a Sigma `re` value for JavaScript: a leading `(?flags)` becomes flags; PCRE-only syntax is refused. */
export function compileSigmaRegex(src: string, flags: string): RegExp {
  let s = src;
  let f = flags;
  const lead = /^\(\?([imsx]+)\)/.exec(s);
  if (lead) {
    if (lead[1].includes('x')) throw new ItemError(`regular expression uses the PCRE extended flag (?x), which JavaScript lacks: ${src}`);
    f += lead[1];
    s = s.slice(lead[0].length);
  }
  if (/\(\?>/.test(s)) throw new ItemError(`regular expression uses an atomic group (?>...), which JavaScript lacks: ${src}`);
  if (/(?<!\\)(?:\\\\)*\\[AZz]/.test(s)) throw new ItemError(`regular expression uses \\A, \\Z or \\z, which JavaScript reads differently: ${src}`);
  if (/(?<!\\)(?:\\\\)*[*+?}]\+/.test(s.replace(/\[(?:\\.|[^\]])*\]/g, 'x'))) throw new ItemError(`regular expression uses a possessive quantifier, which JavaScript lacks: ${src}`);
  if (/\(\?[imsx-]+[:)]/.test(s)) throw new ItemError(`regular expression uses inline flags inside the pattern, which JavaScript lacks: ${src}`);
  try {
    return new RegExp(s, [...new Set(f)].join(''));
  } catch (e) {
    throw new ItemError(`invalid regular expression ${JSON.stringify(src)}: ${(e as Error).message}`);
  }
}

function regexTest(v: Scalar, mods: string[]): ScalarTest {
  if (typeof v !== 'string') throw new ItemError(`'re' takes a string (got ${JSON.stringify(v)})`);
  for (const m of mods) {
    if (m === 're' || RE_FLAGS[m] || m === 'all' || m === 'neq' || m === 'contains' || m === 'cased') continue;
    throw new ItemError(`'re' cannot be combined with '${m}'`);
  }
  const flags = mods.map((m) => RE_FLAGS[m] ?? '').join('');
  const re = compileSigmaRegex(v, flags);
  return (x) => {
    const s = toText(x);
    return s !== undefined && re.test(s);
  };
}

function fieldrefTest(other: FieldGetter, mods: string[], cased: boolean): ScalarTest {
  const mode = mods.includes('contains') ? 'contains' : mods.includes('startswith') ? 'startswith' : mods.includes('endswith') ? 'endswith' : 'eq';
  return (x, ctx) => {
    const a = toText(x);
    const bRaw = other(ctx.ev as Event);
    const b = toText(bRaw);
    if (a === undefined || b === undefined) return false;
    const A = cased ? a : a.toLowerCase();
    const B = cased ? b : b.toLowerCase();
    switch (mode) {
      case 'contains': return A.includes(B);
      case 'startswith': return A.startsWith(B);
      case 'endswith': return A.endsWith(B);
      default: return A === B;
    }
  };
}

export { STAR, ONE };
