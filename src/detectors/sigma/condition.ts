/**
 * The condition grammar of sigma-spec section 7:
 *
 *   or_expr  := and_expr ("or" and_expr)*
 *   and_expr := not_expr ("and" not_expr)*
 *   not_expr := "not" not_expr | primary
 *   primary  := "(" or_expr ")" | ("1"|"any"|"all") "of" pattern | identifier
 *
 * Operators are lower-case words; `them` is every identifier not starting with `_`; patterns skip `_`
 * identifiers unless they start with `_` themselves; a pattern that matches nothing is an error.
 */

export type CondNode =
  | { t: 'id'; name: string }
  | { t: 'and'; items: CondNode[] }
  | { t: 'or'; items: CondNode[] }
  | { t: 'not'; item: CondNode };

export class ConditionError extends Error {}

interface Tok {
  v: string;
  pos: number;
}

function tokenize(src: string): Tok[] {
  if (src.includes('|')) throw new ConditionError(`'|' in a condition is the Sigma 1 aggregation syntax; write a correlation rule instead (condition: ${src})`);
  const toks: Tok[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/y;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(src))) {
    toks.push({ v: m[1], pos: m.index });
    last = re.lastIndex;
  }
  if (src.slice(last).trim()) throw new ConditionError(`cannot read condition near '${src.slice(last)}'`);
  return toks;
}

const IDENT = /^[A-Za-z0-9_-]+$/;
const PATTERN = /^[A-Za-z0-9_*]+$/;

function patternRegex(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** Identifiers a pattern (`them`, `sel_*`) selects. */
export function expandPattern(pattern: string, identifiers: string[]): string[] {
  if (pattern === 'them') return identifiers.filter((i) => !i.startsWith('_'));
  const re = patternRegex(pattern);
  return identifiers.filter((i) => (pattern.startsWith('_') || !i.startsWith('_')) && re.test(i));
}

export function parseCondition(src: string, identifiers: string[]): CondNode {
  const toks = tokenize(src);
  if (toks.length === 0) throw new ConditionError('empty condition');
  let i = 0;
  const peek = () => toks[i]?.v;
  const known = new Set(identifiers);
  const expect = (v: string) => {
    if (toks[i]?.v !== v) throw new ConditionError(`expected '${v}' ${toks[i] ? `at '${toks[i].v}'` : 'at end'} in condition: ${src}`);
    i++;
  };
  const upperOp = (v: string | undefined) => {
    if (v && /^(AND|OR|NOT|OF|And|Or|Not|Of|THEM|ALL|ANY)$/.test(v) && !known.has(v)) throw new ConditionError(`operators are lower-case: write '${v.toLowerCase()}' instead of '${v}'`);
  };
  const parseOr = (): CondNode => {
    const items = [parseAnd()];
    while (peek() === 'or') { i++; items.push(parseAnd()); }
    upperOp(peek());
    return items.length === 1 ? items[0] : { t: 'or', items };
  };
  const parseAnd = (): CondNode => {
    const items = [parseNot()];
    while (peek() === 'and') { i++; items.push(parseNot()); }
    upperOp(peek());
    return items.length === 1 ? items[0] : { t: 'and', items };
  };
  const parseNot = (): CondNode => {
    upperOp(peek());
    if (peek() === 'not') { i++; return { t: 'not', item: parseNot() }; }
    return parsePrimary();
  };
  const parsePrimary = (): CondNode => {
    const t = toks[i];
    if (!t) throw new ConditionError(`condition ends too early: ${src}`);
    if (t.v === '(') {
      i++;
      const n = parseOr();
      expect(')');
      return n;
    }
    if (t.v === ')') throw new ConditionError(`unexpected ')' in condition: ${src}`);
    if ((t.v === '1' || t.v === 'any' || t.v === 'all') && toks[i + 1]?.v === 'of') {
      i += 2;
      const p = toks[i];
      if (!p) throw new ConditionError(`'of' needs a pattern or 'them': ${src}`);
      i++;
      if (p.v !== 'them' && !PATTERN.test(p.v)) throw new ConditionError(`invalid pattern '${p.v}' after 'of' (patterns use letters, digits, _ and *)`);
      const names = expandPattern(p.v, identifiers);
      if (names.length === 0) throw new ConditionError(`pattern '${p.v}' matches no search identifier`);
      const items: CondNode[] = names.map((name) => ({ t: 'id', name }));
      if (items.length === 1) return items[0];
      return t.v === 'all' ? { t: 'and', items } : { t: 'or', items };
    }
    if (t.v === 'near') throw new ConditionError("the Sigma 1 'near' operator is not supported; write a temporal correlation rule instead");
    upperOp(t.v);
    if (!IDENT.test(t.v)) throw new ConditionError(`invalid identifier '${t.v}' in condition`);
    if (!known.has(t.v)) throw new ConditionError(`condition names '${t.v}', which is not a search identifier of this rule`);
    i++;
    return { t: 'id', name: t.v };
  };
  const n = parseOr();
  if (i < toks.length) throw new ConditionError(`unexpected '${toks[i].v}' in condition: ${src}`);
  return n;
}

/** Identifiers a condition uses. */
export function usedIdentifiers(n: CondNode, out = new Set<string>()): Set<string> {
  if (n.t === 'id') out.add(n.name);
  else if (n.t === 'not') usedIdentifiers(n.item, out);
  else for (const x of n.items) usedIdentifiers(x, out);
  return out;
}
