/**
 * Detection -> evaluator. Search identifiers (maps = AND, lists of maps = OR, lists of scalars = keywords)
 * and the condition are compiled once into closures; the literal strings a match needs are collected for the
 * prefilter (sigma-spec section 4 and 7).
 */
import { EvalCtx } from './context.js';
import { compileItem, ItemError, bestNeed, type ItemEnv } from './items.js';
import { parseCondition, usedIdentifiers, ConditionError, type CondNode } from './condition.js';

export type Test = (ctx: EvalCtx) => boolean;

/** Three-valued: NO (false for every event of the route), YES, or MAYBE (depends on fields the route does not fix). */
export const NO = 0, YES = 1, MAYBE = 2;
/** The detection decided on an event's routing fields alone (see CompiledDetection.onRoute). */
export type RouteTest = (ctx: EvalCtx) => number;

export interface CompiledDetection {
  test: Test;
  need: string[] | null;
  /**
   * The condition with only the items on routed fields (ItemEnv.routed) decided, in three-valued logic: NO means
   * no event of the route can match, so the route's plan leaves the rule out (no scan for its literals, no test).
   * hot path (bench/hunt round 9): rules keyed on a message id (`mnemonic|endswith: USER_ADDED`) were in the plans
   * of every Cisco route, their literals scanned for on every interface, BGP and login line.
   */
  onRoute: RouteTest;
}

const maybe: RouteTest = () => MAYBE;

/**
 * AND (`absorb` NO) or OR (`absorb` YES) of three-valued tests: `absorb` if any test gives it; the other decided
 * value if every test gives that; else MAYBE.
 */
function combineRoute(ts: RouteTest[], absorb: typeof NO | typeof YES): RouteTest {
  const known = ts.filter((t) => t !== maybe);
  if (!known.length) return maybe;
  const init = known.length < ts.length ? MAYBE : absorb === NO ? YES : NO;
  return (c) => {
    let r = init;
    for (const t of known) { const x = t(c); if (x === absorb) return absorb; if (x === MAYBE) r = MAYBE; }
    return r;
  };
}

const andRoute = (ts: RouteTest[]): RouteTest => combineRoute(ts, NO);
const orRoute = (ts: RouteTest[]): RouteTest => combineRoute(ts, YES);

function notRoute(t: RouteTest): RouteTest {
  if (t === maybe) return maybe;
  return (c) => { const x = t(c); return x === MAYBE ? MAYBE : x === YES ? NO : YES; };
}

