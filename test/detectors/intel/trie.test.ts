import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPv4Trie, IPv6Table } from '../../../src/detectors/intel/trie.js';
import { parseIPv4Int, parseIPv6Words, parseCidr, formatIPv6Words } from '../../../src/util/ipint.js';
import { parsePrefix, prefixContains, parseIp, formatIp } from '../../../src/util/ip.js';

// deterministic PRNG so a failure reproduces
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

test('integer IP parsing agrees with the bigint helpers in src/util/ip.ts', () => {
  const r = rng(7);
  for (let i = 0; i < 2000; i++) {
    const v = r();
    const text = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    assert.equal(parseIPv4Int(text), Number(parseIp(text)!.value));
  }
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.04', 'a.b.c.d', '', '1..2.3', '1.2.3.4 ']) assert.equal(parseIPv4Int(bad), -1, bad);
  for (const s of ['2001:db8::1', '::', '::1', 'fe80::2205:baff:fe9d:f637', '2001:db8:0:0:1:0:0:1', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8', '[2001:db8::5]', 'fe80::1%eth0']) {
    const w = parseIPv6Words(s)!;
    assert.ok(w, s);
    const big = parseIp(s.replace(/^\[|\]$/g, ''))!.value;
    assert.equal(formatIPv6Words(w), formatIp(big, 6), s);
  }
  for (const bad of ['1:2:3:4:5:6:7:8:9', '2001:db8:::1', '2001::db8::1', 'g::1', '12345::', '1:2:3:4:5:6:7', ':1:2::']) assert.equal(parseIPv6Words(bad), undefined, bad);
});

test('IPv4 trie finds every containing prefix, checked against brute force', () => {
  const r = rng(42);
  const trie = new IPv4Trie();
  const prefixes: { text: string; id: number }[] = [];
  for (let i = 0; i < 3000; i++) {
    const bits = [8, 12, 16, 19, 20, 23, 24, 24, 26, 28, 30, 31, 32, 32, 32][r() % 15];
    const addr = r() & (r() % 4 === 0 ? 0x0affffff : 0xffffffff) | (r() % 4 === 0 ? 0x0a000000 : 0);
    const c = parseCidr(`${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}/${bits}`)!;
    prefixes.push({ text: c.text, id: trie.add(c.words[0], c.bits) });
  }
  trie.build();
  const oracle = prefixes.map((p) => ({ ...p, pre: parsePrefix(p.text)! }));
  for (let i = 0; i < 4000; i++) {
    // half the probes land inside a known prefix
    let ip = r();
    if (i % 2 === 0) { const p = oracle[r() % oracle.length]; ip = (p.pre.bits === 0 ? ip : (Number(p.pre.base) + (ip % 2 ** (32 - p.pre.bits)))) >>> 0; }
    const got = new Set<number>();
    for (let e = trie.lookup(ip); e >= 0; e = trie.parent[e]) got.add(e);
    const want = new Set(oracle.filter((p) => prefixContains(p.pre, { family: 4, value: BigInt(ip) })).map((p) => p.id));
    assert.deepEqual([...got].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `address ${ip}`);
  }
});

test('IPv6 table finds every containing prefix, checked against brute force', () => {
  const r = rng(99);
  const t = new IPv6Table();
  const prefixes: { text: string; id: number }[] = [];
  for (let i = 0; i < 1500; i++) {
    const bits = [16, 32, 48, 56, 64, 64, 96, 127, 128, 128][r() % 10];
    const g = Array.from({ length: 8 }, (_, k) => (k < 2 ? (0x2001 + (r() % 3)) : r() & 0xffff).toString(16));
    const c = parseCidr(`${g.join(':')}/${bits}`)!;
    prefixes.push({ text: c.text, id: t.add(c.words, c.bits) });
  }
  t.build();
  const oracle = prefixes.map((p) => ({ ...p, pre: parsePrefix(p.text)! }));
  for (let i = 0; i < 3000; i++) {
    let big: bigint;
    if (i % 2 === 0) {
      const p = oracle[r() % oracle.length];
      const host = (BigInt(r()) << 64n) | (BigInt(r()) << 32n) | BigInt(r());
      big = p.pre.base | (host & ((1n << BigInt(128 - p.pre.bits)) - 1n));
    } else big = (BigInt(0x2001 + (r() % 3)) << 112n) | (BigInt(r()) << 64n) | BigInt(r());
    const text = formatIp(big, 6);
    const w = parseIPv6Words(text)!;
    const got = new Set<number>();
    for (let e = t.lookup(w); e >= 0; e = t.parent[e]) got.add(e);
    const want = new Set(oracle.filter((p) => prefixContains(p.pre, { family: 6, value: big })).map((p) => p.id));
    assert.deepEqual([...got].sort((a, b) => a - b), [...want].sort((a, b) => a - b), text);
  }
});
