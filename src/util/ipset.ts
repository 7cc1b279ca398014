/**
 * A set of IP prefixes with fast membership tests on address strings, for per-flow checks on the hot path
 * (site ranges, indicator lists). IPv4 addresses are parsed to 32-bit integers without allocation and looked
 * up per distinct prefix length in a Set; IPv6 goes through bigint (src/util/ip.ts), which is slower but rare.
 * A small cache of recent answers keeps repeated addresses (the common case in flow data) cheap.
 */
import { parseIp, parsePrefix, type Prefix } from './ip.js';

/** Parses dotted-quad IPv4 text to an unsigned 32-bit integer, or -1. */
export function ipv4ToInt(s: string): number {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      v = v * 256 + part;
      part = 0; digits = 0; dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return v * 256 + part;
}

export class PrefixSet {
  /** prefix length -> network addresses (IPv4), longest first. */
  private readonly v4: { bits: number; mask: number; nets: Set<number>; labels: Map<number, string> }[] = [];
  private readonly v6: Prefix[] = [];
  private readonly cache = new Map<string, string | null>();
  readonly size: number;

  /** `entries` are addresses or prefixes; invalid ones are returned by `invalid` (not thrown). */
  constructor(entries: Iterable<string>, readonly invalid: string[] = []) {
    let n = 0;
    const byBits = new Map<number, { nets: Set<number>; labels: Map<number, string> }>();
    for (const raw of entries) {
      const e = raw.trim();
      if (!e) continue;
      const p = parsePrefix(e);
      if (!p) { invalid.push(e); continue; }
      n++;
      if (p.family === 4) {
        let g = byBits.get(p.bits);
        if (!g) { g = { nets: new Set(), labels: new Map() }; byBits.set(p.bits, g); }
        const net = Number(p.base) | 0; // signed 32-bit: small integers in V8's sets, not heap numbers
        g.nets.add(net);
        if (!g.labels.has(net)) g.labels.set(net, e);
      } else this.v6.push(p);
    }
    for (const [bits, g] of [...byBits.entries()].sort((a, b) => b[0] - a[0])) {
      const mask = bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
      this.v4.push({ bits, mask, nets: g.nets, labels: g.labels });
    }
    this.v6.sort((a, b) => b.bits - a.bits);
    this.size = n;
  }

  /** True when the address lies in one of the prefixes. */
  has(ip: string): boolean {
    return this.match(ip) !== undefined;
  }

  /** The entry (as written) of the longest prefix containing `ip`, or undefined. */
  match(ip: string): string | undefined {
    if (this.size === 0 || !ip) return undefined;
    // hot path: IPv4 is looked up directly (parse + one integer set per prefix length), which measured faster
    // than the string-keyed cache (about 100 against 300-500 ns a lookup on fresh strings from the decoder)
    const v = ipv4ToInt(ip);
    if (v >= 0) return this.lookupV4(v);
    const c = this.cache.get(ip);
    if (c !== undefined) return c ?? undefined;
    const r = this.lookup(ip);
    if (this.cache.size >= 65536) this.cache.clear();
    this.cache.set(ip, r ?? null);
    return r;
  }

  private lookupV4(v: number): string | undefined {
    const groups = this.v4;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      const net = v & g.mask;
      if (g.nets.has(net)) return g.labels.get(net);
    }
    return undefined;
  }

  private lookup(ip: string): string | undefined {
    if (!this.v6.length || !ip.includes(':')) return undefined;
    const p = parseIp(ip);
    if (!p || p.family !== 6) return undefined;
    for (const pre of this.v6) {
      const host = BigInt(128 - pre.bits);
      if ((p.value >> host) << host === pre.base) return pre.text;
    }
    return undefined;
  }
}
