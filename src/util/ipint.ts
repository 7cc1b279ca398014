/**
 * Allocation-free IP parsing for the matcher's hot path. IPv4 addresses become unsigned 32-bit integers held in a
 * JS number (never bigint); IPv6 addresses become four unsigned 32-bit words. Written by hand (rather than using
 * src/util/ip.ts, which uses bigint) because millions of lookups per second depend on it.
 */

/** Parses dotted-quad IPv4; returns the address as 0..2^32-1, or -1 when `s` is not exactly an IPv4 address. */
export function parseIPv4Int(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let acc = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return -1; // leading zero ("01") is ambiguous (octal in some tools): refuse
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      acc = acc * 256 + part;
      part = 0; digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return acc * 256 + part;
}

/** Formats a 32-bit integer as dotted-quad. */
export function formatIPv4Int(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

const scratch = new Uint16Array(8);

/**
 * Parses IPv6 (with `::`, an embedded IPv4 tail, a `%zone` suffix and optional brackets) into four unsigned
 * 32-bit words, or undefined. `out` may be passed to avoid allocating.
 */
export function parseIPv6Words(input: string, out?: Uint32Array): Uint32Array | undefined {
  let s = input;
  if (s.charCodeAt(0) === 91 /* [ */) { if (s.charCodeAt(s.length - 1) !== 93) return undefined; s = s.slice(1, -1); }
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const n = s.length;
  if (n < 2 || n > 45) return undefined;
  const g = scratch;
  g.fill(0);
  let count = 0;       // groups written
  let gap = -1;        // index in g where '::' sits
  let i = 0;
  if (s.charCodeAt(0) === 58) { if (s.charCodeAt(1) !== 58) return undefined; gap = 0; i = 2; if (i === n) { return words(g, out); } }
  while (i < n) {
    // read one group, or an IPv4 tail
    let j = i, val = 0, hex = 0;
    while (j < n) {
      const c = s.charCodeAt(j);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      val = val * 16 + d;
      if (++hex > 4) return undefined;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 46) {
      // IPv4 tail
      const v4 = parseIPv4Int(s.slice(i));
      if (v4 < 0 || count > 6) return undefined;
      g[count++] = v4 >>> 16;
      g[count++] = v4 & 0xffff;
      i = n;
      break;
    }
    if (hex === 0) return undefined;
    if (count >= 8) return undefined;
    g[count++] = val;
    if (j === n) { i = n; break; }
    if (s.charCodeAt(j) !== 58) return undefined;
    if (s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return undefined;
      gap = count;
      i = j + 2;
      if (i === n) break;
    } else {
      i = j + 1;
      if (i === n) return undefined;
    }
  }
  if (gap >= 0) {
    if (count > 7) return undefined;
    const tail = count - gap;
    for (let k = 0; k < tail; k++) g[7 - k] = g[count - 1 - k];
    for (let k = gap; k < 8 - tail; k++) g[k] = 0;
  } else if (count !== 8) return undefined;
  return words(g, out);
}

function words(g: Uint16Array, out?: Uint32Array): Uint32Array {
  const w = out ?? new Uint32Array(4);
  w[0] = (g[0] << 16 | g[1]) >>> 0;
  w[1] = (g[2] << 16 | g[3]) >>> 0;
  w[2] = (g[4] << 16 | g[5]) >>> 0;
  w[3] = (g[6] << 16 | g[7]) >>> 0;
  return w;
}

/** Formats four words as canonical (RFC 5952) IPv6 text. */
export function formatIPv6Words(w: ArrayLike<number>): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) { groups.push(w[i] >>> 16, w[i] & 0xffff); }
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** Parses `addr` or `addr/len` (v4 or v6). Host bits are cleared. */
export function parseCidr(s: string): { family: 4 | 6; words: Uint32Array; bits: number; text: string } | undefined {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addr = slash >= 0 ? t.slice(0, slash) : t;
  const lenText = slash >= 0 ? t.slice(slash + 1) : undefined;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return undefined;
  if (addr.includes(':')) {
    const w = parseIPv6Words(addr);
    if (!w) return undefined;
    const bits = lenText === undefined ? 128 : Number(lenText);
    if (bits > 128) return undefined;
    maskWords(w, bits);
    return { family: 6, words: w, bits, text: bits === 128 ? formatIPv6Words(w) : `${formatIPv6Words(w)}/${bits}` };
  }
  const v = parseIPv4Int(addr);
  if (v < 0) return undefined;
  const bits = lenText === undefined ? 32 : Number(lenText);
  if (bits > 32) return undefined;
  const m = bits === 0 ? 0 : (bits === 32 ? v : (v & (~(0xffffffff >>> bits))) >>> 0);
  const w = new Uint32Array([m, 0, 0, 0]);
  return { family: 4, words: w, bits, text: bits === 32 ? formatIPv4Int(m) : `${formatIPv4Int(m)}/${bits}` };
}

/** Clears the host bits of a 4-word address for a prefix length (0..128). */
export function maskWords(w: Uint32Array, bits: number): void {
  let rem = bits;
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(32, rem));
    w[i] = take === 0 ? 0 : take === 32 ? w[i] : (w[i] & (~(0xffffffff >>> take))) >>> 0;
    rem -= 32;
  }
}
