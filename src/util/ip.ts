/**
 * IPv4/IPv6 address and prefix helpers shared by every stage (site ranges, ACL checks, flow analytics).
 * Addresses are represented as bigint plus family so v4 and v6 share one code path. For bulk lookups
 * against millions of prefixes use the intel prefix trie instead.
 */
export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** Network address as an integer, host bits cleared. */
  base: bigint;
  bits: number;
  text: string;
}

export function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(s: string): bigint | undefined {
  let str = s;
  const pct = str.indexOf('%');
  if (pct >= 0) str = str.slice(0, pct);
  if (str.length < 2 || str.length > 45) return undefined;
  // embedded IPv4 tail
  let tail: bigint[] = [];
  const lastColon = str.lastIndexOf(':');
  const maybeV4 = str.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (v4 === undefined) return undefined;
    tail = [(v4 >> 16n) & 0xffffn, v4 & 0xffffn];
    str = str.slice(0, lastColon + 1) + '0';
    tail.length = 2;
  }
  const dbl = str.split('::');
  if (dbl.length > 2) return undefined;
  const parseGroups = (g: string): bigint[] | undefined => {
    if (g === '') return [];
    const out: bigint[] = [];
    for (const h of g.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(h)) return undefined;
      out.push(BigInt('0x' + h));
    }
    return out;
  };
  const head = parseGroups(dbl[0]);
  const rest = dbl.length === 2 ? parseGroups(dbl[1]) : [];
  if (!head || !rest) return undefined;
  let groups: bigint[];
  if (tail.length) {
    // replace the placeholder '0' group with the two v4 groups
    if (dbl.length === 2) rest.pop(); else head.pop();
  }
  const have = head.length + rest.length + tail.length;
  if (dbl.length === 2) {
    if (have > 7) return undefined;
    groups = [...head, ...Array<bigint>(8 - have).fill(0n), ...rest, ...tail];
  } else {
    groups = [...head, ...tail];
    if (groups.length !== 8) return undefined;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return v;
}

export function parseIp(s: string): { family: Family; value: bigint } | undefined {
  const t = s.trim();
  if (t.includes(':')) {
    const v = parseIPv6(t.replace(/^\[|\]$/g, ''));
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIPv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function isIp(s: string): boolean {
  return parseIp(s) !== undefined;
}

/** Parses `a.b.c.d/n`, `a.b.c.d` (host), `a.b.c.d mask` or `a.b.c.d/w.x.y.z` and IPv6 `x::/n`. */
export function parsePrefix(s: string): Prefix | undefined {
  const t = s.trim();
  let addr = t;
  let bits: number | undefined;
  const m = /^(\S+?)(?:\/(\S+)|\s+(\d+\.\d+\.\d+\.\d+))?$/.exec(t);
  if (!m) return undefined;
  addr = m[1];
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const maxBits = ip.family === 4 ? 32 : 128;
  const maskText = m[2] ?? m[3];
  if (maskText === undefined) bits = maxBits;
  else if (/^\d{1,3}$/.test(maskText)) bits = Number(maskText);
  else if (ip.family === 4) {
    const mask = parseIPv4(maskText);
    if (mask === undefined) return undefined;
    bits = maskToBits(mask);
    if (bits === undefined) return undefined;
  } else return undefined;
  if (bits < 0 || bits > maxBits) return undefined;
  const hostBits = BigInt(maxBits - bits);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, bits, text: `${formatIp(base, ip.family)}/${bits}` };
}

/** Netmask (255.255.255.0) to prefix length; undefined if not contiguous. */
export function maskToBits(mask: bigint): number | undefined {
  let bits = 0;
  let seenZero = false;
  for (let i = 31; i >= 0; i--) {
    const one = ((mask >> BigInt(i)) & 1n) === 1n;
    if (one && seenZero) return undefined;
    if (one) bits++; else seenZero = true;
  }
  return bits;
}

/** Cisco wildcard (0.0.0.255) to prefix length; undefined if not contiguous. */
export function wildcardToBits(wc: bigint): number | undefined {
  return maskToBits(~wc & 0xffffffffn);
}

export function formatIp(v: bigint, family: Family): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zeros
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}

export function prefixContains(p: Prefix, ip: { family: Family; value: bigint }): boolean {
  if (p.family !== ip.family) return false;
  const maxBits = p.family === 4 ? 32 : 128;
  const hostBits = BigInt(maxBits - p.bits);
  return (ip.value >> hostBits) << hostBits === p.base;
}

/** True when `addr` lies in any of `prefixes`. Unparseable addresses are not contained. */
export function inAnyPrefix(addr: string, prefixes: readonly Prefix[]): boolean {
  const ip = parseIp(addr);
  if (!ip) return false;
  return prefixes.some((p) => prefixContains(p, ip));
}

/** RFC 1918 private space and RFC 6598 shared address space: the default "internal" when no site file says otherwise. */
export const DEFAULT_INTERNAL_PREFIXES: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', 'fc00::/7', 'fe80::/10', '::1/128',
];
