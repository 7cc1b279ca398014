/**
 * Sigma strings: wildcards (`*`, `?`) and the backslash escapes of sigma-spec 5.3 (a backslash escapes only
 * `*`, `?` and itself; anywhere else it is an ordinary character), compiled into fast string tests.
 * Matching is case-insensitive unless `cased`.
 */

export const STAR = 0;
export const ONE = 1;
export type Part = string | typeof STAR | typeof ONE;

/** Parses a Sigma string value into literal chunks and wildcards. */
export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => { if (lit) { parts.push(lit); lit = ''; } };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '*' || n === '?' || n === '\\') { lit += n; i++; continue; }
      lit += '\\';
      continue;
    }
    if (c === '*') {
      flush();
      if (parts[parts.length - 1] !== STAR) parts.push(STAR); // a run of * is one *
      continue;
    }
    if (c === '?') { flush(); parts.push(ONE); continue; }
    lit += c;
  }
  flush();
  return parts;
}

export function hasWildcard(parts: Part[]): boolean {
  return parts.some((p) => typeof p !== 'string');
}

export function plainText(parts: Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p === STAR ? '*' : '?')).join('');
}

/** Literal chunks (lower-cased) a matching text must contain; used by the prefilter. */
export function literalChunks(parts: Part[]): string[] {
  return parts.filter((p): p is string => typeof p === 'string');
}

export function withContains(parts: Part[]): Part[] {
  const out = parts.slice();
  if (out[0] !== STAR) out.unshift(STAR);
  if (out[out.length - 1] !== STAR) out.push(STAR);
  return out;
}

export function withStartswith(parts: Part[]): Part[] {
  return parts[parts.length - 1] === STAR ? parts.slice() : [...parts, STAR];
}

export function withEndswith(parts: Part[]): Part[] {
  return parts[0] === STAR ? parts.slice() : [STAR, ...parts];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A compiled test of one string value. `lower` tells whether it expects the value lower-cased. */
export interface StringTest {
  test(v: string, lower: string): boolean;
}

/**
 * Compiles wildcard parts into the cheapest test: equality, prefix, suffix, substring, or an anchored regex.
 * Case-insensitive tests compare against the lower-cased value (passed in by the caller, computed once).
 */
export function compileParts(parts: Part[], cased: boolean): StringTest {
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  const n = parts.length;
  if (n === 0) return { test: (v) => v === '' };
  if (n === 1 && parts[0] === STAR) return { test: () => true };
  if (n === 1 && typeof parts[0] === 'string') {
    const lit = norm(parts[0]);
    return cased ? { test: (v) => v === lit } : { test: (_v, l) => l === lit };
  }
  if (n === 2 && parts[0] === STAR && typeof parts[1] === 'string') {
    const lit = norm(parts[1]);
    return cased ? { test: (v) => v.endsWith(lit) } : { test: (_v, l) => l.endsWith(lit) };
  }
  if (n === 2 && parts[1] === STAR && typeof parts[0] === 'string') {
    const lit = norm(parts[0]);
    return cased ? { test: (v) => v.startsWith(lit) } : { test: (_v, l) => l.startsWith(lit) };
  }
  if (n === 3 && parts[0] === STAR && parts[2] === STAR && typeof parts[1] === 'string') {
    const lit = norm(parts[1]);
    return cased ? { test: (v) => v.includes(lit) } : { test: (_v, l) => l.includes(lit) };
  }
  let src = '^';
  for (const p of parts) src += p === STAR ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : escapeRe(norm(p));
  src += '$';
  const re = new RegExp(src, 'u');
  return cased ? { test: (v) => re.test(v) } : { test: (_v, l) => re.test(l) };
}
