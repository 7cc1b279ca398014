import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrefixSet, ipv4ToInt } from '../../src/util/ipset.js';
import { parseIPv6Words } from '../../src/util/ipint.js';
import { parseIPv6, parseIp, parsePrefix, prefixContains } from '../../src/util/ip.js';

test('ipv4ToInt parses dotted quads, including the top half of the space, and rejects junk', () => {
  assert.equal(ipv4ToInt('0.0.0.0'), 0);
  assert.equal(ipv4ToInt('255.255.255.255'), 0xffffffff);
  assert.equal(ipv4ToInt('203.0.113.9'), (203 * 2 ** 24) + 113 * 256 + 9);
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '', '1.2.3.0004', '::1']) assert.equal(ipv4ToInt(bad), -1, bad);
});

test('PrefixSet answers the longest containing prefix as written, for IPv4 (both halves of the space) and IPv6', () => {
  const s = new PrefixSet(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '198.51.100.0/24', '203.0.113.128/25', '2001:db8::/32', '2001:db8:1::/48']);
  assert.equal(s.match('10.9.9.9'), '10.0.0.0/8');
  assert.equal(s.match('10.1.9.9'), '10.1.0.0/16');
  assert.equal(s.match('10.1.2.3'), '10.1.2.3');
  assert.equal(s.match('198.51.100.255'), '198.51.100.0/24');
  assert.equal(s.match('203.0.113.200'), '203.0.113.128/25');
  assert.equal(s.match('203.0.113.127'), undefined);
  assert.equal(s.match('11.0.0.1'), undefined);
  assert.equal(s.match('2001:db8:1::5'), '2001:db8:1::/48');
  assert.equal(s.match('2001:db8:2::5'), '2001:db8::/32');
  assert.equal(s.match('2001:db9::1'), undefined);
  assert.equal(s.match('not an address'), undefined);
  assert.equal(s.match(''), undefined);
  assert.equal(new PrefixSet(['0.0.0.0/0']).match('255.1.2.3'), '0.0.0.0/0');
  const invalid: string[] = [];
  assert.equal(new PrefixSet(['10.0.0.0/33', 'junk', '10.0.0.0/8'], invalid).size, 1);
  assert.deepEqual(invalid, ['10.0.0.0/33', 'junk']);
});

test('PrefixSet agrees with the bigint prefix check on 20,000 random IPv4 addresses', () => {
  let seed = 99;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const entries: string[] = [];
  for (let i = 0; i < 300; i++) {
    const bits = [0, 1, 7, 8, 12, 16, 20, 24, 25, 31, 32][rnd() % 11];
    const a = rnd();
    entries.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${bits === 0 ? 1 : bits}`);
  }
  const set = new PrefixSet(entries);
  const prefixes = entries.map((e) => parsePrefix(e)!);
  for (let i = 0; i < 20_000; i++) {
    const a = rnd();
    const ip = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    const addr = parseIp(ip)!;
    const expected = prefixes.some((p) => prefixContains(p, addr));
    assert.equal(set.has(ip), expected, ip);
  }
});

/** The four words as one bigint, to compare with the bigint parser. */
const wordsToBig = (w: Uint32Array) => (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);

test('parseIPv6Words (which PrefixSet uses) agrees with the bigint parser on every RFC 4291 form, and rejects what it rejects', () => {
  const w = new Uint32Array(4);
  const good = ['::', '::1', '1::', '2001:db8::', '2001:db8::1', '2001:DB8:0:0:8:800:200C:417A', 'ff01::101', '::ffff:192.0.2.1',
    '::192.0.2.1', '64:ff9b::198.51.100.7', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '1::8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
    'fe80::1%eth0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '0:0:0:0:0:0:0:0', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'];
  for (const a of good) {
    assert.ok(parseIPv6Words(a, w), a);
    assert.equal(wordsToBig(w), parseIPv6(a), a);
  }
  const bad = ['', ':', ':::', '1:::2', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '1:', ':1', '1::2:',
    '1.2.3.4', '::1.2.3', '::256.1.1.1', '1:2:3:4:5:6:7:1.2.3.4', 'not an address', '1:2:3:4:5:6:7:8::'];
  for (const a of bad) assert.equal(parseIPv6Words(a, w), undefined, a);
  // random addresses in full and compressed text
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < 5000; i++) {
    const g = Array.from({ length: 8 }, () => (rnd() % 4 === 0 ? 0 : rnd() & 0xffff).toString(16));
    const full = g.join(':');
    // compress the first run of zero groups the way people write it
    const compressed = full.replace(/(^|:)0(:0)+(:|$)/, '::');
    for (const a of [full, compressed]) {
      assert.ok(parseIPv6Words(a, w), a);
      assert.equal(wordsToBig(w), parseIPv6(a), a);
    }
  }
});

test('PrefixSet agrees with the bigint prefix check on 20,000 random IPv6 addresses, with few and many prefixes per length', () => {
  let seed = 1234;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const hex = () => (rnd() & 0xffff).toString(16);
  for (const count of [5, 400]) {
    const entries: string[] = [];
    for (let i = 0; i < count; i++) {
      const bits = [1, 16, 32, 33, 48, 56, 64, 65, 96, 127, 128][rnd() % 11];
      // prefixes near a few shared roots, so random probes hit some of them
      entries.push(`2001:db8:${(rnd() % 4).toString(16)}:${hex()}:${hex()}::${hex()}/${bits}`);
    }
    const set = new PrefixSet(entries);
    const prefixes = entries.map((e) => parsePrefix(e)!);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) {
      const ip = i % 2 ? `2001:db8:${(rnd() % 4).toString(16)}:${hex()}:${hex()}:${hex()}::${hex()}` : `${hex()}:${hex()}::${hex()}`;
      const addr = parseIp(ip)!;
      const expected = prefixes.some((p) => prefixContains(p, addr));
      assert.equal(set.has(ip), expected, ip);
      if (expected) hits++;
    }
    assert.ok(hits > 100, `probes hit some prefixes (${hits})`);
    assert.equal(set.match('[2001:db8::1]') !== undefined, set.match('2001:db8::1') !== undefined, 'bracketed form');
  }
});