export class CompileError extends Error {
  constructor(message: string, readonly path: (string | number)[]) {
    super(message);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function andAll(ts: Test[]): Test {
  if (ts.length === 1) return ts[0];
  if (ts.length === 2) { const [a, b] = ts; return (c) => a(c) && b(c); }
  return (c) => { for (let i = 0; i < ts.length; i++) if (!ts[i](c)) return false; return true; };
}

function orAll(ts: Test[]): Test {
  if (ts.length === 1) return ts[0];
  if (ts.length === 2) { const [a, b] = ts; return (c) => a(c) || b(c); }
  return (c) => { for (let i = 0; i < ts.length; i++) if (ts[i](c)) return true; return false; };
}

function unionNeed(ns: (string[] | null)[]): string[] | null {
  const out: string[] = [];
  for (const n of ns) { if (n === null) return null; out.push(...n); }
  return [...new Set(out)];
}

function compileMap(m: Record<string, unknown>, env: ItemEnv, path: (string | number)[]): CompiledDetection {
  const keys = Object.keys(m);
  if (keys.length === 0) throw new CompileError('empty map in a search identifier', path);
  const tests: Test[] = [];
  const needs: (string[] | null)[] = [];
  const onRoute: RouteTest[] = [];
  for (const key of keys) {
    const parts = key.split('|');
    const field = parts[0] === '' ? null : parts[0];
    const mods = parts.slice(1).map((x) => x.trim());
    if (mods.some((x) => x === '')) throw new CompileError(`empty modifier in '${key}'`, [...path, key]);
    try {
      const it = compileItem(field, mods, m[key], env);
      tests.push(it.test);
      needs.push(it.need);
      // an item on a routed field (and no other: fieldref reads a second field) is decided by the route
      if (field !== null && !mods.includes('fieldref') && env.routed?.(field)) { const t = it.test; onRoute.push((c) => (t(c) ? YES : NO)); }
      else onRoute.push(maybe);
    } catch (e) {
      if (e instanceof ItemError) throw new CompileError(`${key}: ${e.message}`, [...path, key]);
      throw e;
    }
  }
  return { test: andAll(tests), need: bestNeed(needs), onRoute: andRoute(onRoute) };
}

function compileSelection(v: unknown, env: ItemEnv, path: (string | number)[]): CompiledDetection {
  if (v === null || v === undefined) throw new CompileError('search identifier has no value', path);
  if (isMap(v)) return compileMap(v, env, path);
  const wrapKeyword = (vals: unknown[], p: (string | number)[]) => {
    try {
      return compileItem(null, [], vals, env);
    } catch (e) {
      if (e instanceof ItemError) throw new CompileError(e.message, p);
      throw e;
    }
  };
  if (Array.isArray(v)) {
    if (v.length === 0) throw new CompileError('empty list in a search identifier', path);
    const scalars = v.filter((x) => !isMap(x) && !Array.isArray(x));
    const maps = v.map((x, i) => [x, i] as const).filter(([x]) => isMap(x));
    if (v.some((x) => Array.isArray(x))) throw new CompileError('nested lists are not allowed in a search identifier', path);
    const alts: CompiledDetection[] = [];
    if (scalars.length) alts.push({ ...wrapKeyword(scalars, path), onRoute: maybe });
    for (const [x, i] of maps) alts.push(compileMap(x as Record<string, unknown>, env, [...path, i]));
    return { test: orAll(alts.map((a) => a.test)), need: unionNeed(alts.map((a) => a.need)), onRoute: orRoute(alts.map((a) => a.onRoute)) };
  }
  return { ...wrapKeyword([v], path), onRoute: maybe };
}

/** Compiles a condition AST over compiled identifiers. */
function compileCond(n: CondNode, ids: Record<string, CompiledDetection>): CompiledDetection {
  switch (n.t) {
    case 'id': return ids[n.name];
    case 'not': {
      const inner = compileCond(n.item, ids);
      const t = inner.test;
      return { test: (c) => !t(c), need: null, onRoute: notRoute(inner.onRoute) };
    }
    case 'and': {
      const xs = n.items.map((x) => compileCond(x, ids));
      return { test: andAll(xs.map((x) => x.test)), need: bestNeed(xs.map((x) => x.need)), onRoute: andRoute(xs.map((x) => x.onRoute)) };
    }
    case 'or': {
      const xs = n.items.map((x) => compileCond(x, ids));
      return { test: orAll(xs.map((x) => x.test)), need: unionNeed(xs.map((x) => x.need)), onRoute: orRoute(xs.map((x) => x.onRoute)) };
    }
  }
}

/**
 * Compiles a detection (identifiers + conditions). `detKey` is the YAML key holding it (`detection`, or
 * `filter` for filters), used in error paths. Warnings go to env.warn.
 */
export function compileDetection(detection: Record<string, unknown>, conditions: string[], env: ItemEnv, detKey = 'detection'): CompiledDetection {
  const names = Object.keys(detection);
  const ids: Record<string, CompiledDetection> = {};
  for (const name of names) ids[name] = compileSelection(detection[name], env, [detKey, name]);
  const trees: CondNode[] = [];
  conditions.forEach((c, i) => {
    try {
      trees.push(parseCondition(c, names));
    } catch (e) {
      if (e instanceof ConditionError) throw new CompileError(e.message, conditions.length > 1 ? [detKey, 'condition', i] : [detKey, 'condition']);
      throw e;
    }
  });
  const used = new Set<string>();
  for (const t of trees) usedIdentifiers(t, used);
  for (const n of names) if (!used.has(n)) env.warn(`search identifier '${n}' is not used by the condition`);
  for (const c of conditions) {
    if (/\ball of them\b/.test(c)) env.warn("'all of them' is discouraged; name the identifiers");
    if (/\bof them\b/.test(c) && names.filter((x) => !x.startsWith('_')).length === 1) env.warn("'of them' with only one search identifier");
  }
  const compiled = trees.map((t) => compileCond(t, ids));
  return { test: orAll(compiled.map((c) => c.test)), need: unionNeed(compiled.map((c) => c.need)), onRoute: orRoute(compiled.map((c) => c.onRoute)) };
}
