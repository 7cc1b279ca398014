import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrefixSet, ipv4ToInt } from '../../src/util/ipset.js';
import { parseIp, parsePrefix, prefixContains } from '../../src/util/ip.js';

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
